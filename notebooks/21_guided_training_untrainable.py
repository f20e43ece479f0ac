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
# # Guided training: an inductive bias borrowed from another network
#
# **Paper.** {cite:t}`subramaniam2024untrainable`.
#
# **Claim.** A fully connected network has parameters enough to fit an image-like training
# set perfectly, yet it generalises worse than a convolutional network of the same task: among
# the many solutions that interpolate the data, training picks a poor one. The paper supplies
# the missing inductive bias without touching the architecture: while the network learns its
# task, a penalty pulls each of its layers towards the representations of a frozen *guide*
# network (here a CNN), measured by a representational similarity. The guided network still
# fits its training set, generalises much better, and its layers come to resemble the guide's.
# Even an untrained guide helps, less: part of the bias is in the guide's architecture alone.
#
# **What we redraw.** The comparison on MNIST-1D, where the gap between a CNN and an MLP is
# large: test accuracy of the MLP alone, guided by a trained CNN, by an untrained one, and by
# the trained CNN's features of *other* inputs (the control), with the layer-by-layer
# similarity of the MLP to its guide.

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

from overparam_utils import chapter
from overparam_utils import guidance as gd
from overparam_utils.data import mnist1d_split
from overparam_utils.modular import linear_cka
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.training import accuracy, mlp, train_classifier

# MNIST-1D, n_train and n_test examples. The guide: a 1-D CNN of channels channels,
# trained by Adam for guide_steps steps of batch_size at lr. The MLPs: depth hidden ReLU
# layers of width units, trained for steps steps of batch_size at lr, with the penalty
# lam * sum over layers of (1 - CKA) computed on the first cka_size examples of a batch.
PRESETS = {
    "smoke": dict(
        n_train=600,
        n_test=400,
        channels=16,
        guide_steps=200,
        width=128,
        depth=3,
        steps=400,
        lr=3e-3,
        batch_size=128,
        cka_size=32,
        lam=5.0,
    ),
    "book": dict(
        n_train=4000,
        n_test=4000,
        channels=32,
        guide_steps=1500,
        width=256,
        depth=3,
        steps=1500,
        lr=1e-3,
        batch_size=256,
        cka_size=64,
        lam=5.0,
    ),
    "paper": dict(
        n_train=4000,
        n_test=4000,
        channels=32,
        guide_steps=4000,
        width=512,
        depth=3,
        steps=4000,
        lr=1e-3,
        batch_size=256,
        cka_size=128,
        lam=5.0,
    ),
}
ch = chapter.setup(
    "21_guided_training_untrainable",
    scale=scale,
    seed=seed,
    device=device,
    presets=PRESETS,
)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Data.** MNIST-1D {cite:p}`greydanus2024scaling`: {glue:text}`n_train` training and
# {glue:text}`n_test` test signals of length 40 in 10 classes, made by its procedural
# generator; each input feature standardised on the training set.
#
# **Guide.** A CNN of three ReLU convolutions ({glue:text}`channels` channels, stride 2) and a
# linear head, trained for {glue:text}`guide_steps` Adam steps; it reaches
# {glue:text}`guide_acc_pct:.1f` % test accuracy. The *untrained guide* is the same architecture
# at its random initialisation.
#
# **Student.** An MLP with {glue:text}`depth` hidden ReLU layers of {glue:text}`width` units
# ({glue:text}`n_params` parameters for {glue:text}`n_train` examples), trained by Adam for
# {glue:text}`steps` steps with the cross-entropy plus $\lambda$ = {glue:text}`lam` times
# $\sum_{l} (1 - \mathrm{CKA}(h_l, g_l))$: hidden layer $l$ of the MLP against layer $l$ of the
# guide on the same examples. Linear CKA compares the two batches' centred Gram matrices, so the
# layers need not have the same width. Every MLP starts from the same weights and sees the same
# batches; only the penalty differs.
#
# **Control.** The trained guide's features of *other* inputs: each example is matched with the
# guide's representation of a fixed random partner. The penalty is the same size and pulls
# towards the same set of representations, but they no longer describe the example.

# %%
X_train, y_train, X_test, y_test = mnist1d_split(cfg.n_train, cfg.n_test, seed=ch.seed)
mu, sd = X_train.mean(0), X_train.std(0)
X_train, X_test = (X_train - mu) / sd, (X_test - mu) / sd
guide_seed, mlp_seed, batch_seed, partner_seed = ch.seeds(4)
guide = gd.conv_guide(40, 10, cfg.channels, seed=guide_seed, device=ch.device)
untrained = gd.conv_guide(40, 10, cfg.channels, seed=guide_seed + 1, device=ch.device)
train_classifier(
    guide,
    X_train,
    y_train,
    steps=cfg.guide_steps,
    lr=cfg.lr,
    optimizer="adam",
    batch_size=cfg.batch_size,
    seed=guide_seed,
)
guide_acc = accuracy(guide, X_test, y_test)
Xtr = torch.as_tensor(X_train, device=ch.device)
Xte = torch.as_tensor(X_test, device=ch.device)
with torch.no_grad():
    feats = {"trained": guide.features(Xtr), "untrained": untrained.features(Xtr)}
    feats_test = [f.cpu().numpy() for f in guide.features(Xte)]
partner = np.random.default_rng(partner_seed).permutation(cfg.n_train)
arms = {  # name: (guide features, partner rows)
    "alone": (None, None),
    "trained guide": (feats["trained"], None),
    "untrained guide": (feats["untrained"], None),
    "other inputs' features": (feats["trained"], partner),
}
runs = {}
for name, (g, rows) in arms.items():
    net = mlp(40, cfg.width, 10, depth=cfg.depth, seed=mlp_seed, device=ch.device)
    gd.train_guided(
        net,
        X_train,
        y_train,
        g,
        lam=cfg.lam,
        steps=cfg.steps,
        lr=cfg.lr,
        batch_size=cfg.batch_size,
        cka_size=cfg.cka_size,
        partner=rows,
        seed=batch_seed,
    )
    with torch.no_grad():
        hidden = [h.cpu().numpy() for h in gd.hidden_states(net, Xte)]
    runs[name] = dict(
        train=accuracy(net, X_train, y_train),
        test=accuracy(net, X_test, y_test),
        cka=np.array([[linear_cka(h, f) for f in feats_test] for h in hidden]),
    )
for name, r in runs.items():
    print(
        f"{name:24s} train {r['train']:.3f}  test {r['test']:.3f}  "
        f"CKA to the guide, layer by layer {np.round(np.diag(r['cka']), 3)}"
    )
print(f"guide CNN: test {guide_acc:.3f}")

# %% tags=["hide-input", "remove-output"]
names = list(runs)
colors = [OKABE_ITO[c] for c in ("black", "vermillion", "sky", "orange")]
fig, (ax1, ax2, ax3) = plt.subplots(
    1, 3, figsize=(11.0, 3.4), gridspec_kw=dict(width_ratios=[1.4, 1, 1])
)
x = np.arange(len(names))
ax1.bar(x, [runs[n]["test"] for n in names], color=colors, label="test")
ax1.scatter(
    x,
    [runs[n]["train"] for n in names],
    marker="_",
    s=300,
    color="0.2",
    label="train",
    zorder=3,
)
ax1.axhline(guide_acc, color="0.5", ls="--", lw=1, label="guide CNN, test")
ax1.set_xticks(x, [n.replace(" ", "\n", 1) for n in names], fontsize=7)
ax1.set(ylabel="accuracy", ylim=(0, 1.22))
ax1.legend(fontsize=7, loc="upper left", ncol=3)
for ax, name in ((ax2, "alone"), (ax3, "trained guide")):
    im = ax.imshow(runs[name]["cka"], vmin=0, vmax=1, cmap="viridis")
    ax.set(
        xticks=range(3),
        yticks=range(3),
        xlabel="guide layer",
        ylabel="MLP layer",
        title=f"MLP {name}",
        xticklabels=[1, 2, 3],
        yticklabels=[1, 2, 3],
    )
    for (i, j), v in np.ndenumerate(runs[name]["cka"]):
        ax.text(
            j,
            i,
            f"{v:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="w" if v < 0.6 else "k",
        )
fig.colorbar(im, ax=ax3, shrink=0.8, label="linear CKA on test inputs")
ch.figure("fig-21_guided_training_untrainable-accuracy")

# %% [markdown]
# ```{glue:figure} fig-21_guided_training_untrainable-accuracy
# :name: fig-21_guided_training_untrainable-accuracy
#
# Left: test accuracy (bars) and training accuracy (dashes) of the same MLP trained alone, guided
# by the trained CNN, by an untrained CNN, and by the trained CNN's features of other inputs;
# dashed line: the guide itself. Middle and right: linear CKA between each hidden layer of the
# MLP and each layer of the trained guide, on the test inputs, without and with guidance.
# ```

# %%
gain = runs["trained guide"]["test"] - runs["alone"]["test"]
gain_untrained = runs["untrained guide"]["test"] - runs["alone"]["test"]
gain_other = runs["other inputs' features"]["test"] - runs["alone"]["test"]
last = cfg.depth - 1
align = runs["trained guide"]["cka"][last, last] - runs["alone"]["cka"][last, last]
align_other = (
    runs["other inputs' features"]["cka"][last, last] - runs["alone"]["cka"][last, last]
)
ch.glue(
    **cfg.pick(
        "n_train",
        "n_test",
        "channels",
        "guide_steps",
        "depth",
        "width",
        "steps",
        "lam",
        "cka_size",
    ),
    n_params=sum(p.numel() for p in mlp(40, cfg.width, 10, depth=cfg.depth).parameters()),
    guide_acc_pct=100 * guide_acc,
    alone_train_pct=100 * runs["alone"]["train"],
    alone_test_pct=100 * runs["alone"]["test"],
    guided_train_pct=100 * runs["trained guide"]["train"],
    guided_test_pct=100 * runs["trained guide"]["test"],
    untrained_test_pct=100 * runs["untrained guide"]["test"],
    other_test_pct=100 * runs["other inputs' features"]["test"],
    gain_pts=100 * gain,
    gain_untrained_pts=100 * gain_untrained,
    gain_other_pts=100 * gain_other,
    cka_alone=runs["alone"]["cka"][last, last],
    cka_guided=runs["trained guide"]["cka"][last, last],
    cka_other=runs["other inputs' features"]["cka"][last, last],
)

# %% [markdown]
# Alone, the MLP fits {glue:text}`alone_train_pct:.1f` % of its training set and classifies
# {glue:text}`alone_test_pct:.1f` % of the test set. Guided by the trained CNN it still fits
# {glue:text}`guided_train_pct:.1f` % and reaches {glue:text}`guided_test_pct:.1f` %
# ({glue:text}`gain_pts:+.1f` points); its last hidden layer's CKA to the guide's rises from
# {glue:text}`cka_alone:.2f` to {glue:text}`cka_guided:.2f`. An untrained guide gives
# {glue:text}`untrained_test_pct:.1f` % ({glue:text}`gain_untrained_pts:+.1f` points). The
# trained guide's features of other inputs give {glue:text}`other_test_pct:.1f` %
# ({glue:text}`gain_other_pts:+.1f` points, CKA {glue:text}`cka_other:.2f`): the help comes
# from what the guide's representations say about each input, not from the penalty itself.
#
# ## Claim checks

# %%
smoke_miss = (
    "the smoke run trains too briefly for the guide to be better than the MLP"
    if scale == "smoke"
    else None
)
ch.check(
    "guide_raises_test_accuracy",
    "guidance by the trained CNN raises the MLP's test accuracy by over 4 points (same "
    "initial weights and batches as the MLP alone)",
    gain,
    ">",
    0.04,
    control=gain_other,
    control_is="the penalty towards the trained guide's features of other inputs",
    known_miss=smoke_miss,
)
ch.check(
    "guided_layers_resemble_the_guide",
    "with guidance the MLP's last hidden layer has a CKA to the guide's last layer over "
    "0.3 higher than without, on test inputs",
    align,
    ">",
    0.3,
    control=align_other,
    control_is="the penalty towards the trained guide's features of other inputs",
)
ch.check(
    "untrained_guide_helps",
    "an untrained CNN guide also raises the MLP's test accuracy (gain over the MLP alone "
    "above zero)",
    gain_untrained,
    ">",
    0.0,
    control=gain_other,
    control_is="the penalty towards the trained guide's features of other inputs",
    known_miss=smoke_miss,
)
ch.check(
    "guided_mlp_still_fits",
    "the guided MLP fits at least 97% of its training set (smoke: 80%)",
    runs["trained guide"]["train"],
    ">=",
    {"smoke": 0.8, "book": 0.97, "paper": 0.97},
    kind="setup",
)
ch.check(
    "mlp_alone_overfits",
    "the MLP alone fits its training set at least 25 points better than its test set "
    "(smoke: 10)",
    runs["alone"]["train"] - runs["alone"]["test"],
    ">",
    {"smoke": 0.1, "book": 0.25, "paper": 0.25},
    kind="setup",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | task and networks | ImageNet, a deep fully connected network guided by a ResNet (and other pairs: RNN and Transformer, plain CNN and ResNet) | MNIST-1D, an MLP of {glue:text}`depth` hidden layers guided by a three-layer CNN |
# | similarity | a layer-wise representational similarity (CKA in the summaries we read) | linear CKA on the first {glue:text}`cka_size` examples of each batch |
# | guided network | generalises much better, still fits | {glue:text}`gain_pts:+.1f` points, fits {glue:text}`guided_train_pct:.1f` % |
# | untrained guide | helps, less | {glue:text}`gain_untrained_pts:+.1f` points |
# | layers resemble the guide | yes | last-layer CKA {glue:text}`cka_alone:.2f` → {glue:text}`cka_guided:.2f` |
#
# We read the paper's abstract and summaries of it, not its tables or code: the architectures,
# the similarity measure's details and the layer mapping here are our choices (MLP layer $l$ to
# CNN layer $l$), and the size of the gains is not compared with the paper's. The paper's other
# pairs of networks and its variant that guides only at initialisation are not run.
#
# ## Try it
#
# - Set `lam` to 0.5 or 20. How do you expect the gain and the training accuracy to move?
# - Train the guide for fewer steps (`guide_steps` 300). Should a worse guide help less?
# - Make the MLP wider (`width` 512). Does an MLP with more parameters need the guide more, or
#   less?
# - Related chapters: 14 (which solution training picks when several fit) and 13 (the CKA of a
#   layer with its initialisation).
