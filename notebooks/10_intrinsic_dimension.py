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
# # The intrinsic dimension of objective landscapes
#
# **Paper.** {cite:t}`li2018measuring`.
#
# **Claim.** Freeze a network at its random initialisation and let training move it only inside a
# random subspace of $d$ directions of its $D$-dimensional parameter space. As $d$ grows, the
# accuracy it reaches grows, and it gets to 90% of what full training reaches at a dimension
# $d_{\text{int}90}$, the *intrinsic dimension*, that is far below $D$. For a family of networks
# of very different sizes $d_{\text{int}90}$ hardly changes: the extra parameters of a wider
# network do not make the problem need more directions, they add dimensions to the set of
# solutions. A harder task has a larger intrinsic dimension, and a trained network can be stored as
# a random seed plus $d_{\text{int}90}$ numbers, over 100 times fewer than its parameters.
#
# **What we redraw.** The paper's accuracy-versus-subspace-dimension curves for fully connected
# networks of several widths and its plot of $d_{\text{int}90}$ against the number of parameters
# (flat), at the paper's 90% bar and at a stricter 95% one; and a comparison of two tasks by
# difficulty, scikit-learn's 8x8 digits and the harder MNIST-1D, with the same network width,
# training budget, learning rate and projection for both. Each claim is tested against a control:
# the same statistic where the paper's mechanism is absent.

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
import copy

import matplotlib.pyplot as plt
import numpy as np

from overparam_utils import chapter
from overparam_utils.data import digits_split, mnist1d_split
from overparam_utils.plotting import OKABE_ITO, log_ticks, sweep_colors
from overparam_utils.progress import progress
from overparam_utils.subspace import (
    SubspaceModel,
    intrinsic_dimension,
    make_projection,
    participation_ratio,
    train_subspace,
)
from overparam_utils.training import mlp, train_classifier

# Digits: ReLU MLPs (`depth` hidden layers) of the given widths, trained in nested random
# subspaces of the dimensions `dims` (projection `kind`) and in full (Adam, rate base_lr),
# `steps` steps of mini-batches of `batch`; the subspace coordinates use Adam, rate `lr`.
# Task comparison: at task_width, digits and MNIST-1D (m1d_n_train examples) get the same
# width, steps, rates, batch and projection (`task_kind`); the MNIST-1D grid adds
# `hard_dims` (past D/2). `extra_kinds`: projections also tried on the digits at
# task_width. The paper preset takes the paper's MNIST widths (50 to 400) with two hidden
# layers, trains longer and averages 3 draws.
PRESETS = {
    "smoke": dict(
        widths=[32, 128], depth=1, dims=[25, 50, 100, 200, 400], kind="sparse",
        steps=100, batch=128, lr=0.05, base_lr=3e-3, n_draws=1, task_width=32,
        task_kind="fastfood", hard_dims=[800, 1200], extra_kinds=[],
        m1d_n_train=300, m1d_n_test=200,
    ),
    "book": dict(
        widths=[32, 64, 128, 256, 512], depth=1,
        dims=[25, 50, 100, 150, 200, 300, 400, 600],
        kind="sparse", steps=300, batch=128, lr=0.05, base_lr=3e-3, n_draws=1,
        task_width=128, task_kind="fastfood", hard_dims=[800, 1600, 3200, 4800],
        extra_kinds=[], m1d_n_train=3000, m1d_n_test=1000,
    ),
    "paper": dict(
        widths=[50, 100, 200, 400], depth=2,
        dims=[25, 50, 75, 100, 150, 200, 300, 400, 600, 800], kind="fastfood",
        steps=1000, batch=128, lr=0.05, base_lr=1e-3, n_draws=3, task_width=128,
        task_kind="sparse", extra_kinds=["dense"],
        hard_dims=[1200, 1600, 2400, 3200, 4800, 6400, 9600, 12800, 16000],
        m1d_n_train=4000, m1d_n_test=1000,
    ),
}
ch = chapter.setup(
    "10_intrinsic_dimension", scale=scale, seed=seed, device=device, presets=PRESETS
)
cfg = ch.cfg
data_seed, m1d_seed, *draw_seeds = ch.seeds(2 + cfg.n_draws)

# %% [markdown]
# ## Setup
#
# A network with parameters $\theta \in \mathbb{R}^D$ is drawn at random, $\theta_0$, and then
# trained only along $d$ fixed random directions, the columns of a $D \times d$ matrix $P$:
#
# $$\theta = \theta_0 + P z, \qquad z \in \mathbb{R}^d,\ z_0 = 0 .$$
#
# Only $z$ is trained, with the usual loss and optimizer; the chain rule gives its gradient
# $P^\top \nabla_\theta L$. The columns of $P$ have unit length, so a step along $z_i$ moves the
# network by the same distance whatever $d$ and $D$ are. Three kinds of $P$ (all in
# `overparam_utils.subspace`): a **dense** Gaussian matrix with normalised columns ($D d$ numbers);
# a **sparse** one with about $\sqrt D$ non-zero entries $\pm 1$ per column, the very sparse random
# projection {cite:p}`li2006very` the paper's code takes from scikit-learn; and the structured
# **Fastfood** transform {cite:p}`le2013fastfood`, $P z = S\,H G \Pi H B\,[z, 0]$ with
# Walsh–Hadamard matrices $H$ and random diagonal and permutation matrices, which costs
# $O(D \log D)$ time and $O(D)$ memory and is the cheapest when $d$ runs into the thousands. The
# network is evaluated at $\theta_0 + Pz$ with `torch.func.functional_call`, for several subspace
# dimensions at once: the models are *nested*, the one of dimension $d$ using the first $d$
# columns of the same $P$.
#
# The baseline is the same network, from the same $\theta_0$, trained in all $D$ directions with the
# same number of steps and the same mini-batches. The intrinsic dimension $d_{\text{int}90}$ is the
# smallest $d$ whose test accuracy reaches 90% of the baseline's, read off the grid of $d$ by
# interpolating linearly in $\log d$; $d_{\text{int}95}$ is the same at 95%. A curve that never
# reaches the bar inside the grid has no value (it is not replaced by the end of the grid).
#
# The data are scikit-learn's digits (8x8 images, 64 inputs, 10 classes; {glue:text}`n_train`
# training and {glue:text}`n_test` test images, standardised). The networks are fully connected,
# with {glue:text}`depth` hidden layer(s) of ReLU units; their parameter counts run from
# {glue:text}`D_min` to {glue:text}`D_max`.

# %%
X, y, X_test, y_test = digits_split(seed=data_seed)
ch.glue(n_train=len(y), n_test=len(y_test))


def n_params(net):
    return sum(p.numel() for p in net.parameters())


def flat_params(net):
    return np.concatenate([p.detach().cpu().numpy().ravel() for p in net.parameters()])


def subspace_curve(width, kind, dims, data, draw_seed):
    """Baseline and subspace test accuracies of one network (one draw)."""
    X_tr, y_tr, X_te, y_te = data
    net = mlp(X_tr.shape[1], width, 10, depth=cfg.depth, seed=draw_seed, device=ch.device)
    full = copy.deepcopy(net)
    hist = train_classifier(
        full, X_tr, y_tr, steps=cfg.steps, lr=cfg.base_lr, optimizer="adam",
        batch_size=cfg.batch, seed=draw_seed, X_test=X_te, y_test=y_te,
    )
    proj = make_projection(kind, n_params(net), max(dims), seed=draw_seed)
    sub = train_subspace(
        SubspaceModel(net, proj), X_tr, y_tr, dims, steps=cfg.steps, lr=cfg.lr,
        batch_size=cfg.batch, seed=draw_seed, X_test=X_te, y_test=y_te,
    )
    moved = participation_ratio(flat_params(full) - flat_params(net))
    return dict(D=n_params(net), baseline=hist["test_acc"][-1],
                baseline_train=hist["train_acc"][-1], acc=sub["test_acc"], moved=moved)


def averaged(width, kind, dims, data):
    """Mean accuracy curve of cfg.n_draws independent draws, its d_int90 and d_int95."""
    runs = [subspace_curve(width, kind, dims, data, s) for s in draw_seeds]
    acc = np.mean([r["acc"] for r in runs], axis=0)
    out = {k: float(np.mean([r[k] for r in runs]))
           for k in ("baseline", "baseline_train", "moved")}
    out.update(D=runs[0]["D"], acc=acc)
    out["d_int"] = intrinsic_dimension(dims, acc, 0.9 * out["baseline"])
    out["d_int95"] = intrinsic_dimension(dims, acc, 0.95 * out["baseline"])
    return out


digits = (X, y, X_test, y_test)
results = {
    width: averaged(width, cfg.kind, cfg.dims, digits)
    for width in progress(cfg.widths, desc="widths")
}
D = np.array([results[w]["D"] for w in cfg.widths], dtype=float)
d_int = np.array([results[w]["d_int"] for w in cfg.widths])
d_int95 = np.array([results[w]["d_int95"] for w in cfg.widths])
moved = np.array([results[w]["moved"] for w in cfg.widths])
ch.glue(width_list=", ".join(str(w) for w in cfg.widths), depth=cfg.depth,
        D_min=f"{D.min():,.0f}", D_max=f"{D.max():,.0f}")

# %% [markdown]
# ## Accuracy against subspace dimension
#
# Each network is trained in nested subspaces of dimension {glue:text}`d_grid` with the
# {glue:text}`kind` projection, {glue:text}`steps` Adam steps of rate {glue:text}`lr` on $z$
# (the full-space baseline uses rate {glue:text}`base_lr`), and the final test accuracy is recorded.

# %% tags=["hide-input", "remove-output"]
colors = sweep_colors(len(cfg.widths))
fig, ax = plt.subplots(figsize=(6.2, 3.7))
for width, color in zip(cfg.widths, colors, strict=True):
    r = results[width]
    ax.plot(cfg.dims, r["acc"], "-o", ms=3.5, color=color,
            label=f"width {width} (D = {r['D']:,})")
    ax.axhline(0.9 * r["baseline"], color=color, lw=0.9, ls=":")
    ax.plot([r["d_int"]], [0.9 * r["baseline"]], "s", color=color, ms=7, mec="black")
    ax.plot([r["d_int95"]], [0.95 * r["baseline"]], "^", color=color, ms=7, mec="black")
ax.set(xlabel="subspace dimension d", ylabel="test accuracy",
       title=f"Digits, {cfg.depth} hidden layer(s)", ylim=(0, 1))
log_ticks(ax, [d for d in cfg.dims if d in (25, 50, 100, 200, 400, 800)])
ax.legend(loc="lower right")
ch.figure("fig-ch10-curves")

# %% [markdown]
# ```{glue:figure} fig-ch10-curves
# :name: fig-ch10-curves
#
# Test accuracy on the digits after training in a random subspace of dimension $d$, for networks of several
# widths (colours; parameter counts in the legend). Dotted lines: 90% of each network's full-training
# accuracy; squares: where each curve crosses it ($d_{\text{int}90}$), triangles: where it crosses 95%
# ($d_{\text{int}95}$). The values are listed in the text below.
# ```

# %% [markdown]
# The full networks fit their training sets (training accuracy at least
# {glue:text}`fit_min:.3f`) and reach test accuracies of {glue:text}`baseline_min:.3f` to
# {glue:text}`baseline_max:.3f`, so the 90% bar sits at about {glue:text}`bar:.2f`. The intrinsic
# dimensions are {glue:text}`d_int_list` at 90% and {glue:text}`d_int95_list` at 95%, for
# networks of {glue:text}`D_list` parameters: $d_{\text{int}90}/D$ = {glue:text}`frac_list`.
#
# ## Intrinsic dimension against parameter count
#
# If every parameter of a bigger network were needed, $d_{\text{int}90}$ would grow in proportion
# to $D$. Full training does spread its change over the parameters: the participation ratio of the
# change it makes,
# $(\sum_i \Delta\theta_i^2)^2 / \sum_i \Delta\theta_i^4$, which counts the coordinates a vector
# spreads over, is {glue:text}`moved_list` for these networks, a fraction
# {glue:text}`moved_frac:.2f` of $D$ on average. Power laws fitted through the points have
# exponent {glue:text}`moved_slope:.2f` in $D$ for the moved parameters, but
# {glue:text}`dint_slope:.2f` for $d_{\text{int}90}$ and {glue:text}`dint95_slope:.2f` for
# $d_{\text{int}95}$. The widest network reaches 90% of its full accuracy with
# {glue:text}`compression:.0f` times fewer trainable numbers than it has parameters (the narrowest
# with {glue:text}`compression_narrow:.0f` times fewer). That is also a compression: the trained
# network is fully described by the random seed that makes $\theta_0$ and $P$, plus $z$,
# {glue:text}`d_int_widest:.0f` numbers instead of {glue:text}`D_widest`.

# %%
def slope(values):
    """Exponent of a power law fitted through (D, values), log-log least squares."""
    return float(np.polyfit(np.log(D), np.log(values), 1)[0])


dint_slope, dint95_slope, moved_slope = slope(d_int), slope(d_int95), slope(moved)
baselines = np.array([results[w]["baseline"] for w in cfg.widths])
fits = np.array([results[w]["baseline_train"] for w in cfg.widths])
ch.glue(
    fit_min=fits.min(), baseline_min=baselines.min(), baseline_max=baselines.max(),
    bar=0.9 * baselines.mean(),
    d_int_list=", ".join(f"{v:.0f}" for v in d_int),
    d_int95_list=", ".join(f"{v:.0f}" for v in d_int95),
    D_list=", ".join(f"{v:,.0f}" for v in D),
    frac_list=", ".join(f"{v:.3f}" for v in d_int / D),
    moved_list=", ".join(f"{v:,.0f}" for v in moved),
    moved_frac=float(np.mean(moved / D)),
    dint_slope=dint_slope, dint95_slope=dint95_slope, moved_slope=moved_slope,
    compression=D[-1] / d_int[-1], compression_narrow=D[0] / d_int[0],
    d_int_widest=d_int[-1], D_widest=f"{D[-1]:,.0f}",
)

# %% [markdown]
# ## A harder task needs more dimensions
#
# MNIST-1D is a procedurally generated one-dimensional version of MNIST (40 inputs, 10 classes;
# {glue:text}`m1d_n_train` training examples) built so that fully connected networks find it much
# harder than MNIST. To compare the two tasks and nothing else, a width-{glue:text}`task_width`
# network is trained on each with the same {glue:text}`steps` steps, the same rates and batches and
# the same {glue:text}`task_kind` projection; the MNIST-1D grid continues to
# {glue:text}`m1d_d_grid`, past half of its network's {glue:text}`m1d_D` parameters. On the digits
# the width-{glue:text}`task_width_again` network was also trained in a {glue:text}`kind`
# subspace above: a second random subspace for the same task, which tells how much
# $d_{\text{int}90}$ moves when only the draw changes.

# %%
Xm, ym, Xm_test, ym_test = mnist1d_split(
    n_train=cfg.m1d_n_train, n_test=cfg.m1d_n_test, seed=m1d_seed
)
mean, std = Xm.mean(axis=0), Xm.std(axis=0)
m1d = ((Xm - mean) / std, ym, (Xm_test - mean) / std, ym_test)
m1d_dims = cfg.dims + cfg.hard_dims
if cfg.kind == cfg.task_kind:
    raise ValueError("task_kind must differ from kind: the control is a second subspace")
easy = averaged(cfg.task_width, cfg.task_kind, cfg.dims, digits)
hard = averaged(cfg.task_width, cfg.task_kind, m1d_dims, m1d)
if max(m1d_dims) <= hard["D"] / 2:
    raise ValueError(f"the MNIST-1D grid must reach past D/2 = {hard['D'] / 2:.0f}")
same_task = results[cfg.task_width] if cfg.task_width in results else averaged(
    cfg.task_width, cfg.kind, cfg.dims, digits)
# a curve that never reaches the bar gives nan, so the checks below cannot pass on it
task_ratio = hard["d_int"] / easy["d_int"]
same_task_ratio = same_task["d_int"] / easy["d_int"]
kinds = {cfg.kind: same_task, cfg.task_kind: easy}
for kind in progress(cfg.extra_kinds, desc="projections"):
    kinds[kind] = averaged(cfg.task_width, kind, cfg.dims, digits)
kind_d_int = np.array([kinds[k]["d_int"] for k in kinds])
kind_spread = float(kind_d_int.max() / kind_d_int.min())


def fmt(v):
    return "none inside the grid" if np.isnan(v) else f"{v:,.0f}"


ch.glue(
    m1d_n_train=cfg.m1d_n_train, task_width=cfg.task_width,
    task_width_again=cfg.task_width, task_width_again_2=cfg.task_width,
    task_kind=cfg.task_kind, steps_again=cfg.steps,
    m1d_fit_again=hard["baseline_train"],
    m1d_d_grid=f"{max(m1d_dims):,}", m1d_D=f"{hard['D']:,}",
    m1d_baseline=hard["baseline"], m1d_fit=hard["baseline_train"],
    m1d_d_int=fmt(hard["d_int"]), m1d_d_int95=fmt(hard["d_int95"]),
    m1d_frac=hard["d_int"] / hard["D"], m1d_frac95=hard["d_int95"] / hard["D"],
    easy_D=f"{easy['D']:,}", easy_d_int=fmt(easy["d_int"]),
    easy_d_int95=fmt(easy["d_int95"]), task_ratio=task_ratio,
    same_task_ratio=same_task_ratio,
    kind_d_int=", ".join(f"{k} {fmt(v['d_int'])}" for k, v in kinds.items()),
    kind_spread=kind_spread,
    d_grid=", ".join(str(d) for d in cfg.dims), kind=cfg.kind, steps=cfg.steps,
    lr=cfg.lr, base_lr=cfg.base_lr,
)

# %% [markdown]
# Full training reaches {glue:text}`m1d_baseline:.3f` test accuracy on MNIST-1D (training accuracy
# {glue:text}`m1d_fit:.3f`: this network does not fit MNIST-1D in this budget), and the subspace
# runs reach 90% of that at $d$ = {glue:text}`m1d_d_int` and 95% at {glue:text}`m1d_d_int95`:
# $d_{\text{int}90}/D$ = {glue:text}`m1d_frac:.2f` and $d_{\text{int}95}/D$ =
# {glue:text}`m1d_frac95:.2f`, far from the small fractions of the digits. The same width on the
# digits ($D$ = {glue:text}`easy_D`) needs {glue:text}`easy_d_int` ({glue:text}`easy_d_int95` at
# 95%): MNIST-1D needs {glue:text}`task_ratio:.1f` times more, with a smaller network. The second
# digits subspace gives {glue:text}`same_task_ratio:.2f` times the first. By projection, the digits
# network's $d_{\text{int}90}$ is {glue:text}`kind_d_int` (largest over smallest
# {glue:text}`kind_spread:.2f`).

# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.4, 3.7))
D_line = np.array([min(D.min(), hard["D"]) / 2, max(D.max(), hard["D"]) * 2])
ax1.plot(D_line, D_line, color="grey", lw=1, label="d = D")
ax1.plot(D, moved, "x--", color=OKABE_ITO["green"], label="parameters moved (full)")
ax1.plot(D, d_int, "-o", color=OKABE_ITO["blue"], label=r"digits $d_{int90}$")
ax1.plot(D, d_int95, "-^", color=OKABE_ITO["sky"], label=r"digits $d_{int95}$")
ax1.plot([hard["D"]], [hard["d_int"]], "D", color=OKABE_ITO["vermillion"],
         ms=7, label=f"MNIST-1D $d_{{int90}}$, width {cfg.task_width}")
ax1.set(xlabel="number of parameters D", ylabel="dimension", title="Intrinsic dimension")
grid = [10**k * m for k in range(1, 8) for m in (1, 3)]
all_d = np.concatenate([d_int, moved, [hard["d_int"]]])
y_lim = (np.nanmin(all_d) / 2, D_line[1])
log_ticks(ax1, [t for t in grid if D_line[0] <= t <= D_line[1]])
log_ticks(ax1, [t for t in grid if y_lim[0] <= t <= y_lim[1]], axis="y")
ax1.set(xlim=tuple(D_line), ylim=y_lim)
ax1.legend(fontsize=7.5, loc="upper left")
for name, r, dims, color in [("digits", easy, cfg.dims, OKABE_ITO["blue"]),
                             ("MNIST-1D", hard, m1d_dims, OKABE_ITO["vermillion"])]:
    ax2.plot(dims, r["acc"] / r["baseline"], "-o", ms=3.5, color=color,
             label=f"{name} (D = {r['D']:,})")
for level in (0.9, 0.95):
    ax2.axhline(level, color="black", lw=0.8, ls=":")
ax2.set(xlabel="subspace dimension d", ylabel="accuracy / full-training accuracy",
        ylim=(0, 1.1), title=f"Width {cfg.task_width}, {cfg.task_kind} projection")
log_ticks(ax2, [d for d in grid if min(m1d_dims) <= d <= max(m1d_dims)])
ax2.legend(loc="lower right", fontsize=7.5)
ch.figure("fig-ch10-dint")

# %% [markdown]
# ```{glue:figure} fig-ch10-dint
# :name: fig-ch10-dint
#
# Left: intrinsic dimension against the number of parameters (log-log). Circles: $d_{\text{int}90}$ of digits
# networks of growing width; triangles: $d_{\text{int}95}$; crosses: the number of parameters full training
# moves (participation ratio of its update); diamond: MNIST-1D. The grey line is $d = D$. Right: the two tasks
# at the same width, budget, rates and projection, accuracy as a fraction of each network's full-training
# accuracy, with the 90% and 95% bars.
# ```

# %% [markdown]
# ## Claim checks
#
# Every intrinsic dimension here comes from one accuracy curve per network (the mean of
# {glue:text}`n_draws` draw(s) at this scale). The thresholds come from the claims: "flat" is an
# exponent near 0 where proportional growth would give 1 (within 0.15 at the paper's bar; 0.25 at
# 95%, where the curves are flat and the crossing is read off less precisely); the paper's
# compression factor is 100; a "harder" task must need several times (3x) the dimension, well
# beyond what a second random subspace on the same task changes. They were set on seeds 0 to 2 and
# confirmed on seeds 21 to 23. Each claim's control is the same statistic where the paper's
# mechanism is absent: for flatness, the count of parameters that full training moves (every
# parameter in use); for compression, the narrowest network (little to spare); for the task
# comparison, a second subspace on the same task.

# %%
ch.glue("n_draws", cfg.n_draws)
ch.check(
    "dint90_flat_in_width",
    f"d_int90 hardly changes while D grows {D[-1] / D[0]:.0f}-fold: fitted exponent of "
    "d_int90 in D within +-0.15 (proportional growth would be 1)",
    dint_slope, "between", (-0.15, 0.15),
    control=moved_slope,
    control_is="count of parameters full training moves (participation ratio), "
    "the prediction if every parameter were needed",
)
ch.check(
    "dint95_flat_in_width",
    "at the stricter 95% bar too, the fitted exponent of d_int95 in D is within +-0.25",
    dint95_slope, "between", (-0.25, 0.25),
    control=moved_slope,
    control_is="count of parameters full training moves (participation ratio)",
)
ch.check(
    "widest_network_compresses_100x",
    "the widest network reaches 90% of its full accuracy in a subspace of over 100x "
    "fewer dimensions than its parameter count (D / d_int90)",
    D[-1] / d_int[-1], ">", {"smoke": 30, "book": 100, "paper": 100},
    control=D[0] / d_int[0], control_is=f"the narrowest network, width {cfg.widths[0]}",
)
ch.check(
    "harder_task_larger_dint",
    f"at the same width ({cfg.task_width}), steps, rates and projection, MNIST-1D's "
    "d_int90 is over 3x the digits' (a curve that never reaches the bar fails)",
    task_ratio, ">", 3,
    control=same_task_ratio,
    control_is=f"the same task: the digits network in a second ({cfg.kind}) subspace",
    known_miss="the smoke budget is too short to learn MNIST-1D at all"
    if scale == "smoke" else None,
)
ch.check(
    "dint_far_below_D_on_mnist1d",
    f"on MNIST-1D too, d_int90 is under 10% of the width-{cfg.task_width} network's "
    "parameter count",
    hard["d_int"] / hard["D"], "<", 0.1,
    control=hard["moved"] / hard["D"],
    control_is="fraction of parameters full training moves on MNIST-1D",
    known_miss="the network does not fit MNIST-1D within this budget, so it is not "
    "over-parameterized for it; its d_int90 is a large fraction of D",
)
ch.check(
    "full_networks_fit_the_digits",
    "every full digits network fits its training set (training accuracy >= 0.99; "
    "0.9 in the short smoke run)",
    fits.min(), ">=", {"smoke": 0.9, "book": 0.99, "paper": 0.99}, kind="setup",
)
ch.check(
    "projections_agree",
    f"on the digits at width {cfg.task_width}, the projections give the same d_int90 up "
    "to the draw-to-draw spread (largest over smallest < 1.6)",
    kind_spread, "<", 1.6, kind="setup",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | task and networks | MNIST, fully connected 784-200-200-10 and a family of widths and depths ($D$ up to about $10^6$); also LeNet, CIFAR-10, ImageNet, RL tasks | digits, {glue:text}`depth` hidden layer(s) of width {glue:text}`width_list` ($D$ = {glue:text}`D_list`) |
# | $d_{\text{int}90}$ | about 750 for MNIST fully connected networks, nearly the same across widths and depths | {glue:text}`d_int_list` (exponent {glue:text}`dint_slope:.2f` in $D$); at 95%: {glue:text}`d_int95_list` (exponent {glue:text}`dint95_slope:.2f`) |
# | $d_{\text{int}90}/D$ | far below 1 | {glue:text}`frac_list` on the digits; {glue:text}`m1d_frac:.2f` on MNIST-1D |
# | compression | over 100x for some networks | {glue:text}`compression:.0f`x for the widest network |
# | depth | $d_{\text{int}90}$ nearly the same for 1 to 5 hidden layers | not tested at this scale (the `paper` preset uses 2 hidden layers) |
# | problem difficulty | CIFAR-10 fully connected networks need about 9,000, over 10x MNIST's (third-party summaries of its figures) | MNIST-1D needs {glue:text}`task_ratio:.1f`x the digits' at the same width, budget, rates and projection |
# | training | Adam, rate $10^{-3}$, 100 epochs of mini-batches of 128, the same rate in the subspace | Adam, mini-batches of 128, {glue:text}`steps` steps; rate {glue:text}`lr` in the subspace, {glue:text}`base_lr` in full |
#
# What differs: our data sets are small enough for a CPU, so our intrinsic dimensions (a few
# hundred for the digits) are not comparable with the paper's MNIST value; the claims we test are
# the ones that do not depend on the data set: $d_{\text{int}90} \ll D$ with a compression over
# 100x, its flatness in $D$ (at the paper's 90% bar and at 95%, since on the digits 90% of the
# baseline is a low bar), and a larger value for a harder task. The task comparison holds the
# network width, the number of steps, both rates, the batches and the projection fixed; only the
# data change (and with the 40 inputs of MNIST-1D against 64, its network is the smaller one).
# The paper's other claims are not tested here: the depth invariance, convolutional networks
# needing fewer dimensions than fully connected ones, and shuffled labels. One claim does not
# reproduce: on MNIST-1D, $d_{\text{int}90}$ is {glue:text}`m1d_frac:.2f` of $D$, not far below
# it. The width-{glue:text}`task_width_again_2` network does not even fit MNIST-1D's training set
# in {glue:text}`steps_again` steps ({glue:text}`m1d_fit_again:.3f` training accuracy), so it is
# not over-parameterized for that task, which is the paper's regime; a wider network and a longer
# budget are what this claim needs, and with the `paper` preset (two hidden layers, 1000 steps)
# it held in the recorded run (the {doc}`/book/paper_scale` page). The paper trains the subspace with the
# same optimizer and rate as the full network, for 100 epochs; with our much shorter budget a
# larger rate on $z$ is needed, and because $d_{\text{int}90}$ depends on the budget, the same
# number of steps is used for every width and both tasks. Our subspaces are nested (one $P$ per
# network, its first $d$ columns), which makes the accuracy curves smoother than independent draws
# would; the paper draws a projection per run. We could read only the paper's abstract and
# third-party summaries of its figures, and took the training settings and the sparse and Fastfood
# constructions from its official code (`uber-research/intrinsic-dimension`). In the part of that
# code we read, the dense projection's Gaussian entries are not rescaled while the sparse one's are
# normalised; we normalise every kind, so that one Adam rate serves all three.
#
# ## Try it
#
# - Halve `steps` in the `book` preset. Does every $d_{\text{int}90}$ go up, and does the digits
#   curve stay flat in $D$? The intrinsic dimension is a property of the landscape *and* of how
#   long one searches it.
# - Set `task_width` to 512 in the `book` preset (and add larger values to `hard_dims`). Does a
#   wider network bring MNIST-1D's $d_{\text{int}90}/D$ down towards the digits' fractions?
#
# **Related chapters.**
# - {doc}`09_hessian_bulk_and_outliers`: the Hessian's few outliers and flat bulk.
# - {doc}`11_loss_landscape_degeneracy`: counting the parameters that matter after training.
# - {doc}`07_matrix_sensing_slowdown`: over-parameterized factorizations in matrix sensing.
