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
# # When scale flips the rules: regularisation and crossing scaling curves
#
# **Paper.** {cite:t}`xiao2024rethinking`.
#
# **Claim.** Much of what we learned about training in the "generalisation-centric" era (small data,
# many passes, models that can interpolate) rests on regularisation: an explicit L2 penalty, or the
# implicit regularisation of a large learning rate or a small batch. In the "scaling-centric" era the
# data far exceeds what the model can fit, the error is dominated by approximation, and these
# principles can stop helping or even hurt. Worse, the loss-versus-scale curves of two methods can
# *cross* (a "scaling-law crossover"), so the method that wins a small-scale comparison may lose at
# the scale that matters.
#
# **What we redraw.** Not the paper's language-model experiments, but the mechanism in two small
# models that we can solve exactly or simulate on a CPU: (A) test error against data size for a
# random-feature model with and without an L2 penalty tuned at small scale; (B) the excess risk of
# online SGD against the number of examples seen, for a large against a small learning rate and a
# small against a large batch. In each we locate the crossover and check it on several seeds.

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

from overparam_utils import chapter
from overparam_utils.crossover import online_sgd_linear, ridge_path, sgd_expected_risk
from overparam_utils.features import relu_features
from overparam_utils.fits import bootstrap_crossover, crossings
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.progress import progress

# Part A: `width` random ReLU features of `dim` inputs; data sizes n_grid (must include
# width); n_draws draws; penalties lams (0 = none). Part B: online SGD on a `sgd_dim`
# linear model, `n_samples` examples, sgd_draws runs; `small_scale` examples is where
# a small-scale comparison is made.
PRESETS = {
    "smoke": dict(
        dim=30, width=300, n_grid=[100, 300, 1000, 3000, 20000], n_val=1000, n_test=2000,
        noise_std=1.0, n_draws=3, lams=[0.0, *np.geomspace(1e-4, 10, 11)],
        sgd_dim=100, n_samples=2**16, sgd_draws=6, small_scale=1024,
    ),
    "book": dict(
        dim=30, width=300, n_grid=[50, 100, 200, 300, 400, 600, 1000, 2000, 5000, 10000,
                                   20000],
        n_val=1000, n_test=2000, noise_std=1.0, n_draws=5,
        lams=[0.0, *np.geomspace(1e-4, 10, 21)],
        sgd_dim=100, n_samples=2**16, sgd_draws=12, small_scale=1024,
    ),
    "paper": dict(
        dim=50, width=1000, n_grid=[100, 300, 600, 1000, 1500, 2000, 5000, 10000, 20000,
                                    50000],
        n_val=5000, n_test=10000, noise_std=1.0, n_draws=10,
        lams=[0.0, *np.geomspace(1e-5, 10, 31)],
        sgd_dim=200, n_samples=2**18, sgd_draws=32, small_scale=1024,
    ),
}
ch = chapter.setup(
    "15_scaling_era_conventional_wisdom", scale=scale, seed=seed, presets=PRESETS
)
cfg = ch.cfg
P = cfg.width
n_grid = np.array(cfg.n_grid)
lams = np.array(cfg.lams)
i_P = int(np.flatnonzero(n_grid == P)[0])

# %% [markdown]
# ## Setup
#
# **Part A: explicit L2 against data size.** Inputs $x \in \mathbb{R}^{d}$ are standard Gaussian, and
# the target mixes a linear part and a few saturating directions,
#
# $$y = 3\, u^\top x + \tfrac12 \textstyle\sum_{k=1}^{5} \tanh(a_k^\top x) + \sigma\varepsilon,
# \qquad u, a_k \sim \mathcal N(0, I/d),$$
#
# with label noise $\sigma$ = {glue:text}`noise_std`.
#
# The model has a fixed capacity: $P$ = {glue:text}`P` random ReLU features (a two-layer network with a
# frozen random first layer) and a trained linear read-out $w$. Training minimises the *per-sample*
# loss with an L2 penalty, as weight decay does,
#
# $$L_\lambda(w) = \frac1n \lVert y - \Phi w \rVert^2 + \lambda \lVert w \rVert^2 ,$$
#
# to convergence (closed form: `ridge_path` in `overparam_utils.crossover` gets every $\lambda$ from
# one eigendecomposition; $\lambda = 0$ is the minimum-norm interpolator). We follow the small-scale
# habit: tune $\lambda$ on a validation set at $n = P$, where regularisation matters most, and keep it
# as the data grow. The test error is measured against the noiseless target.
#
# **Part B: learning rate and batch size against the number of examples.** Linear regression in
# $d$ = {glue:text}`sgd_dim` dimensions with input covariance $\Sigma = \mathrm{diag}(s_i)$,
# $s_i = i^{-1.5}$ (a few strong directions, a long tail of weak ones), teacher
# $w^\ast \sim \mathcal N(0, I)$ and label noise $0.5$. The excess risk of weights $w$ is
# $(w - w^\ast)^\top \Sigma (w - w^\ast)$. Online SGD sees every example once, so the number of
# examples is data and compute at the same time. We compare a large learning rate with a ten times smaller one (batch
# {glue:text}`batch_small` both), and a small batch with a large one (batch
# {glue:text}`batch_small` against {glue:text}`batch_big`, learning rate {glue:text}`lr_big` both).
# All settings of a run see the same stream of examples. For Gaussian inputs the *expected* risk
# obeys an exact recursion (`sgd_expected_risk`), which we draw next to the simulated runs.

# %%
def draw_task(run_seed):
    """Features and targets of one draw: train (n_max), validation and noiseless test."""
    rng = np.random.default_rng(run_seed)
    d = cfg.dim
    u = rng.normal(0, 1 / np.sqrt(d), d)
    A = rng.normal(0, 1 / np.sqrt(d), (5, d))
    W = rng.standard_normal((d, P))

    def target(X):
        return 3.0 * X @ u + 0.5 * np.tanh(X @ A.T).sum(axis=1)

    X, X_val, X_test = (rng.standard_normal((k, d))
                        for k in (n_grid.max(), cfg.n_val, cfg.n_test))
    y = target(X) + cfg.noise_std * rng.standard_normal(len(X))
    y_val = target(X_val) + cfg.noise_std * rng.standard_normal(len(X_val))
    return dict(F=relu_features(X, W), y=y, F_val=relu_features(X_val, W), y_val=y_val,
                F_test=relu_features(X_test, W), f_test=target(X_test))


def penalty_sweep(task):
    """Validation and test MSE, (len(n_grid), len(lams)), per data size and penalty."""
    val, test = [], []
    for n in n_grid:
        weights = ridge_path(task["F"][:n], task["y"][:n], lams)  # (lams, P)
        pred_val = task["F_val"] @ weights.T
        val.append(np.mean((pred_val - task["y_val"][:, None]) ** 2, axis=0))
        pred_test = task["F_test"] @ weights.T
        test.append(np.mean((pred_test - task["f_test"][:, None]) ** 2, axis=0))
    return np.array(val), np.array(test)


sweeps = [penalty_sweep(draw_task(s))
          for s in progress(ch.seeds(cfg.n_draws), desc="data sizes")]
val_err = np.stack([v for v, _ in sweeps])  # (seeds, n, lams)
test_err = np.stack([t for _, t in sweeps])
k_tuned = 1 + np.argmin(val_err[:, i_P, 1:], axis=1)  # lambda tuned at n = P, per seed
seeds_idx = np.arange(cfg.n_draws)
ridge = test_err[seeds_idx, :, k_tuned]  # (seeds, n)
ridgeless = test_err[:, :, 0]
best_lam = lams[1 + np.argmin(test_err[:, :, 1:], axis=2)]  # (seeds, n), in hindsight
ch.glue("P", P)
ch.glue("sgd_dim", cfg.sgd_dim)
ch.glue("noise_std", cfg.noise_std)

# %% [markdown]
# ## Part A: the L2 penalty that rescues small data hurts large data
#
# Tuned at $n = P$, the penalty is $\lambda$ = {glue:text}`lam_tuned:.3g` (median over
# {glue:text}`n_draws` draws). There it is essential: the interpolating model's test error spikes
# (double descent) and the penalty divides it by {glue:text}`gain_at_P:.0f`. But the same penalty
# biases the read-out towards zero whatever the amount of data, while the variance it removes shrinks
# like $1/n$. At $n$ = {glue:text}`n_max` the unregularised model is better: the penalised one has
# {glue:text}`loss_at_max:.2f` times its test error. The two curves cross at $n \approx$
# {glue:text}`cross_A:.0f` = {glue:text}`cross_A_over_P:.1f` $P$ (bootstrap over draws: 90 % within
# {glue:text}`cross_A_lo:.0f`–{glue:text}`cross_A_hi:.0f`). The best penalty in hindsight (lowest test
# error at each size) falls from {glue:text}`best_lam_P:.2g` at $n = P$ to {glue:text}`best_lam_max:.2g` at
# $n$ = {glue:text}`n_max`.

# %%
beyond = n_grid >= P
cross_A, boot_A = bootstrap_crossover(n_grid[beyond], ridge[:, beyond],
                                      ridgeless[:, beyond], seed=ch.seed)
per_seed_crossings = [crossings(n_grid[beyond], r[beyond], r0[beyond]).size
                      for r, r0 in zip(ridge, ridgeless, strict=True)]
gain_at_P = ridgeless[:, i_P] / ridge[:, i_P]
loss_at_max = ridge[:, -1] / ridgeless[:, -1]
glued = dict(
    lam_tuned=np.median(lams[k_tuned]), n_draws=cfg.n_draws,
    gain_at_P=np.median(gain_at_P),
    n_max=int(n_grid[-1]), loss_at_max=ridge[:, -1].mean() / ridgeless[:, -1].mean(),
    cross_A=cross_A, cross_A_over_P=cross_A / P,
    cross_A_lo=np.nanquantile(boot_A, 0.05), cross_A_hi=np.nanquantile(boot_A, 0.95),
    best_lam_P=np.median(best_lam[:, i_P]), best_lam_max=np.median(best_lam[:, -1]),
)
ch.glue(**glued)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch15-l2", "caption": "Left: test error against the number of training examples for the random-feature model without penalty (blue) and with the L2 penalty tuned at $n = P$ (orange); thin lines are draws, thick lines their mean. Near $n = P$ (dotted) the penalty removes the double-descent spike; beyond the crossover (marker) it costs accuracy. Right: the best penalty in hindsight (lowest test error) at each size is largest around $n = P$ and shrinks towards zero as the data grow."}}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.5), width_ratios=[1.4, 1])
for curves, color, label in (
    (ridgeless, OKABE_ITO["blue"], r"no penalty ($\lambda = 0$)"),
    (ridge, OKABE_ITO["orange"], r"L2, $\lambda$ tuned at $n = P$"),
):
    ax1.plot(n_grid, curves.T, color=color, lw=0.6, alpha=0.5)
    ax1.plot(n_grid, curves.mean(axis=0), "-o", ms=3.5, color=color, lw=2, label=label)
ax1.axvline(P, color="grey", lw=0.8, ls=":")
ax1.plot([cross_A], [np.interp(cross_A, n_grid, ridge.mean(axis=0))], "D",
         color="black", ms=7, label="crossover")
ax1.set(xscale="log", yscale="log", xlabel="training examples n", ylabel="test MSE",
        title=f"P = {P} random features", ylim=(None, 20 * ridge.mean(axis=0).max()))
ax1.legend(fontsize=7.5)
ax2.plot(n_grid, np.median(best_lam, axis=0), "-o", ms=3.5, color=OKABE_ITO["green"])
ax2.axvline(P, color="grey", lw=0.8, ls=":")
ax2.set(xscale="log", yscale="log", xlabel="training examples n",
        ylabel=r"best $\lambda$ (median)", title="optimal penalty")
plt.show()

# %% [markdown]
# ## Part B: a large learning rate and a small batch win early, lose late
#
# With a large learning rate SGD moves quickly along the strong directions, so after few examples
# its risk is lower; but every step also injects gradient noise, and the risk stalls at a floor that
# grows with the learning rate. The small learning rate is slow at first and keeps improving. A
# small batch against a large one at the same learning rate is the same trade: more steps per
# example early, more noise per step late.

# %%
lr_big, lr_small, batch_small, batch_big = 0.6, 0.06, 4, 64
settings = {"large lr": (lr_big, batch_small), "small lr": (lr_small, batch_small),
            "large batch": (lr_big, batch_big)}
eigvals = np.arange(1, cfg.sgd_dim + 1) ** -1.5
checkpoints = np.unique(np.geomspace(batch_big, cfg.n_samples, 120).astype(int)
                        // batch_big * batch_big)
risk = online_sgd_linear(
    eigvals, 0.5, [s[0] for s in settings.values()], [s[1] for s in settings.values()],
    cfg.n_samples, checkpoints, ch.seeds(cfg.sgd_draws), desc="online SGD",
)  # (checkpoints, settings, seeds)
expected = np.array([
    sgd_expected_risk(eigvals, 0.25, lr, b, checkpoints // b, np.ones(cfg.sgd_dim))
    for lr, b in settings.values()
]).T  # (checkpoints, settings)

# The last iterate of SGD is noisy, so each curve is averaged over a sliding window of
# one octave of examples (half an octave either side of each centre).
centres = np.geomspace(2 * batch_big, cfg.n_samples / np.sqrt(2), 24)


def window(curves, lo, hi):
    """Mean of `curves` (checkpoints, ...) over the checkpoints in [lo, hi]."""
    inside = (checkpoints >= lo) & (checkpoints <= hi)
    return curves[inside].mean(axis=0)


def smooth(curves):
    return np.array([window(curves, c / np.sqrt(2), c * np.sqrt(2)) for c in centres])


smooth_risk, smooth_expected = smooth(risk), smooth(expected)
early_window = (cfg.small_scale / np.sqrt(2), cfg.small_scale * np.sqrt(2))
late_window = (cfg.n_samples / 2, cfg.n_samples)


def comparison(a, b):
    """Crossover of settings a and b (seed means, bootstrap) and per-run ratios a / b."""
    estimate, boot = bootstrap_crossover(centres, smooth_risk[:, a].T,
                                         smooth_risk[:, b].T, seed=ch.seed)
    early = window(risk[:, a], *early_window) / window(risk[:, b], *early_window)
    late = window(risk[:, a], *late_window) / window(risk[:, b], *late_window)
    theory = crossings(centres, smooth_expected[:, a], smooth_expected[:, b])
    return dict(cross=estimate, boot=boot, early=early, late=late,
                theory=theory[0] if theory.size else np.nan)


lr_cmp = comparison(0, 1)
batch_cmp = comparison(0, 2)
for name, cmp in (("lr", lr_cmp), ("batch", batch_cmp)):
    ch.glue(f"{name}_cross", cmp["cross"])
    ch.glue(f"{name}_theory", cmp["theory"])
    ch.glue(f"{name}_early", np.mean(cmp["early"]))
    ch.glue(f"{name}_late", np.mean(cmp["late"]))
    ch.glue(f"{name}_lo", np.nanquantile(cmp["boot"], 0.05))
    ch.glue(f"{name}_hi", np.nanquantile(cmp["boot"], 0.95))
ch.glue(lr_big=lr_big, lr_small=lr_small, batch_small=batch_small, batch_big=batch_big,
        small_scale=cfg.small_scale, sgd_draws=cfg.sgd_draws, n_samples=cfg.n_samples,
        half_samples=cfg.n_samples // 2)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch15-sgd", "caption": "Excess risk of online SGD against the number of examples seen (log-log), averaged over a sliding octave of examples. Thin lines: single runs; thick: their mean; dashed: the exact expected risk. Left: learning rate 0.6 against 0.06 (batch 4). Right: batch 4 against batch 64 (learning rate 0.6). In both, the setting that wins the small-scale comparison (left grey band) loses the large-scale one (right band): the curves cross at the diamond."}}
fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.5), sharey=True)
colors = [OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["green"]]
labels = [f"lr {lr_big:g}, batch {batch_small}", f"lr {lr_small:g}, batch {batch_small}",
          f"lr {lr_big:g}, batch {batch_big}"]
mean_risk = smooth_risk.mean(axis=2)
for ax, pair, cmp in ((axes[0], (0, 1), lr_cmp), (axes[1], (0, 2), batch_cmp)):
    for k in pair:
        ax.plot(centres, smooth_risk[:, k], color=colors[k], lw=0.5, alpha=0.4)
        ax.plot(centres, mean_risk[:, k], color=colors[k], lw=2.2, label=labels[k])
        ax.plot(centres, smooth_expected[:, k], "--", color=colors[k], lw=1.2)
    ax.plot([cmp["cross"]], [np.interp(cmp["cross"], centres, mean_risk[:, pair[0]])],
            "D", color="black", ms=7)
    for (lo, hi), text in ((early_window, "small scale"), (late_window, "large scale")):
        ax.axvspan(lo, hi, color="grey", alpha=0.15)
        ax.text(np.sqrt(lo * hi), 0.02, text, transform=ax.get_xaxis_transform(),
                ha="center", fontsize=7.5, color="dimgrey")
    ax.set(xscale="log", yscale="log", xlabel="examples seen")
    ax.legend(fontsize=7.5)
axes[0].set(ylabel="excess risk", title="learning rate")
axes[1].set(title="batch size")
plt.show()

# %% [markdown]
# Around {glue:text}`small_scale` examples the large learning rate has {glue:text}`lr_early:.2f`
# times the risk of the small one (mean over {glue:text}`sgd_draws` runs); between
# {glue:text}`half_samples` and {glue:text}`n_samples` examples it has {glue:text}`lr_late:.1f`
# times. The seed-averaged curves
# cross at {glue:text}`lr_cross:.0f` examples (90 % bootstrap interval
# {glue:text}`lr_lo:.0f`–{glue:text}`lr_hi:.0f`; the exact expected risks cross at
# {glue:text}`lr_theory:.0f`). For the batch size: {glue:text}`batch_early:.2f` times early,
# {glue:text}`batch_late:.1f` times late, crossing at {glue:text}`batch_cross:.0f` examples
# ({glue:text}`batch_lo:.0f`–{glue:text}`batch_hi:.0f`; expected {glue:text}`batch_theory:.0f`).
#
# ## Claim checks
#
# Part A's checks use every draw (the worst draw where a sign matters). Part B's compare the two
# settings on every run, with the risk averaged over an octave of examples around
# {glue:text}`small_scale` (small scale) and over the last octave (large scale), which smooths the
# noisy last iterate of the large step. Thresholds come from seeds 0-4 and were confirmed on seeds
# 5-7.

# %%
ch.check(
    "l2_helps_near_interpolation",
    "at n = P the tuned L2 penalty divides the test error by at least 10 on every draw",
    gain_at_P.min(), ">=", 10,
)
ch.check(
    "l2_hurts_at_scale",
    f"at n = {n_grid[-1]} the same penalty raises the test error by at least 10 % on "
    "every draw",
    loss_at_max.min(), ">=", 1.1,
)
ch.check(
    "l2_curves_cross_once_beyond_P",
    "beyond n = P the penalised and unpenalised curves cross exactly once on every draw "
    "(share of draws)",
    np.mean(np.array(per_seed_crossings) == 1), ">=", 1.0,
)
ch.check(
    "best_penalty_shrinks_with_data",
    f"the best penalty at n = P is at least 10x the best at n = {n_grid[-1]} (median)",
    np.median(best_lam[:, i_P] / best_lam[:, -1]), ">=", 10,
)
ch.check(
    "large_lr_wins_small_scale",
    f"around {cfg.small_scale} examples the large learning rate has a risk at least "
    "15 % lower on every run (largest ratio large/small)",
    lr_cmp["early"].max(), "<", 0.85,
    known_miss="the large rate is ahead at small scale on every run we saw, but by "
    "how much varies: on a seed we had not tried (21) one run was only 10 % ahead",
)
ch.check(
    "small_lr_wins_large_scale",
    f"over the last octave up to {cfg.n_samples} examples the small learning rate is "
    "ahead by at least 20 % on every run (smallest ratio large/small)",
    lr_cmp["late"].min(), ">", 1.2,
)
ch.check(
    "small_batch_wins_small_scale",
    f"around {cfg.small_scale} examples batch {batch_small} has a risk at least 15 % "
    f"lower on every run (largest ratio batch {batch_small}/{batch_big})",
    batch_cmp["early"].max(), "<", 0.85,
)
ch.check(
    "large_batch_wins_large_scale",
    f"over the last octave up to {cfg.n_samples} examples batch {batch_big} is ahead by "
    f"at least 20 % on every run (smallest ratio batch {batch_small}/{batch_big})",
    batch_cmp["late"].min(), ">", 1.2,
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | setting | transformer language models pretrained at growing scale | a random-feature model solved exactly (A); online SGD on linear regression, simulated in torch (B) |
# | explicit L2 | stops helping at scale | tuned at $n = P$: {glue:text}`gain_at_P:.0f`x better there, {glue:text}`loss_at_max:.2f`x worse at $n$ = {glue:text}`n_max`; crossover at {glue:text}`cross_A_over_P:.1f` $P$ |
# | large learning rate, small batch | implicit regularisers of the old era; not a guide at scale | faster early ({glue:text}`lr_early:.2f`x, {glue:text}`batch_early:.2f`x the risk), worse late ({glue:text}`lr_late:.1f`x, {glue:text}`batch_late:.1f`x) |
# | scaling-law crossover | curves of two methods intersect; small-scale comparisons mislead | crossovers at {glue:text}`lr_cross:.0f` (learning rate) and {glue:text}`batch_cross:.0f` (batch) examples, on every run |
#
# What differs and what we could not check. This is a position paper about large-scale language
# models; we could read its abstract, the caption of its first figure and the start of its
# introduction, not its experiments, so model sizes, data, optimizer settings and whether its "L2"
# is coupled L2 or decoupled weight decay are unverified. Our toys reproduce the *mechanism* the
# paper points at, not its numbers. In Part A the penalty helps where variance dominates (near
# interpolation) and hurts where bias and approximation dominate; note that with $n \ll P$ the
# unpenalised minimum-norm solution already regularises itself. In Part B the large learning rate
# and the small batch win early because they move faster per example, not because they regularise:
# online SGD never revisits an example, so there is nothing to overfit. The crossover is the point
# the paper makes, its cause here is speed against noise.
#
# One check is declared not reproduced at this scale after a run on seeds we had not used to set
# it: that the large learning rate is at least 15 % ahead around {glue:text}`small_scale` examples on
# *every* run. On seeds 0-2 and 22 it held (worst run 0.70x the small rate's risk or better); on
# seed 21 the worst run was 0.90x, ahead but by less. We kept the 15 % and report the miss rather
# than lower the bar; the crossover itself, and the small rate's lead at large scale, held on
# every seed we ran.
#
# ## Try it
#
# - Set `scale = "paper"`: a wider model (1000 features) and up to 50 000 examples in Part A, and
#   $2^{18}$ examples in Part B (minutes rather than seconds; we did not run it for this page).
#   Expect the same crossovers, with wider gaps at the large-scale end.
# - Tune $\lambda$ at $n$ = 1000 instead of $n = P$ (replace `i_P` by the index of 1000 in `k_tuned`):
#   the right panel says the tuned penalty will be smaller, so the crossover moves to larger $n$.
#   Every small-scale tuning has its own horizon.
#
# **Related chapters.**
# - {doc}`03_more_is_better_random_features`: a tuned ridge penalty at fixed data: more features never hurt.
# - {doc}`04_neural_scaling_laws`: the four regimes of scaling laws.
# - {doc}`01_linear_generalization_dynamics`: the overtraining peak that an L2 penalty removes.
