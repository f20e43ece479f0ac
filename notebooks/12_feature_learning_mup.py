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
# # Feature learning at infinite width: μP
#
# **Paper.** {cite:t}`yang2021feature`.
#
# **Claim.** How a network's initialisation and learning rate scale with its width decides what
# happens as the width grows. In the NTK parametrization the hidden features move less and less,
# by an amount that shrinks like $\text{width}^{-1/2}$: the infinite-width limit is a fixed kernel
# and learns no features. In the standard parametrization (SP) with a learning rate that does not
# change with width, the output's update grows with width and training blows up. The paper's
# *maximal update parametrization* (μP) is the scaling in which every layer's features move by an
# amount that does not depend on the width. A practical consequence, shown in the follow-up paper
# (Tensor Programs V, {cite:p}`yang2022tensor`): in μP the best learning rate found on a narrow network is
# also the best one on a wide network, while in SP it drifts.
#
# **What we redraw.** The "coordinate check" (how much each layer's pre-activations move in a few
# steps of training, against width) for SP, NTK and μP, first as a table and then as the familiar
# log-log figure, with its slopes as the claim checks; then the learning-rate sweep over widths of
# Tensor Programs V, at CPU scale.

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

# %% tags=["hide-cell"]
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from matplotlib.lines import Line2D

from overparam_utils import chapter
from overparam_utils.data import digits_split, mnist1d_split
from overparam_utils.fits import loglog_slope
from overparam_utils.parametrization import (
    PARAMETRIZATIONS,
    best_log2_lr,
    coordinate_check,
    largest_stable_log2_lr,
    lr_sweep,
)
from overparam_utils.plotting import OKABE_ITO, log_ticks, sweep_colors

# Coordinate check: MLPs of `depth` hidden layers at `widths` (the first: base width),
# n_draws draws, `steps` SGD steps of rate `lr` on one fixed batch of `batch` digits.
# Learning-rate sweep: MLPs of `sweep_depth` hidden layers at `sweep_widths` on n_train
# MNIST-1D examples, SGD rates 2**k for k in `log2_lrs`, `sweep_steps` mini-batch steps,
# sweep_draws draws. The paper preset follows the mup package's MLP check (widths up to
# 2**12, two hidden layers in both experiments, more draws).
PRESETS = {
    "smoke": dict(
        widths=[64, 256, 1024], depth=2, n_draws=2, steps=2, batch=128, lr=0.1,
        sweep_widths=[64, 256, 1024], sweep_depth=1, log2_lrs=[-4, 3],
        sweep_draws=1, sweep_steps=50, n_train=1000,
    ),
    "book": dict(
        widths=[64, 128, 256, 512, 1024], depth=2, n_draws=6, steps=5, batch=128, lr=0.1,
        sweep_widths=[64, 128, 256, 512, 1024], sweep_depth=1, log2_lrs=[-5, 4],
        sweep_draws=2, sweep_steps=100, n_train=2000,
    ),
    "paper": dict(
        widths=[64, 128, 256, 512, 1024, 2048, 4096], depth=2, n_draws=8, steps=5,
        batch=128, lr=0.1, sweep_widths=[64, 128, 256, 512, 1024, 2048, 4096],
        sweep_depth=2, log2_lrs=[-8, 4], sweep_draws=5, sweep_steps=300, n_train=4000,
    ),
}
ch = chapter.setup("12_feature_learning_mup", scale=scale, seed=seed, presets=PRESETS)
cfg = ch.cfg
coord_seed, sweep_seed = ch.seeds(2)
widths = cfg.widths
names = list(PARAMETRIZATIONS)  # "SP", "NTK", "muP"
label = {"SP": "SP", "NTK": "NTK", "muP": "μP"}

# %% [markdown]
# ## Setup
#
# The networks are bias-free MLPs $x \mapsto h_1 = x W_1$, $h_{l+1} = \tanh(h_l) W_{l+1}$, with
# {glue:text}`depth` hidden layers of width $n$ and logits $f = \tanh(h_{L}) W_{L+1}$. Every
# parametrization is written in the same "SP form": a weight matrix is stored as it acts, drawn
# with variance $\sigma^2/\text{fan-in}$ and trained by plain SGD with its own learning rate. With
# $r = n / n_0$ the width relative to a base width $n_0$ = {glue:text}`base_width`, the three
# parametrizations differ only in two exponents per layer:
#
# | | init variance $\times$ fan-in (input, hidden, read-out) | SGD learning rate $\div\,\eta$ (input, hidden, read-out) |
# |---|---|---|
# | SP | $1,\ 1,\ 1$ | $1,\ 1,\ 1$ |
# | NTK | $1,\ 1,\ 1$ | $1,\ 1/r,\ 1/r$ |
# | μP | $1,\ 1,\ 1/r$ | $r,\ 1,\ 1/r$ |
#
# At the base width the three are the same network with the same learning rate $\eta$. The NTK
# row is the NTK parametrization (weights $w/\sqrt{\text{fan-in}}$ with $w \sim \mathcal N(0,1)$,
# learning rate $\eta$ on $w$) rewritten in SP form. The μP row is the SGD recipe of Tensor
# Programs V (its Table 3): the read-out starts smaller ($1/\text{fan-in}^2$ variance) and learns
# more slowly, the input layer learns faster.
#
# Why these exponents: after one SGD step a layer's pre-activations change by the update of its
# weights, $x\,\Delta W$, plus the change of its input. With $n$ coordinates of size $O(1)$ in $x$
# and an update $\Delta W = -\eta\,x^\top \delta$ aligned with $x$, the first term is
# $\eta\,\lVert x\rVert^2\,\delta \approx \eta\, n\, \delta$: width multiplies an update by $n$. In
# SP the read-out gets $\delta = O(1)$, so $\Delta f \propto n$. In NTK the $1/r$ learning rate
# cancels that $n$ for the read-out ($\Delta f = O(1)$), but the backward signal into the hidden
# layers is only $O(n^{-1/2})$, so their features move by $O(n^{-1/2})$. μP chooses the exponents so
# that every layer's $\Delta h$ is $O(1)$.
#
# The **coordinate check** trains {glue:text}`n_draws` independent networks per width for
# {glue:text}`steps` SGD steps (rate $\eta$ = {glue:text}`lr`) on one fixed batch of
# {glue:text}`batch` standardised digits (scikit-learn's 8x8 images, 64 inputs) and records, for
# every layer and step $t$, the average size of a coordinate of the change,
# $\overline{|h_t - h_0|}$ (the mean over the batch, the units and the draws). The `mup` package's
# check plots the size $\overline{|h_t|}$ instead; for hidden layers that is dominated by the
# initial value and hides the change, so we record both and test the change.

# %%
X_all, y_all, _, _ = digits_split(seed=coord_seed % 2**32)
batch_idx = np.random.default_rng(coord_seed).choice(len(y_all), cfg.batch, replace=False)
X_batch, y_batch = X_all[batch_idx], y_all[batch_idx]

coord = {
    name: coordinate_check(
        param, widths, X_batch, y_batch, steps=cfg.steps, lr=cfg.lr,
        n_draws=cfg.n_draws, seed=coord_seed, depth=cfg.depth, base_width=widths[0],
    )
    for name, param in PARAMETRIZATIONS.items()
}
layers = [f"h_{k + 1}" for k in range(cfg.depth)] + ["f"]
T = cfg.steps
# slopes[name][t]: the fitted exponent of mean |h_t - h_0| in width, one per layer
slopes = {
    name: {t: loglog_slope(widths, coord[name]["change"][:, :, t]) for t in (1, T)}
    for name in names
}
size_slopes = {name: loglog_slope(widths, coord[name]["size"][:, :, 0]) for name in names}
ch.glue("depth", cfg.depth)
ch.glue("base_width", widths[0])
ch.glue("n_draws", cfg.n_draws)
ch.glue("steps", T)
ch.glue("lr", cfg.lr)
ch.glue("batch", cfg.batch)
ch.glue("width_max", widths[-1])

# %% [markdown]
# ## The coordinate check, as a table
#
# Each row is one layer in one parametrization: the average change of a coordinate after
# {glue:text}`steps` steps at the smallest and the largest width, and the exponent $a$ of the
# power law $\overline{|\Delta h|} \propto n^{a}$ fitted over all widths, after one step and after
# {glue:text}`steps`. The last column is the infinite-width exponent the argument above predicts
# for the first step.

# %%
theory = {"SP": ["-1/2"] + ["+1/2"] * (cfg.depth - 1) + ["+1"],
          "NTK": ["-1/2"] * cfg.depth + ["0"],
          "muP": ["0"] * (cfg.depth + 1)}
rows = [
    f"| parametrization | layer | change at n = {widths[0]} | change at n = {widths[-1]} "
    f"| slope, step 1 | slope, step {T} | predicted (step 1) |",
    "|---|---|---|---|---|---|---|",
]
for name in names:
    change = coord[name]["change"][:, :, T]
    for k, layer in enumerate(layers):
        rows.append(
            f"| {label[name]} | ${layer}$ | {change[k, 0]:.3g} | {change[k, -1]:.3g} "
            f"| {slopes[name][1][k]:+.2f} | {slopes[name][T][k]:+.2f} "
            f"| {theory[name][k]} |"
        )
display(Markdown("\n".join(rows)))

# %% [markdown]
# Read the slopes column by column. μP's are all close to 0: each layer moves by the same amount
# at every width. NTK's hidden layers have slopes close to $-1/2$ and its logits close to 0: the
# output still learns, through features that are frozen in the limit. In SP the logits' change
# grows almost in proportion to the width after one step (slope {glue:text}`sp_f_slope:.2f`), while
# the first layer's features shrink like NTK's. SP's middle layer approaches its predicted $+1/2$
# only slowly (a width-independent term competes with the growing one at these widths), and after
# several steps SP's slopes bend because the growing logits saturate the softmax.
#
# As a premise, all three are stable at initialisation: the size of the hidden pre-activations at
# $t = 0$ does not depend on the width (largest fitted slope in magnitude:
# {glue:text}`init_slope_max:.3f`; μP's initial logits shrink like $n^{-1/2}$ by design).

# %%
init_hidden = np.array([size_slopes[name][: cfg.depth] for name in names])
init_slope_max = float(np.abs(init_hidden).max())
assert init_slope_max < 0.05, f"hidden layers at init scale with width: {init_hidden}"
ch.glue("init_slope_max", init_slope_max)
ch.glue("sp_f_slope", slopes["SP"][1][-1])

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch12-coord-check", "caption": "Coordinate check: the average change of a pre-activation coordinate against width (log-log; solid after the last step, dashed after one step, mean over draws; $h_1, h_2$ hidden layers, $f$ logits). SP's logits grow with width, close to the slope $+1$ after one step; NTK's hidden layers shrink along the slope $-1/2$; μP's lines are flat. Grey dotted lines: reference slopes."}}
layer_colors = [OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"],
                OKABE_ITO["purple"]][: cfg.depth] + [OKABE_ITO["vermillion"]]
# reference power law per panel: (layer, step, exponent, vertical offset)
reference = {"SP": (cfg.depth, 1, 1.0, 0.4, "+1"),
             "NTK": (cfg.depth - 1, T, -0.5, 1.8, "-1/2"),
             "muP": (cfg.depth - 1, T, 0.0, 1.8, "0")}
w = np.array(widths, dtype=float)
fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.7), sharey=True)
for ax, name in zip(axes, names, strict=True):
    change = coord[name]["change"]
    for k, color in enumerate(layer_colors):
        ax.plot(widths, change[k, :, T], "-o", ms=3.5, color=color)
        ax.plot(widths, change[k, :, 1], "--", color=color, lw=1.2)
    k_ref, t_ref, a_ref, offset, text = reference[name]
    ref = change[k_ref, 0, t_ref] * offset * (w / w[0]) ** a_ref
    ax.plot(w, ref, color="grey", lw=1, ls=":")
    ax.annotate(f"slope {text}", (w[-1], ref[-1] * 1.15), ha="right", va="bottom",
                fontsize=8, color="dimgrey")
    ax.set(xscale="log", yscale="log", xlabel="width n", title=label[name])
    log_ticks(ax, widths)
axes[0].set_ylabel(r"mean $|h_t - h_0|$")
handles = [Line2D([], [], color=c, marker="o", ms=3.5, label=f"${layer}$")
           for layer, c in zip(layers, layer_colors, strict=True)]
handles += [Line2D([], [], color="black", label=f"after {T} steps"),
            Line2D([], [], color="black", ls="--", lw=1.2, label="after 1 step")]
fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
plt.show()

# %% [markdown]
# ## Learning rates that transfer across widths
#
# The practical point of Tensor Programs V {cite:p}`yang2022tensor`: if a parametrization has a well-defined limit, the
# best hyperparameters should have a limit too, so one can tune a narrow network and reuse its
# learning rate on a wide one. We train on MNIST-1D {cite:p}`greydanus2024scaling` (a procedurally generated 1-D digit task;
# {glue:text}`n_train` examples, 40 inputs, standardised), harder than the digits, so that the
# training loss after {glue:text}`sweep_steps` SGD steps (mini-batches of 128) still depends on the
# learning rate. For every width from {glue:text}`sweep_base` to {glue:text}`sweep_max` and every
# learning rate $2^k$ on a grid we record the final training loss, in SP and in μP, with base
# width {glue:text}`sweep_base`; for each draw, all learning rates start from the same weights.
# All learning rates of one width train as one batched tensor. At book scale the networks have
# {glue:text}`sweep_depth` hidden layer, which keeps the widest ones cheap on a CPU; the `paper`
# preset uses two.

# %%
X_tr, y_tr, _, _ = mnist1d_split(
    n_train=cfg.n_train, n_test=100, seed=sweep_seed % 2**32
)
X_tr = (X_tr - X_tr.mean(axis=0)) / X_tr.std(axis=0)
lrs = 2.0 ** np.arange(cfg.log2_lrs[0], cfg.log2_lrs[1] + 1)
sweep = {
    name: lr_sweep(
        PARAMETRIZATIONS[name], cfg.sweep_widths, lrs, X_tr, y_tr, steps=cfg.sweep_steps,
        n_draws=cfg.sweep_draws, seed=sweep_seed, depth=cfg.sweep_depth,
        base_width=cfg.sweep_widths[0], batch_size=128,
    )
    for name in ("SP", "muP")
}
# geometric mean over draws (a diverged draw makes the mean infinite)
loss = {name: np.exp(np.log(s).mean(axis=-1)) for name, s in sweep.items()}
best = {name: best_log2_lr(lrs, loss[name]) for name in loss}
# the largest rate at which training still ends better than a uniform guess (loss log 10)
edge = {name: largest_stable_log2_lr(lrs, loss[name], np.log(10)) for name in loss}
log2_widths = np.log2(cfg.sweep_widths)


def drift_of(values):
    """Fitted change of a log2 learning rate per doubling of the width."""
    return float(np.polyfit(log2_widths, values, 1)[0])


drift = {name: drift_of(best[name]) for name in best}
edge_drift = {name: drift_of(edge[name]) for name in edge}
k_base = {name: int(np.argmin(loss[name][0])) for name in loss}
# cost of reusing the base width's best learning rate at the widest width (nats)
regret = {name: float(loss[name][-1, k_base[name]] - loss[name][-1].min())
          for name in loss}
ch.glue("n_train", cfg.n_train)
ch.glue("sweep_steps", cfg.sweep_steps)
ch.glue("sweep_base", cfg.sweep_widths[0])
ch.glue("sweep_max", cfg.sweep_widths[-1])
ch.glue("sweep_depth", cfg.sweep_depth)
for name in loss:
    ch.glue(f"drift_{name}", drift[name])
    ch.glue(f"edge_drift_{name}", edge_drift[name])
    ch.glue(f"regret_{name}", regret[name])
    ch.glue(f"shift_{name}", best[name][-1] - best[name][0])

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch12-lr-transfer", "caption": "Training loss after a fixed number of SGD steps against the learning rate, one line per width (geometric mean over draws; circles: each width's best rate; dotted: the loss of a uniform guess). Left: in SP the best rate moves to smaller values as the width grows, and wide networks blow up at rates that suit narrow ones. Middle: in μP the curves keep their shape and wider is better. Right: the best rate (solid) and the largest rate that still beats a uniform guess (dashed) against width."}}
colors = sweep_colors(len(cfg.sweep_widths))
fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.4), width_ratios=[1, 1, 0.9])
for ax, name in zip(axes[:2], ("SP", "muP"), strict=True):
    for j, (width, color) in enumerate(zip(cfg.sweep_widths, colors, strict=True)):
        curve = np.where(np.isfinite(loss[name][j]), loss[name][j], np.nan)
        ax.plot(np.log2(lrs), curve, "-", color=color, label=f"n = {width}")
        k = int(np.nanargmin(curve))
        ax.plot(np.log2(lrs[k]), curve[k], "o", color=color, ms=5)
    ax.axhline(np.log(10), color="grey", lw=0.8, ls=":")
    y_lim = (0.8 * np.nanmin(loss[name]), 8.0)
    ax.set(xlabel=r"$\log_2$ learning rate", title=label[name], ylim=y_lim)
    y_ticks = [t for t in (1, 1.5, 2, 3, 5, 8) if y_lim[0] <= t <= y_lim[1]]
    log_ticks(ax, y_ticks, axis="y")
axes[0].set_ylabel("training loss")
axes[1].legend(fontsize=7.5)
for name, color in (("SP", OKABE_ITO["vermillion"]), ("muP", OKABE_ITO["blue"])):
    axes[2].plot(cfg.sweep_widths, best[name], "-o", color=color, ms=4,
                 label=f"{label[name]}, best (slope {drift[name]:+.2f})")
    axes[2].plot(cfg.sweep_widths, edge[name], "--", color=color,
                 label=f"{label[name]}, largest usable ({edge_drift[name]:+.2f})")
axes[2].set(xlabel="width n", ylabel=r"$\log_2$ learning rate",
            title="Best and largest rate")
log_ticks(axes[2], cfg.sweep_widths)
axes[2].legend(fontsize=7)
plt.show()

# %% [markdown]
# We locate each width's best learning rate between grid points (a parabola through the three
# lowest points) and fit its change per doubling of the width. In SP it moves by
# {glue:text}`drift_SP:.2f` $\log_2$ units per doubling, {glue:text}`shift_SP:.1f` units over the
# whole sweep; in μP by {glue:text}`drift_muP:.2f` per doubling ({glue:text}`shift_muP:.1f` units).
# So μP's best rate does not fall as the network widens, but at these widths it does not stand
# perfectly still either: it creeps upward, mostly between the narrowest widths, where the finite
# width still matters. The sharper signature is the largest rate at which training still beats a
# uniform guess (loss below $\log 10$): in SP it falls by {glue:text}`edge_drift_SP:.2f` per
# doubling, because the read-out's update grows with width, while in μP it moves by
# {glue:text}`edge_drift_muP:.2f`. Reusing the base width's best rate at width
# {glue:text}`sweep_max` costs {glue:text}`regret_SP:.2f` nats of training loss in SP and
# {glue:text}`regret_muP:.2f` in μP.
#
# ## Claim checks
#
# The coordinate-check slopes are least-squares fits of $\log \overline{|\Delta h|}$ against
# $\log n$ over all widths, on averages over the draws; the infinite-width exponents are $-1/2$,
# $0$ and $+1$, and the tolerances allow for finite width (at most {glue:text}`width_max`) and the
# few draws. The learning-rate drifts are fitted over {glue:text}`sweep_base` to
# {glue:text}`sweep_max` on geometric means over {glue:text}`sweep_draws` draws; their thresholds
# come from the spread over seeds 0 to 4 and were confirmed on seeds 5 to 7.

# %%
ch.glue("ntk_h_slope", slopes["NTK"][T][cfg.depth - 1])
ch.glue("ntk_f_slope", slopes["NTK"][T][-1])
ch.glue("mup_max_slope", float(np.abs(slopes["muP"][T]).max()))
ch.glue("sweep_draws", cfg.sweep_draws)
ch.check(
    "ntk_hidden_features_freeze",
    f"NTK: the last hidden layer's change after {T} steps shrinks like width^-1/2 "
    "(fitted exponent within 0.15 of -1/2)",
    slopes["NTK"][T][cfg.depth - 1], "between", (-0.65, -0.35),
)
ch.check(
    "ntk_first_layer_freezes",
    f"NTK: the first hidden layer's change after {T} steps shrinks like width^-1/2 "
    "(fitted exponent within 0.15 of -1/2)",
    slopes["NTK"][T][0], "between", (-0.65, -0.35),
)
ch.check(
    "ntk_output_still_learns",
    f"NTK: the logits' change after {T} steps does not depend on width "
    "(|fitted exponent| < 0.1): a kernel regime",
    abs(slopes["NTK"][T][-1]), "<", 0.1,
)
ch.check(
    "sp_output_blows_up",
    "SP with a fixed learning rate: the logits' change after one step grows with width "
    "(fitted exponent > 0.6; infinite-width value +1)",
    slopes["SP"][1][-1], ">", 0.6,
)
ch.check(
    "mup_every_layer_moves",
    f"muP: every layer's change after {T} steps is independent of width "
    "(largest |fitted exponent| over layers < 0.1)",
    float(np.abs(slopes["muP"][T]).max()), "<", 0.1,
)
ch.check(
    "sp_best_lr_drifts",
    "SP: the best learning rate falls as the width grows (fitted change of log2 lr "
    "per doubling < -0.35)",
    drift["SP"], "<", -0.35,
)
ch.check(
    "mup_drifts_less_than_sp",
    "the best learning rate drifts by at least 0.5 log2 units per doubling less in muP "
    "than in SP (drift SP - drift muP < -0.5)",
    drift["SP"] - drift["muP"], "<", -0.5,
)
ch.check(
    "mup_best_lr_stays",
    "muP: the best learning rate stays within a factor 2 over a 16-fold width range "
    "(|fitted change of log2 lr per doubling| < 0.25)",
    abs(drift["muP"]), "<", 0.25,
    known_miss="at widths 64 to 1024 and 100 SGD steps, muP's best rate still creeps "
    "up by about 0.2 log2 units per doubling, mostly between the narrowest widths",
)
ch.check(
    "sp_largest_rate_falls",
    "SP: the largest learning rate that still beats a uniform guess falls with width "
    "(fitted change of log2 lr per doubling < -0.35)",
    edge_drift["SP"], "<", -0.35,
)
ch.check(
    "mup_largest_rate_holds",
    "muP: the largest learning rate that still beats a uniform guess does not fall with "
    "width (fitted change of log2 lr per doubling > -0.1)",
    edge_drift["muP"], ">", -0.1,
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | parametrizations | abc-parametrizations; SP and NTK have no feature-learning limit, μP does (the dichotomy theorem) | SP, NTK and μP in SP form, per-layer init and SGD learning-rate exponents |
# | NTK features | frozen at infinite width | change shrinks with exponent {glue:text}`ntk_h_slope:.2f` (last hidden layer), logits' exponent {glue:text}`ntk_f_slope:.2f` |
# | SP, fixed learning rate | logits' update grows like width: unstable | logits' change exponent {glue:text}`sp_f_slope:.2f` after one step |
# | μP | every layer moves by $\Theta(1)$ | largest exponent in magnitude {glue:text}`mup_max_slope:.2f` |
# | coordinate check (`mup` package) | size $\overline{\lvert h_t\rvert}$ of every layer, widths $2^7$–$2^{13}$, 5 seeds, CIFAR-10 | change $\overline{\lvert h_t - h_0\rvert}$, widths {glue:text}`base_width`–{glue:text}`width_max`, {glue:text}`n_draws` draws, digits |
# | learning-rate transfer (Tensor Programs V) | best rate stable in μP, drifting in SP (MLPs on CIFAR-10, Transformers) | best-rate drift {glue:text}`drift_muP:.2f` (μP) vs {glue:text}`drift_SP:.2f` (SP) in $\log_2$ per doubling; largest usable rate {glue:text}`edge_drift_muP:.2f` vs {glue:text}`edge_drift_SP:.2f`; MNIST-1D, {glue:text}`sweep_depth` hidden layer(s) |
#
# What differs: the paper's experiments (Word2Vec and few-shot learning with MAML, where the μP
# limit beats the NTK and NNGP baselines) compute the infinite-width limit itself; we only measure
# finite networks, which is what the `mup` package's coordinate check does. We read the paper's
# abstract, its Figure 1 caption and the start of its introduction, plus the `mup` package's
# coordinate-check code and MLP example; the SGD recipe for μP (its Table 3) is from Tensor
# Programs V as the package implements it, with the read-out drawn at variance $1/\text{fan-in}^2$
# instead of the package's zero initialisation. Our coordinate check records the change of the
# pre-activations rather than their size, and turns the picture into fitted exponents with
# tolerances. The learning-rate sweep is ours: MNIST-1D instead of CIFAR-10, plain SGD without
# momentum, 100 steps, and at book scale one hidden layer so that the widest network costs little
# (the `paper` preset uses two). Every coordinate-check claim reproduces. Of the learning-rate
# claims, SP's drift and the contrast between SP and μP reproduce, and so does the mechanism (the
# largest usable rate falls with width in SP only); the strong form, μP's best rate staying within a
# factor 2 over a 16-fold width range, is **not reproduced** at this scale: μP's best rate creeps
# upward by about a fifth of a $\log_2$ unit per doubling here (a zero-initialised read-out, as in the
# `mup` package, did not change that in our trials). Whether it settles at larger widths and longer
# training, as Tensor Programs V reports, is what the `paper` preset is for.
#
# ## Try it
#
# - Set `steps=20` in the `book` preset: expect μP's slopes to stay near 0 and NTK's near $-1/2$,
#   while SP's logits saturate the softmax and bend its curves (the reason the SP check uses the
#   first step).
# - Set `sweep_depth=2` in the `book` preset (several times slower): the hidden-to-hidden layer
#   then also learns, which is where μP and SP differ most in a deep network.
#
# **Related chapters.**
# - {doc}`13_grokking_feature_emergence`: feature learning in action: Fourier features emerging during grokking.
# - {doc}`15_scaling_era_conventional_wisdom`: settings tuned at small scale that stop being right at large scale.
# - {doc}`09_hessian_bulk_and_outliers`: the curvature of a trained network: a few outliers above a flat bulk.
