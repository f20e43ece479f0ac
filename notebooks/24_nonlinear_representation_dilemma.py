# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The non-linear representation dilemma: an alignment map that fits anything
#
# **Paper.** {cite:t}`sutter2025dilemma`.
#
# **Claim.** Causal abstraction asks whether a network computes a task's intermediate
# variables: map a hidden layer by an invertible *alignment map*, swap the coordinates that are
# meant to hold one variable between two inputs, and see whether the output changes as the
# task's algorithm says it should (the interchange-intervention accuracy, IIA). With a linear
# map, as in distributed alignment search {cite:p}`geiger2024das`, a high IIA is evidence that
# the network represents the variables. The paper shows that with an unrestricted map it is
# not: a flexible enough invertible map reaches a high IIA even in a randomly initialised
# network that cannot do the task. The over-parameterised object is now the probe, and what it
# fits is the table of counterfactuals.
#
# **What we redraw.** Hierarchical equality with a three-layer MLP, trained or left random:
# IIA with a linear (orthogonal) map and with a small RevNet, for a task with many distinct
# inputs and one with few, and on inputs the map never saw.

# %% tags=["remove-cell"]
# On Colab, install this book's helper package first (elsewhere this cell does nothing).
import subprocess
import sys

REPO = "git+https://github.com/overparam-executed/overparam-executed"
if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", REPO], check=True)

# %% tags=["parameters"]
scale = "book"  # "smoke" (tests), "book" (this page) or "paper" (larger)
seed = 0  # any integer >= 0: the numbers change with it, the claims must not
device = "auto"  # "auto" (CUDA when visible, else CPU), "cpu" or "cuda"

# %% tags=["hide-cell"]
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from overparam_utils import alignment as al
from overparam_utils import chapter
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.training import adam_step, mlp

# Hierarchical equality over vocabularies of V_many and V_few symbols, each embedded in
# emb_dim random dimensions. The network: 4 * emb_dim -> width -> width -> 2 ReLU MLP,
# trained by Adam (net_steps steps of net_batch at net_lr) or left at its random
# initialisation. Alignment maps on the first hidden layer (block coordinates per
# variable), fitted for map_steps steps on n_pairs pairs; the RevNet has rev_blocks
# coupling blocks of rev_width units. A share held_share of the input tuples of the
# small vocabulary is never shown to the maps; IIA on n_eval fresh pairs.
PRESETS = {
    "smoke": dict(
        V_many=20,
        V_few=5,
        emb_dim=4,
        width=32,
        net_steps=800,
        net_batch=512,
        net_lr=3e-3,
        block=8,
        n_pairs=2000,
        map_steps=200,
        rev_blocks=2,
        rev_width=64,
        held_share=0.2,
        n_eval=1000,
    ),
    "book": dict(
        V_many=20,
        V_few=5,
        emb_dim=4,
        width=32,
        net_steps=1500,
        net_batch=512,
        net_lr=3e-3,
        block=8,
        n_pairs=8000,
        map_steps=1500,
        rev_blocks=2,
        rev_width=64,
        held_share=0.2,
        n_eval=4000,
    ),
    "paper": dict(
        V_many=20,
        V_few=5,
        emb_dim=4,
        width=32,
        net_steps=3000,
        net_batch=512,
        net_lr=3e-3,
        block=8,
        n_pairs=20000,
        map_steps=5000,
        rev_blocks=4,
        rev_width=128,
        held_share=0.2,
        n_eval=10000,
    ),
}
ch = chapter.setup(
    "24_nonlinear_representation_dilemma",
    scale=scale,
    seed=seed,
    device=device,
    presets=PRESETS,
)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Task.** Four symbols $a, b, c, d$ from a vocabulary of $V$, each given by a fixed random
# vector of {glue:text}`emb_dim` numbers; the label is $y = [\,(a = b) = (c = d)\,]$. The
# algorithm that solves it computes two variables, $V_1 = [a = b]$ and $V_2 = [c = d]$, each
# true half of the time, and compares them. Setting $V_1$ of a *base* input to that of a
# *source* input changes the label to $[V_1^{\text{src}} = V_2^{\text{base}}]$: the
# counterfactual label. With $V$ = {glue:text}`V_many` there are {glue:text}`n_many` distinct
# inputs; with $V$ = {glue:text}`V_few`, {glue:text}`n_few`.
#
# **Networks.** An MLP with two hidden layers of {glue:text}`width` ReLU units, trained on the
# task ({glue:text}`net_steps` Adam steps) or left at its random initialisation.
#
# **Alignment.** A map $\phi$ of the first hidden layer, invertible: coordinates
# 0 to {glue:text}`block_end` of $\phi(h)$ stand for $V_1$, the next {glue:text}`block` for
# $V_2$. An intervention maps the base's and the source's hidden states, copies the variable's
# block from the source, maps back with $\phi^{-1}$ and runs the rest of the frozen network.
# Only $\phi$ is trained, on the counterfactual labels of {glue:text}`n_pairs` pairs, for
# {glue:text}`map_steps` Adam steps. Two maps: an orthogonal matrix (linear) and a RevNet of
# {glue:text}`rev_blocks` additive coupling blocks with tanh MLPs of {glue:text}`rev_width`
# units ({glue:text}`rev_params` parameters), exactly invertible. IIA is the share of
# {glue:text}`n_eval` fresh pairs whose intervened output is the counterfactual label (mean over
# the two variables; chance is one half).
#
# **Held-out inputs.** For the small vocabulary, {glue:text}`held_pct:.0f` % of the input tuples
# never appear in the pairs the map is trained on; a second IIA is taken on pairs made only of
# them.

# %%
rng = ch.rng
net_seed, rand_seed, map_seed, batch_seed = ch.seeds(4)
blocks = [slice(0, cfg.block), slice(cfg.block, 2 * cfg.block)]


def train_network(V, embedding):
    """An MLP trained on the task by Adam on fresh examples; its task accuracy."""
    net = mlp(4 * cfg.emb_dim, cfg.width, 2, depth=2, seed=net_seed, device=ch.device)
    X, _, _, _, y = al.equality_data(20000, V, embedding, rng)
    X, y = torch.as_tensor(X, device=ch.device), torch.as_tensor(y, device=ch.device)
    params = list(net.parameters())
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    gen = torch.Generator().manual_seed(batch_seed)
    for step in range(cfg.net_steps):
        i = torch.randint(len(X), (cfg.net_batch,), generator=gen).to(ch.device)
        grads = torch.autograd.grad(F.cross_entropy(net(X[i]), y[i]), params)
        with torch.no_grad():
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                adam_step(p, g, m, v, step + 1, cfg.net_lr)
    return net


def pairs(V, embedding, n, allowed=None):
    """n (base, source) pairs: base and source network inputs and the two
    counterfactual labels."""
    base = al.equality_data(n, V, embedding, rng, allowed)
    src = al.equality_data(n, V, embedding, rng, allowed)
    targets = [al.counterfactual(base[2], base[3], src[2], src[3], k) for k in (0, 1)]
    return base[0], src[0], targets, base


def run(net, kind, V, embedding, held=None):
    """Fit a map of the first hidden layer; its IIA on fresh pairs (and on held-out
    ones)."""
    first, head = net[:2], net[2:]

    def hidden(X):
        with torch.no_grad():
            return first(torch.as_tensor(X, device=ch.device))

    seen = None if held is None else ~held
    Xb, Xs, targets, _ = pairs(V, embedding, cfg.n_pairs, seen)
    phi = al.alignment_map(
        cfg.width, kind, cfg.rev_blocks, cfg.rev_width, seed=map_seed
    ).to(ch.device)
    al.fit_alignment(
        head,
        phi,
        hidden(Xb),
        hidden(Xs),
        targets,
        blocks,
        steps=cfg.map_steps,
        lr=2e-3 if kind == "linear" else 1e-3,
        seed=batch_seed,
    )

    def score(allowed):
        Xb, Xs, targets, _ = pairs(V, embedding, cfg.n_eval, allowed)
        return float(
            np.mean(
                [
                    al.iia(head, phi, hidden(Xb), hidden(Xs), targets[k], blocks[k])
                    for k in (0, 1)
                ]
            )
        )

    out = dict(iia=score(seen))
    if held is not None:
        out["held"] = score(held)
    return out


def task_accuracy(net, V, embedding):
    X, _, _, _, y = al.equality_data(cfg.n_eval, V, embedding, rng)
    with torch.no_grad():
        pred = net(torch.as_tensor(X, device=ch.device)).argmax(1).cpu().numpy()
    return float(np.mean(pred == y))


results, acc = {}, {}
for V in (cfg.V_many, cfg.V_few):
    embedding = rng.standard_normal((V, cfg.emb_dim))
    held = np.zeros(V**4, dtype=bool)
    held[rng.permutation(V**4)[: int(cfg.held_share * V**4)]] = True
    nets = {
        "trained": train_network(V, embedding),
        "random": mlp(
            4 * cfg.emb_dim, cfg.width, 2, depth=2, seed=rand_seed, device=ch.device
        ),
    }
    for name, net in nets.items():
        acc[name, V] = task_accuracy(net, V, embedding)
        for kind in ("linear", "revnet"):
            if V == cfg.V_many and (name, kind) == ("trained", "revnet"):
                continue  # not needed by any check
            results[name, kind, V] = run(
                net, kind, V, embedding, held if V == cfg.V_few else None
            )
for key, r in results.items():
    print(
        key, {k: round(v, 3) for k, v in r.items()}, f"task acc {acc[key[0], key[2]]:.3f}"
    )

# %%
trained_linear = results["trained", "linear", cfg.V_many]["iia"]
random_linear = results["random", "linear", cfg.V_many]["iia"]
random_rev_few = results["random", "revnet", cfg.V_few]["iia"]
random_linear_few = results["random", "linear", cfg.V_few]["iia"]
random_rev_many = results["random", "revnet", cfg.V_many]["iia"]
fewer_gain = random_rev_few - random_rev_many
fewer_gain_linear = random_linear_few - random_linear
gap_random = random_rev_few - results["random", "revnet", cfg.V_few]["held"]
gap_trained = (
    results["trained", "revnet", cfg.V_few]["iia"]
    - results["trained", "revnet", cfg.V_few]["held"]
)
rev_params = sum(
    p.numel()
    for p in al.alignment_map(
        cfg.width, "revnet", cfg.rev_blocks, cfg.rev_width
    ).parameters()
)
ch.glue(
    **cfg.pick(
        "V_many",
        "V_few",
        "emb_dim",
        "width",
        "net_steps",
        "block",
        "n_pairs",
        "map_steps",
        "rev_blocks",
        "rev_width",
        "n_eval",
    ),
    n_many=cfg.V_many**4,
    n_few=cfg.V_few**4,
    block_end=cfg.block - 1,
    held_pct=100 * cfg.held_share,
    rev_params=rev_params,
    trained_acc=acc["trained", cfg.V_many],
    random_acc=acc["random", cfg.V_many],
    random_acc_few=acc["random", cfg.V_few],
    trained_linear=trained_linear,
    random_linear=random_linear,
    random_rev_few=random_rev_few,
    random_linear_few=random_linear_few,
    random_rev_many=random_rev_many,
    random_rev_held=results["random", "revnet", cfg.V_few]["held"],
    trained_rev_few=results["trained", "revnet", cfg.V_few]["iia"],
    trained_rev_held=results["trained", "revnet", cfg.V_few]["held"],
    trained_linear_few=results["trained", "linear", cfg.V_few]["iia"],
)

# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 3.5))
cells = [
    ("trained", "linear"),
    ("random", "linear"),
    ("random", "revnet"),
    ("trained", "revnet"),
]
colors = {"linear": OKABE_ITO["blue"], "revnet": OKABE_ITO["vermillion"]}
ticks, labels = [], []
for k, V in enumerate((cfg.V_many, cfg.V_few)):
    for j, (name, kind) in enumerate(cells):
        if (name, kind, V) not in results:
            continue
        x = j + 5 * k
        ticks.append(x)
        labels.append(f"{name}\n{kind}")
        ax1.bar(
            x,
            results[name, kind, V]["iia"],
            color=colors[kind],
            hatch="" if name == "trained" else "//",
            edgecolor="w",
        )
ax1.axhline(0.5, color="0.4", ls="--", lw=1)
ax1.set_xticks(ticks, labels, fontsize=6)
ax1.text(1.5, 1.03, f"V = {cfg.V_many}", ha="center", fontsize=8)
ax1.text(6.5, 1.03, f"V = {cfg.V_few}", ha="center", fontsize=8)
ax1.set(ylabel="interchange-intervention accuracy", ylim=(0, 1.1))
for j, (name, kind) in enumerate(cells[1:]):
    r = results[name, kind, cfg.V_few]
    ax2.bar(
        [3 * j, 3 * j + 1],
        [r["iia"], r["held"]],
        color=colors[kind],
        alpha=1.0,
        edgecolor="w",
    )
    ax2.text(
        3 * j + 0.5,
        -0.16,
        f"{name}\n{kind}",
        ha="center",
        fontsize=7,
        transform=ax2.get_xaxis_transform(),
    )
ax2.set_xticks(
    [3 * j + d for j in range(3) for d in (0, 1)], ["seen", "held out"] * 3, fontsize=7
)
ax2.axhline(0.5, color="0.4", ls="--", lw=1)
ax2.set(ylabel="IIA", ylim=(0, 1.05), title=f"V = {cfg.V_few}: inputs seen or held out")
fig.tight_layout()
ch.figure("fig-24_nonlinear_representation_dilemma-iia")

# %% [markdown]
# ```{glue:figure} fig-24_nonlinear_representation_dilemma-iia
# :name: fig-24_nonlinear_representation_dilemma-iia
#
# Left: IIA of the linear map (blue) and the RevNet (red) in the trained network (plain) and the
# random one (hatched), for the large and the small vocabulary; dashed line: chance. Right: for
# the small vocabulary, IIA on pairs of inputs the map was trained on and on held-out inputs.
# ```
#
# With {glue:text}`V_many` symbols, the linear map finds the two variables in the trained
# network (IIA {glue:text}`trained_linear:.3f`) and not in the random one
# ({glue:text}`random_linear:.3f`; the random network's task accuracy is
# {glue:text}`random_acc:.3f`). With {glue:text}`V_few` symbols the RevNet aligns the random
# network with the algorithm: IIA {glue:text}`random_rev_few:.3f`, against
# {glue:text}`random_linear_few:.3f` for the linear map; with {glue:text}`V_many` symbols the
# same RevNet gets {glue:text}`random_rev_many:.3f`. On held-out inputs of the small vocabulary
# the random network's RevNet falls to {glue:text}`random_rev_held:.3f`, while the trained
# network's RevNet keeps {glue:text}`trained_rev_held:.3f` (seen: {glue:text}`trained_rev_few:.3f`).
#
# ## Claim checks

# %%
smoke_miss = "the smoke run fits the maps too briefly" if scale == "smoke" else None
ch.check(
    "linear_map_finds_the_variables",
    f"with {cfg.V_many} symbols, a linear alignment map reaches an IIA over 0.85 in the "
    "trained network",
    trained_linear,
    ">",
    0.85,
    control=random_linear,
    control_is="the same map fitted in a randomly initialised network",
    known_miss=smoke_miss,
)
ch.check(
    "nonlinear_map_aligns_a_random_network",
    f"with {cfg.V_few} symbols, a RevNet alignment map reaches an IIA over 0.8 in a "
    "randomly initialised network that cannot do the task",
    random_rev_few,
    ">",
    0.8,
    control=random_linear_few,
    control_is="a linear map fitted in the same random network",
    known_miss=smoke_miss,
)
ch.check(
    "fewer_inputs_easier_to_fit",
    f"in the random network the RevNet's IIA is over 0.2 higher with {cfg.V_few} symbols "
    f"than with {cfg.V_many}",
    fewer_gain,
    ">",
    0.2,
    control=fewer_gain_linear,
    control_is="the same difference for the linear map",
    known_miss=smoke_miss
    or (
        "the paper preset's larger RevNet aligns the random network with "
        f"{cfg.V_many} symbols too, so the difference saturates"
        if scale == "paper"
        else None
    ),
)
ch.check(
    "random_alignment_does_not_transfer",
    "the random network's RevNet alignment loses over 0.1 of IIA from seen to held-out "
    "inputs",
    gap_random,
    ">",
    0.1,
    control=gap_trained,
    control_is="the same loss for the RevNet fitted in the trained network",
    known_miss=smoke_miss,
)
ch.check(
    "trained_network_solves_the_task",
    "the trained network's task accuracy is over 0.99 (large vocabulary)",
    acc["trained", cfg.V_many],
    ">",
    0.99,
    kind="setup",
)
ch.check(
    "random_network_cannot",
    "the random network's task accuracy is below 0.6 (large and small vocabulary)",
    max(acc["random", cfg.V_many], acc["random", cfg.V_few]),
    "<",
    0.6,
    kind="setup",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | networks | MLPs on hierarchical equality; Pythia language models on indirect object identification | an MLP with two hidden layers of {glue:text}`width` units on hierarchical equality |
# | linear map, trained network | finds the variables | IIA {glue:text}`trained_linear:.3f` with {glue:text}`V_many` symbols ({glue:text}`trained_linear_few:.3f` with {glue:text}`V_few`) |
# | linear map, random network | at chance | {glue:text}`random_linear:.3f` |
# | non-linear map, random network | high IIA | {glue:text}`random_rev_few:.3f` with {glue:text}`V_few` symbols, {glue:text}`random_rev_many:.3f` with {glue:text}`V_many` |
# | unseen inputs | (not checked by us) | the random network's alignment falls to {glue:text}`random_rev_held:.3f` |
#
# We read the paper's abstract and summaries of it, not its tables or code: the network, the
# maps and their sizes are ours. The paper reaches high IIA in random networks with larger
# maps and longer fits; here the small RevNet does so only for the small vocabulary, which is
# the capacity side of the same claim. The trained network's linear IIA is much lower with the
# small vocabulary; we do not know why, and no check rests on it.
#
# ## Try it
#
# - Give the RevNet more capacity (`rev_blocks` 4, `rev_width` 128). Do you expect it to align
#   the random network with the large vocabulary too?
# - Hold out more of the inputs (`held_share` 0.5). Which alignments should suffer?
# - Related chapters: 16 (memorising rare examples) and 13 (what a network's features encode).
