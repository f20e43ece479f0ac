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
# # Noisy labels: compress the features, memorize less
#
# **Paper.** {cite:t}`chen2022compressing`.
#
# **Claim.** Trained on data with wrong labels, an over-parameterized network eventually fits the
# wrong labels too, and its test accuracy falls. Limiting how much information its features can
# carry works against this memorization: **dropout** on the features is one such compression, and
# **nested dropout**, which trains the features in order of importance so that the network can be
# cut to its first few, is a stronger one. Both lower the fraction of wrong labels fitted and raise
# the test accuracy, and combining nested dropout with **co-teaching** (two networks that train each
# other only on the examples the partner finds easy) improves it further.
#
# **What we redraw.** The paper's comparison of plain training, dropout, nested dropout and nested
# dropout with co-teaching under synthetic label noise (ResNets on CIFAR there, an MLP on the digits
# here): the fraction of wrong labels fitted and the test accuracy of each method, every method
# selected on validation data as in the paper, and the test accuracy of a nested-dropout network
# cut to its first $k$ features, next to a plain network that only has $k$ features.

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

from overparam_utils import chapter
from overparam_utils import noisy as nz
from overparam_utils.data import digits_split, flip_labels
from overparam_utils.plotting import OKABE_ITO, log_ticks

# n_train digits, of which n_val are held out (with noisy labels) for model selection;
# `noise` of all labels flipped. MLPs 64 -> width -> width (features) -> 10 trained with
# Adam (lr, batch_size) for `steps`, evaluated every eval_every steps; n_draws independent
# noisy data sets. Candidate dropout rates drop_ps, nested-dropout scales sigmas and
# bottleneck widths narrow_widths are chosen per draw on the noisy validation split;
# co-teaching forgets `noise` of each batch after ramp_steps, with nested scale cot_sigma.
PRESETS = {
    "smoke": dict(
        n_train=400, n_val=100, noise=0.4, width=32, lr=2e-3, batch_size=64, steps=300,
        n_draws=2, drop_ps=[0.8], sigmas=[10.0], narrow_widths=[8], cot_sigma=10.0,
        ramp_steps=50, eval_every=50,
    ),
    "book": dict(
        n_train=1297, n_val=200, noise=0.4, width=128, lr=1e-3, batch_size=64, steps=2000,
        n_draws=3, drop_ps=[0.5, 0.8], sigmas=[10.0, 20.0], narrow_widths=[4, 8, 16],
        cot_sigma=10.0, ramp_steps=200, eval_every=100,
    ),
    "paper": dict(
        n_train=1297, n_val=200, noise=0.4, width=256, lr=1e-3, batch_size=64, steps=6000,
        n_draws=5, drop_ps=[0.3, 0.5, 0.7, 0.8], sigmas=[5.0, 10.0, 20.0, 50.0],
        narrow_widths=[4, 8, 16, 32], cot_sigma=10.0, ramp_steps=600, eval_every=200,
    ),
}
ch = chapter.setup(
    "19_noisy_labels_compression", scale=scale, seed=seed, device=device, presets=PRESETS
)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Data.** scikit-learn's 8×8 digits: {glue:text}`n_fit` training images, {glue:text}`n_val`
# validation images and {glue:text}`n_test` test images. In the training and validation labels
# {glue:text}`noise_pct` % are replaced by another class chosen at random (symmetric noise, as in
# the paper); the test labels are clean. Each of {glue:text}`n_draws` draws has its own noise and
# its own initial weights, shared by all methods of that draw, so methods are compared in pairs.
#
# **Model.** A ReLU network $x \to h_1 \to h_2 \to$ logits whose last layer is a bias-free
# linear map of the {glue:text}`width` features $h_2$ (the paper compresses the same place: the
# pooled features before the classifier). {glue:text}`n_params` weights for
# {glue:text}`n_fit` examples. Adam, step {glue:text}`lr`, batches of {glue:text}`batch_size`,
# {glue:text}`steps` steps.
#
# **Compression of the features** during training (`overparam_utils.noisy`):
#
# * **dropout** with rate $p$: each feature of each example is zeroed with probability $p$;
# * **nested dropout** with scale $\sigma$: for each batch draw one $k$ with
#   $P(k) \propto e^{-(k/\sigma)^2}$ and keep only the first $k$ features. The first features are
#   almost always kept and the last almost never, so the features learn in order, and at test
#   time the network can be cut to its first $k$ features.
#
# **Co-teaching** {cite:p}`han2018coteaching`, which the paper builds on, trains two networks on
# the same batches; each ranks the batch by its own loss and passes the examples it fits best to
# its partner, which learns only from those. The share it passes falls from the whole batch to
# {glue:text}`keep_pct` % (one minus the true noise rate, as in Han et al.) over the first
# {glue:text}`ramp_steps` steps. We train it alone and with nested dropout ($\sigma$ =
# {glue:text}`cot_sigma`).
#
# **Two controls.** A *narrow* network is a plain network with only $k$ features (widths
# {glue:text}`narrow_widths`): the bottleneck of a cut nested network without the ordering. And
# plain and dropout networks are trained once more on the *clean* labels, where there are no
# wrong labels to memorize.
#
# **Model selection, as in the paper.** The paper chooses the checkpoint and the number of kept
# features on a clean validation set. We have no clean labels, so every method, plain training
# included, is selected on the *noisy* validation split: with symmetric noise, accuracy on noisy
# labels is an increasing linear function of accuracy on clean ones, so it ranks models the same
# way in expectation. We report two numbers per method: **early-stopped** (the checkpoint, the
# setting and, for nested networks, the cut $k$ with the best validation accuracy: the paper's
# protocol) and **at the end** (the last step; setting and cut still chosen on validation).

# %%
X_all, y_all, X_test, y_test = digits_split(n_train=cfg.n_train, n_test=500, seed=ch.seed)
X_val, X = X_all[: cfg.n_val], X_all[cfg.n_val :]
y_val, y = y_all[: cfg.n_val], y_all[cfg.n_val :]
n_fit, n_classes, S = len(y), 10, cfg.n_draws
# per draw: a seed for the label noise and one for each network of a co-teaching pair
draw_seeds = np.array(ch.seeds(3 * S)).reshape(S, 3)
noisy_y, flipped, noisy_val = [], [], []
for noise_seed in draw_seeds[:, 0]:
    rng = np.random.default_rng(noise_seed)
    labels, mask = flip_labels(y, cfg.noise, n_classes, rng)
    noisy_y.append(labels)
    flipped.append(mask)
    noisy_val.append(flip_labels(y_val, cfg.noise, n_classes, rng)[0])

# every group of the stack: (method, labels, setting); co-teaching groups are pairs
groups = [("plain", "noisy", None), ("co-teaching", "noisy", None)]
groups += [("dropout", "noisy", p) for p in cfg.drop_ps]
groups += [("nested dropout", "noisy", sg) for sg in cfg.sigmas]
groups += [("narrow", "noisy", k) for k in cfg.narrow_widths]
groups += [("nested + co-teaching", "noisy", cfg.cot_sigma)]
groups += [("plain", "clean", None)] + [("dropout", "clean", p) for p in cfg.drop_ps]
models, columns = [], {}  # columns[(method, labels, setting, draw)] = model indices
drop_p, sigma, narrow, peers, init_seeds, Y, Y_val, wrong = [], [], [], [], [], [], [], []
for draw in range(S):
    for method, labels, setting in groups:
        pair = "co-teaching" in method
        for member in range(2 if pair else 1):
            columns.setdefault((method, labels, setting, draw), []).append(len(models))
            peers.append(len(models) + (1 - 2 * member if pair else 0))
            models.append((method, labels, setting, draw))
            drop_p.append(setting if method == "dropout" else 0.0)
            sigma.append(setting if method.startswith("nested") else 0.0)
            narrow.append(setting if method == "narrow" else 0)
            init_seeds.append(draw_seeds[draw, 1 + member])
            clean = labels == "clean"
            Y.append(y if clean else noisy_y[draw])
            Y_val.append(y_val if clean else noisy_val[draw])
            wrong.append(flipped[draw])
M = len(models)
Y, Y_val, wrong = np.stack(Y), np.stack(Y_val), np.stack(wrong)
params = nz.init_stacked_mlp(init_seeds, X.shape[1], cfg.width, n_classes,
                             device=ch.device)
n_params = sum(v[0].numel() for v in params.values())
ch.glue(**cfg.pick("n_val", "width", "lr", "batch_size", "n_draws", "ramp_steps"))
ch.glue(n_fit=n_fit, n_test=len(y_test), steps=f"{cfg.steps:,}", n_params=f"{n_params:,}",
        noise_pct=100 * cfg.noise, keep_pct=100 * (1 - cfg.noise))
ch.glue("cot_sigma", cfg.cot_sigma)
ch.glue("drop_ps", ", ".join(f"{p:g}" for p in cfg.drop_ps))
ch.glue("sigmas", ", ".join(f"{s:g}" for s in cfg.sigmas))
ch.glue("narrow_widths", ", ".join(str(k) for k in cfg.narrow_widths))

# %% [markdown]
# ## Training every method at once
#
# All {glue:text}`n_models` networks ({glue:text}`n_draws` draws of every method and setting,
# two networks per co-teaching pair) train as one stack of batched matrix products. Every
# {glue:text}`eval_every` steps we record, for each network cut to its first $k$ features
# ($k = 1, 2, 4, \dots$, {glue:text}`width`), the accuracy on the (noisy) validation labels and on
# the test set, and the fraction of the flipped training examples predicted as their wrong label
# ("memorized") and of the other training examples predicted as their right one.

# %%
ks = [2**i for i in range(int(np.log2(cfg.width)) + 1)]
history = {"val": [], "test": [], "memorized": [], "fits_right": []}


def record(step, p):
    fits = nz.predictions_by_cut(p, X, ks) == Y  # (len(ks), M, n_fit)
    history["val"].append((nz.predictions_by_cut(p, X_val, ks) == Y_val).mean(-1))
    history["test"].append((nz.predictions_by_cut(p, X_test, ks) == y_test).mean(-1))
    history["memorized"].append((fits & wrong).sum(-1) / wrong.sum(-1))
    history["fits_right"].append((fits & ~wrong).sum(-1) / (~wrong).sum(-1))


trained = nz.train_noisy(
    params, X, Y, steps=cfg.steps, lr=cfg.lr, batch_size=cfg.batch_size, drop_p=drop_p,
    nested_sigma=sigma, feature_width=narrow, peers=peers, forget_rate=cfg.noise,
    ramp_steps=cfg.ramp_steps, seed=ch.seed, callback=record,
    every=range(0, cfg.steps + 1, cfg.eval_every), desc="all methods",
)
H = {name: np.array(v) for name, v in history.items()}  # (checkpoints, len(ks), M)
steps_h = np.arange(0, cfg.steps + 1, cfg.eval_every)
ch.glue(n_models=M, eval_every=cfg.eval_every)

# %% [markdown]
# ## Choosing checkpoint, setting and cut on noisy validation labels
#
# A nested network may be cut at any $k$; a narrow network is used with its $k$ features and
# the others with all of theirs. For each draw and method we keep the setting (dropout rate,
# $\sigma$ or narrow width) and, early-stopped, the checkpoint with the best validation
# accuracy; a co-teaching pair is scored by the mean of its two networks.

# %%
allowed = {}  # which cuts each model may use
for i, (method, _labels, setting, _draw) in enumerate(models):
    if method.startswith("nested"):
        allowed[i] = np.ones(len(ks), bool)
    else:
        allowed[i] = np.array(ks) == (setting if method == "narrow" else cfg.width)
QUANTITIES = ("test", "memorized", "fits_right")


def select(idx, early_stop):
    """Best (validation score, checkpoint, cut) of the models idx (a pair shares them)."""
    score = np.where(allowed[idx[0]], H["val"][:, :, idx].mean(-1), -1.0)
    if not early_stop:
        score[:-1] = -1.0
    t, k = np.unravel_index(score.argmax(), score.shape)
    return score[t, k], t, k


summary = {}  # (method, labels, protocol) -> arrays over draws
for method, labels, _setting in groups:
    for protocol in ("early", "end"):
        key = (method, labels, protocol)
        if key in summary:
            continue
        rows = {q: [] for q in (*QUANTITIES, "step", "k", "setting")}
        for draw in range(S):
            options = {st: columns[(m, lb, st, draw)] for m, lb, st in groups
                       if (m, lb) == (method, labels)}
            chosen = {st: select(idx, protocol == "early") for st, idx in options.items()}
            best = max(chosen, key=lambda st: chosen[st][0])
            _, t, k = chosen[best]
            for q in QUANTITIES:
                rows[q].append(H[q][t, k, options[best]].mean())
            rows["step"].append(steps_h[t])
            rows["k"].append(ks[k])
            rows["setting"].append(best)
        summary[key] = {q: np.array(v) for q, v in rows.items()}


def res(method, protocol, labels="noisy"):
    return summary[(method, labels, protocol)]


def paired(a, b, protocol, quantity="test", labels="noisy"):
    """Per-draw differences a - b (same noise, same initial weights)."""
    return res(a, protocol, labels)[quantity] - res(b, protocol, labels)[quantity]

# %% [markdown]
# ## Memorization during training

# %%
NOISY = ["plain", "dropout", "nested dropout", "narrow", "co-teaching",
         "nested + co-teaching"]
colors = {
    "plain": OKABE_ITO["vermillion"], "dropout": OKABE_ITO["orange"],
    "nested dropout": OKABE_ITO["sky"], "narrow": OKABE_ITO["green"],
    "co-teaching": OKABE_ITO["purple"], "nested + co-teaching": OKABE_ITO["blue"],
}


def curve(method, quantity):
    """Mean over draws of `quantity` at every checkpoint, for the setting chosen at the
    end and, at each checkpoint, the cut with the best validation accuracy."""
    per_draw = []
    for draw, setting in enumerate(res(method, "end")["setting"]):
        idx = columns[(method, "noisy", setting, draw)]
        score = np.where(allowed[idx[0]], H["val"][:, :, idx].mean(-1), -1.0)
        k_t = score.argmax(1)
        per_draw.append(H[quantity][np.arange(len(steps_h)), k_t][:, idx].mean(-1))
    return np.mean(per_draw, 0)


# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.4, 3.5), sharex=True)
for name in NOISY:
    ax1.plot(steps_h, curve(name, "memorized"), color=colors[name], label=name)
    ax2.plot(steps_h, curve(name, "test"), color=colors[name], label=name)
    early = res(name, "early")
    ax2.plot(early["step"].mean(), early["test"].mean(), "o", color=colors[name], ms=5)
ax1.set(xlabel="Adam step", ylabel="fraction", title="wrong labels memorized",
        ylim=(0, 1.02))
ax2.set(xlabel="Adam step", ylabel="accuracy", title="test accuracy", ylim=(0, 1.0))
ax1.legend(fontsize=7.5)
ch.figure("fig-ch19-curves")

# %% [markdown]
# ```{glue:figure} fig-ch19-curves
# :name: fig-ch19-curves
#
# During training, mean over the draws (each method with the setting chosen at the end, nested
# networks cut where validation is best at each checkpoint). Left: fraction of the flipped
# training labels that the network predicts, i.e. has memorized. Right: test accuracy; a dot marks
# each method's early-stopped checkpoint (mean step, mean test accuracy), chosen on the noisy
# validation labels.
# ```

# %%
glued = {}
short = {"plain": "plain", "dropout": "drop", "nested dropout": "nested",
         "narrow": "narrow", "co-teaching": "cot", "nested + co-teaching": "nestcot"}
for name, tag in short.items():
    for protocol in ("early", "end"):
        glued[f"test_{protocol}_{tag}"] = res(name, protocol)["test"].mean()
    glued[f"mem_end_{tag}"] = res(name, "end")["memorized"].mean()
    glued[f"step_early_{tag}"] = res(name, "early")["step"].mean()
glued["right_end_plain"] = res("plain", "end")["fits_right"].mean()
glued["right_end_drop"] = res("dropout", "end")["fits_right"].mean()
glued["right_end_nested"] = res("nested dropout", "end")["fits_right"].mean()
glued["k_end_nested"] = res("nested dropout", "end")["k"].mean()
glued["k_end_narrow"] = res("narrow", "end")["k"].mean()
glued["mem_early_plain"] = res("plain", "early")["memorized"].mean()
# how much each compression memorized over the last quarter of training
last_quarter = len(steps_h) - 1 - (len(steps_h) - 1) // 4
for name, tag in (("dropout", "drop"), ("nested dropout", "nested")):
    mem_curve = curve(name, "memorized")
    glued[f"mem_rise_{tag}"] = mem_curve[-1] - mem_curve[last_quarter]
glued["quarter_step"] = steps_h[last_quarter]
compared = ["plain", "dropout", "nested dropout", "co-teaching", "nested + co-teaching"]
for protocol in ("early", "end"):
    means = [res(name, protocol)["test"].mean() for name in compared]
    glued[f"spread_{protocol}"] = max(means) - min(means)
for protocol in ("early", "end"):
    glued[f"clean_{protocol}_plain"] = res("plain", protocol, "clean")["test"].mean()
    glued[f"clean_{protocol}_drop"] = res("dropout", protocol, "clean")["test"].mean()
ch.glue(**glued)

# %% [markdown]
# Plain training ends with {glue:text}`mem_end_plain:.2f` of the wrong labels memorized and a
# test accuracy of {glue:text}`test_end_plain:.3f`; stopped early on the validation split (on
# average at step {glue:text}`step_early_plain:.0f`) it reaches {glue:text}`test_early_plain:.3f`.
# At the end, dropout has memorized {glue:text}`mem_end_drop:.2f` and tests at
# {glue:text}`test_end_drop:.3f`; nested dropout, cut to {glue:text}`k_end_nested:.1f` features
# on average, has memorized {glue:text}`mem_end_nested:.2f` and tests at
# {glue:text}`test_end_nested:.3f`. Neither has stopped memorizing: from step
# {glue:text}`quarter_step` to the end, dropout memorized another {glue:text}`mem_rise_drop:.2f`
# of the wrong labels and nested dropout {glue:text}`mem_rise_nested:.2f`. Plain training, at its
# early-stopped checkpoint, had memorized only {glue:text}`mem_early_plain:.2f` of them.
#
# ## End of training or early stop

# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.4, 3.4))
xpos = np.arange(len(NOISY))
for i, name in enumerate(NOISY):
    end, early = res(name, "end"), res(name, "early")
    ax1.bar(i, end["memorized"].mean(), color=colors[name], width=0.7)
    ax1.plot(np.full(S, i), end["memorized"], "o", color="black", ms=3)
    ax2.bar(i - 0.18, end["test"].mean(), color=colors[name], width=0.36,
            label="at the end" if i == 0 else None)
    ax2.bar(i + 0.18, early["test"].mean(), color=colors[name], width=0.36, alpha=0.45,
            hatch="//", label="early-stopped" if i == 0 else None)
    ax2.plot(np.full(S, i - 0.18), end["test"], "o", color="black", ms=2.5)
    ax2.plot(np.full(S, i + 0.18), early["test"], "o", color="black", ms=2.5)
ax2.axhline(res("plain", "early", "clean")["test"].mean(), color="grey", ls="--", lw=1,
            label="plain, clean labels")
for ax, title in ((ax1, "wrong labels memorized, at the end"), (ax2, "test accuracy")):
    ax.set_xticks(xpos, [m.replace(" + ", " +\n") for m in NOISY], fontsize=7.5)
    ax.set(title=title, ylim=(0, 1))
ax2.set_ylim(0, 1.15)
ax2.legend(fontsize=7, loc="upper center", ncol=3)
ch.figure("fig-ch19-bars")

# %% [markdown]
# ```{glue:figure} fig-ch19-bars
# :name: fig-ch19-bars
#
# Per method, noisy labels (bars: mean over the draws, dots: each draw; settings, cuts and
# early-stopped checkpoints chosen on the noisy validation labels). Left: fraction of the wrong
# training labels memorized at the last step. Right: test accuracy at the last step (solid) and
# early-stopped (hatched); the dashed line is plain training on clean labels, early-stopped.
# ```

# %% [markdown]
# Early-stopped, the paper's protocol, the test accuracies of the five methods span
# {glue:text}`spread_early:.3f` (at the end: {glue:text}`spread_end:.3f`): plain
# {glue:text}`test_early_plain:.3f`, dropout {glue:text}`test_early_drop:.3f`, nested dropout
# {glue:text}`test_early_nested:.3f`, co-teaching {glue:text}`test_early_cot:.3f`, nested dropout
# with co-teaching {glue:text}`test_early_nestcot:.3f`.
#
# ## The first features carry the signal
#
# Cutting a network to its first $k$ features shows what nested dropout does to the features.
# The narrow networks, plain networks that only ever had $k$ features, are the bottleneck
# without the ordering.

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(5.6, 3.5))
for name in ("plain", "dropout", "nested dropout"):
    chosen = [columns[(name, "noisy", st, d)][0]
              for d, st in enumerate(res(name, "end")["setting"])]
    ax.plot(ks, H["test"][-1][:, chosen].mean(1), "-o", ms=3.5, color=colors[name],
            label=name)
narrow_acc = [np.mean([H["test"][-1, ks.index(w), columns[("narrow", "noisy", w, d)][0]]
                       for d in range(S)]) for w in cfg.narrow_widths]
ax.plot(cfg.narrow_widths, narrow_acc, "s", ms=6, color=colors["narrow"],
        label="narrow (k features only)")
ax.set(xlabel="features kept, k", ylabel="test accuracy at the end", ylim=(0, 1))
log_ticks(ax, ks)
ax.legend(fontsize=7.5)
ch.figure("fig-ch19-truncation")

# %% [markdown]
# ```{glue:figure} fig-ch19-truncation
# :name: fig-ch19-truncation
#
# Test accuracy at the last step of networks cut to their first $k$ features (mean over the
# draws, setting chosen on validation), and of narrow plain networks that have only $k$ features
# (squares). Cut to {glue:text}`k8` features, nested networks test at
# {glue:text}`nested_at_k8:.3f` and plain ones at {glue:text}`plain_at_k8:.3f`.
# ```

# %% [markdown]
# ## Claim checks
#
# Each quantity is a mean over the {glue:text}`n_draws` draws of a paired difference: two methods
# on the same noisy labels from the same initial weights. Settings, cuts and checkpoints are chosen
# on the noisy validation split.

# %%
def se(d):
    return d.std(ddof=1) / np.sqrt(len(d))


mem_gap_drop = paired("plain", "dropout", "end", "memorized")
right_gap_drop = paired("plain", "dropout", "end", "fits_right")
mem_gap_nested = paired("plain", "nested dropout", "end", "memorized")
right_gap_nested = paired("plain", "nested dropout", "end", "fits_right")
end_gain_drop = paired("dropout", "plain", "end")
end_gain_drop_clean = paired("dropout", "plain", "end", labels="clean")
end_gain_nested = paired("nested dropout", "plain", "end")
end_gain_narrow = paired("narrow", "plain", "end")
# what memorization costs plain training, and the share of it a method wins back unstopped
mem_cost = res("plain", "early")["test"] - res("plain", "end")["test"]
recovered_nested = end_gain_nested.mean() / mem_cost.mean()
recovered_narrow = end_gain_narrow.mean() / mem_cost.mean()
early_gain_drop = paired("dropout", "plain", "early")
early_gain_drop_clean = paired("dropout", "plain", "early", labels="clean")
early_gain_nested = paired("nested dropout", "plain", "early")
early_gain_narrow = paired("narrow", "plain", "early")
early_gain_nestcot = paired("nested + co-teaching", "co-teaching", "early")
cot_members = [columns[("co-teaching", "noisy", None, d)] for d in range(S)]
cot_early = res("co-teaching", "early")
cot_t = [list(steps_h).index(s) for s in cot_early["step"]]
cot_member_gap = np.array([H["test"][t, -1, b] - H["test"][t, -1, a]
                           for t, (a, b) in zip(cot_t, cot_members, strict=True)])
i8 = ks.index(min(8, cfg.width))
at_k8 = {name: np.mean([H["test"][-1, i8, columns[(name, "noisy", st, d)]].mean()
                        for d, st in enumerate(res(name, "end")["setting"])])
         for name in ("plain", "nested dropout")}
ch.glue(k8=ks[i8], nested_at_k8=at_k8["nested dropout"], plain_at_k8=at_k8["plain"])
ch.glue(
    mem_gap_drop=mem_gap_drop.mean(), right_gap_drop=right_gap_drop.mean(),
    mem_gap_nested=mem_gap_nested.mean(), right_gap_nested=right_gap_nested.mean(),
    end_gain_drop=end_gain_drop.mean(), end_gain_drop_clean=end_gain_drop_clean.mean(),
    end_gain_nested=end_gain_nested.mean(), end_gain_narrow=end_gain_narrow.mean(),
    mem_cost=mem_cost.mean(), recovered_nested_pct=100 * recovered_nested,
    recovered_narrow_pct=100 * recovered_narrow,
    early_gain_drop=early_gain_drop.mean(), early_gain_drop_se=se(early_gain_drop),
    early_gain_drop_clean=early_gain_drop_clean.mean(),
    early_gain_nested=early_gain_nested.mean(),
    early_gain_nested_se=se(early_gain_nested),
    early_gain_narrow=early_gain_narrow.mean(),
    early_gain_nestcot=early_gain_nestcot.mean(),
    early_gain_nestcot_se=se(early_gain_nestcot),
    cot_member_gap=cot_member_gap.mean(),
)

# %% [markdown]
# The first four claims are about the end of training; the last three test the paper's
# headline under its own protocol, early stopping on validation data.

# %%
# The smoke preset (300 examples, 32 features, 300 steps) is too small and short for
# plain training to memorize most of the noise: the comparisons count as not reproduced.
smoke_miss = ("too small and short at smoke scale: plain training memorizes only part of "
              "the noise" if ch.scale == "smoke" else None)
ch.check(
    "plain_fits_the_wrong_labels",
    "plain training ends having memorized over 90 % of the wrong training labels",
    res("plain", "end")["memorized"].mean(),
    ">", {"smoke": 0.5, "book": 0.9, "paper": 0.9},
    kind="setup",
)
ch.check(
    "memorization_costs_accuracy",
    "plain training's final test accuracy is over 0.15 below its early-stopped one",
    mem_cost.mean(), ">", {"smoke": 0.05, "book": 0.15, "paper": 0.15},
    kind="setup",
)
ch.check(
    "nested_dropout_orders_the_features",
    f"cut to its first {ks[i8]} features, a nested-dropout network tests over 0.3 "
    "above a plain network cut the same way",
    at_k8["nested dropout"] - at_k8["plain"],
    ">", {"smoke": 0.2, "book": 0.3, "paper": 0.3}, kind="setup",
)
ch.check(
    "dropout_memorizes_fewer_wrong_labels",
    "at the last step, dropout has memorized at least 0.15 fewer of the wrong training "
    "labels than plain training",
    mem_gap_drop.mean(), ">", 0.15,
    control=right_gap_drop.mean(),
    control_is="the same gap on the correctly labelled training examples "
    "(a loss of fit that is not selective)",
    known_miss=smoke_miss,
)
ch.check(
    "nested_dropout_memorizes_fewer_wrong_labels",
    "at the last step, nested dropout (cut at its chosen k) has memorized at least 0.15 "
    "fewer of the wrong training labels than plain training",
    mem_gap_nested.mean(), ">", 0.15,
    control=right_gap_nested.mean(),
    control_is="the same gap on the correctly labelled training examples",
    known_miss=smoke_miss,
)
ch.check(
    "dropout_raises_final_accuracy_under_noise",
    "at the last step, dropout tests at least 0.05 above plain training",
    end_gain_drop.mean(), ">", 0.05,
    control=end_gain_drop_clean.mean(),
    control_is="clean labels (nothing wrong to memorize)",
    known_miss=smoke_miss,
)
ch.check(
    "nested_dropout_beats_a_narrow_network",
    "unstopped, nested dropout (cut at its chosen k) wins back over 45 % of the test "
    "accuracy that memorization costs plain training (last step against early stop)",
    recovered_nested, ">", 0.45,
    control=recovered_narrow,
    control_is="a narrow plain network with only k features (the bottleneck without the "
    "ordering)",
    known_miss=smoke_miss,
)
early_miss = ("with early stopping on the noisy validation split, plain training "
              "(nearly) catches up at this scale: compression delays memorization more "
              "than it prevents it, and the gain left is below the paper's on most seeds")
ch.check(
    "dropout_beats_early_stopped_plain",
    "early-stopped (the paper's protocol), dropout tests at least 0.02 above plain "
    "training (the paper's smallest gain over plain training: 81.3 vs 79.4, "
    "ANIMAL-10N)",
    early_gain_drop.mean(), ">", 0.02,
    control=early_gain_drop_clean.mean(),
    control_is="clean labels",
    known_miss=early_miss,
)
ch.check(
    "nested_dropout_beats_early_stopped_plain",
    "early-stopped, nested dropout (checkpoint and k chosen on validation) tests at "
    "least 0.02 above plain training",
    early_gain_nested.mean(), ">", 0.02,
    control=early_gain_narrow.mean(),
    control_is="a narrow plain network with only k features",
    known_miss=early_miss,
)
ch.check(
    "nested_coteaching_beats_coteaching",
    "early-stopped, nested dropout with co-teaching tests at least 0.02 above "
    "co-teaching alone",
    early_gain_nestcot.mean(), ">", 0.02,
    control=cot_member_gap.mean(),
    control_is="the gap between the two networks of a co-teaching pair (no nested "
    "dropout in either)",
    known_miss=early_miss,
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here (early-stopped / at the end) |
# |---|---|---|
# | setting | ResNets on CIFAR-10/100 with synthetic noise, Clothing1M, ANIMAL-10N (real noise) | MLP on {glue:text}`n_fit` digits, {glue:text}`noise_pct` % symmetric noise |
# | plain training | ANIMAL-10N 79.4, Clothing1M 67.2 | {glue:text}`test_early_plain:.3f` / {glue:text}`test_end_plain:.3f` (memorized {glue:text}`mem_end_plain:.2f` at the end) |
# | dropout | 81.3, 72.8 | {glue:text}`test_early_drop:.3f` / {glue:text}`test_end_drop:.3f` (memorized {glue:text}`mem_end_drop:.2f`) |
# | nested dropout | 81.3, 73.1 | {glue:text}`test_early_nested:.3f` / {glue:text}`test_end_nested:.3f` (memorized {glue:text}`mem_end_nested:.2f`) |
# | narrow network (control) | not in the paper | {glue:text}`test_early_narrow:.3f` / {glue:text}`test_end_narrow:.3f` |
# | co-teaching alone | a baseline | {glue:text}`test_early_cot:.3f` / {glue:text}`test_end_cot:.3f` |
# | nested + co-teaching | 84.1, 74.9 | {glue:text}`test_early_nestcot:.3f` / {glue:text}`test_end_nestcot:.3f` |
#
# The paper's numbers are those listed in the README of the authors' released code (mean of three
# runs, checkpoints chosen on clean validation data); we could not read its CIFAR tables.
#
# **What reproduces.** Compression does what the paper says to the memorization: by the last step
# dropout has memorized {glue:text}`mem_gap_drop:.2f` fewer of the wrong labels than plain
# training, while its fit of the right ones differs by only {glue:text}`right_gap_drop:.3f`;
# nested dropout {glue:text}`mem_gap_nested:.2f` fewer (right ones:
# {glue:text}`right_gap_nested:.3f`). Unstopped, both test above plain training, by
# {glue:text}`end_gain_drop:.3f` and {glue:text}`end_gain_nested:.3f`. The controls tie these gains
# to the mechanisms: on clean labels dropout's gain is {glue:text}`end_gain_drop_clean:.3f`, and
# of the {glue:text}`mem_cost:.3f` of test accuracy that memorization costs plain training, nested
# dropout wins back {glue:text}`recovered_nested_pct:.0f` % but a narrow network with only $k$
# features {glue:text}`recovered_narrow_pct:.0f` %: the ordering does more than the bottleneck.
#
# **What does not.** The paper's own protocol stops every method at its best validation
# checkpoint, and so do we, plain training included (the review of this chapter asked for it).
# Early-stopped, dropout's gain over plain training is {glue:text}`early_gain_drop:.3f`
# (standard error {glue:text}`early_gain_drop_se:.3f` over the draws; on clean labels
# {glue:text}`early_gain_drop_clean:.3f`), nested dropout's {glue:text}`early_gain_nested:.3f`
# (± {glue:text}`early_gain_nested_se:.3f`; the narrow network's
# {glue:text}`early_gain_narrow:.3f`), and nested dropout adds
# {glue:text}`early_gain_nestcot:.3f` (± {glue:text}`early_gain_nestcot_se:.3f`) to co-teaching,
# against the paper's smallest gain of 0.02. These three checks are declared **not reproduced**
# (a seed on which one passes shows as fragile on the Claims page). Plain training's
# early-stopped checkpoint comes at step {glue:text}`step_early_plain:.0f` on average, when it has
# memorized {glue:text}`mem_early_plain:.2f` of the wrong labels, and the noisy validation labels
# find it; the compressed networks are still memorizing at the last step (see above), so at this
# scale what compression buys is time, which only a network that is not stopped can use. The
# paper trains ResNets for hundreds of epochs with a decaying learning rate on harder data; this
# run does not test whether that is why its gains survive early stopping. Our co-teaching pairs
# with nested dropout are trained with it from the start, not in the paper's two stages, which may
# matter for the gap to co-teaching alone.
#
# **Other differences.** The paper combines the two ideas in two stages (train a nested-dropout
# network, then fine-tune two of them with co-teaching); we train the pairs with nested dropout
# from the start, and co-teaching forgets the true noise rate (as in Han et al.; an oracle
# setting). Its nested dropout draws one cut per batch from a discretised half-Gaussian with
# $\sigma = 10$ for 512 features on CIFAR-10 (read in the authors' released code); with our
# {glue:text}`width` features we let the validation split choose $\sigma$ among
# {glue:text}`sigmas` and the dropout rate among {glue:text}`drop_ps`. We select on noisy, not
# clean, validation labels. We did not test the paper's bias-variance and information-bottleneck
# analysis. The `paper` preset keeps 256 features, not the paper's 512: with 512 its run did not
# finish in 30 minutes on one CPU core (its record is on the {doc}`/book/paper_scale` page). In
# that run, three times longer than the book's, the dropout and nested-dropout networks came to
# fit the wrong labels nearly as well as the plain one: the three checks on memorization and
# accuracy at the end of training fail there, and so does nested dropout against a narrow
# network, while dropout and nested co-teaching beat their early-stopped comparisons. What these methods buy here depends on
# the training budget, which the book scale does not show.
#
# ## Try it
#
# - Set `noise=0.6` in the `book` preset. Do you expect early stopping to keep up with
#   compression when most labels are wrong?
# - Set `eval_every=400`: a coarser grid of checkpoints for the early stop. Which method do you
#   expect to lose most?
# - Set `scale = "paper"`: twice the features, three times the training, more settings to
#   choose from and five draws. Which gap do you expect to grow?
#
# **Related chapters.**
# - {doc}`17_coherent_gradients`: gradient coherence and robust averaging against noisy labels.
# - {doc}`16_memorization_long_tail`: when memorizing is necessary instead of harmful.
# - {doc}`18_data_diet`: scores that find the flipped labels early in training.
