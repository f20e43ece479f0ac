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
# # Robust matrix recovery with small initialization
#
# **Paper.** {cite:t}`ma2022global`.
#
# **Claim.** Recover a low-rank matrix from linear measurements of which a fraction is grossly
# corrupted, without knowing its rank. Factorise the estimate as $UU^\top$ with more columns than
# needed and run the sub-gradient method on the absolute ($\ell_1$) loss, from a *small* random
# initialisation and with a geometrically decaying step. The corrupted measurements then do not
# bias the result, and small initialisation *nullifies* the over-estimated rank: the method
# behaves as if it knew the rank (with a number of measurements that does not depend on the
# over-estimated rank), whereas from a large initialisation the same over-parameterised model
# stalls far from the truth. The same holds under dense Gaussian noise. The squared ($\ell_2$)
# loss, under the same corruption, fails.
#
# **What we redraw.** The error against iteration, on a log scale, for the exact and the
# over-estimated rank, for initial scales from 1 down to $10^{-6}$, and for the $\ell_1$ and
# $\ell_2$ losses; the final error against the initial scale; recovery under dense Gaussian
# noise as the noisy fraction grows; and where recovery breaks down as the number of
# measurements and the step decay change.

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
device = "auto"  # numpy only: this chapter runs on the CPU whatever this says

# %% tags=["hide-cell"]
import matplotlib.pyplot as plt
import numpy as np

from overparam_utils import chapter
from overparam_utils.plotting import OKABE_ITO, sweep_colors
from overparam_utils.sensing import (
    factored_descent,
    gaussian_operator,
    linear_rate,
    low_rank_psd,
    measure,
)

# d x d ground truth with eigenvalues `spectrum` (rank r = len(spectrum)); m symmetric
# Gaussian measurements; the sub-gradient method takes `steps` steps of size
# lr * decay^t; a fraction `outlier_fraction` of measurements gets outlier_scale * |z|
# added; alphas: the initial scales of the over-parameterised factor (k' = d columns),
# alphas_exact those of the exact one (k' = r); noise_fractions: the sweep of dense
# Gaussian noise (std noise_std), dense_fraction the density at which recovery is
# checked; m_sweep and decays: the breakdown sweep (the first m_sweep[-1] measurements
# are reused; each decay runs as many steps as brings lr * decay^t to the same final
# step); lr_l2: the constant step of least squares; n_draws independent draws.
# The "paper" preset is larger (d = 40, rank 3, 7200 measurements; not yet executed,
# expect tens of minutes).
PRESETS = {
    "smoke": dict(
        d=12, spectrum=[1.0, 0.5], m=1440, steps=750, lr=0.6, decay=0.98,
        outlier_fraction=0.2, outlier_scale=10.0, alphas=[1.0, 1e-6],
        alphas_exact=[1.0, 1e-6], noise_fractions=[0.7], dense_fraction=0.7,
        m_sweep=[360, 1440], decays=[0.98, 0.99], noise_std=1.0, lr_l2=0.1, n_draws=2,
    ),
    "book": dict(
        d=20, spectrum=[1.0, 0.5], m=2400, steps=750, lr=0.6, decay=0.98,
        outlier_fraction=0.2, outlier_scale=10.0, alphas=[1.0, 1e-2, 1e-4, 1e-6],
        alphas_exact=[1.0, 1e-6], noise_fractions=[0.5, 0.7, 0.8, 0.9],
        dense_fraction=0.7, m_sweep=[600, 1200, 2400], decays=[0.98, 0.99],
        noise_std=1.0, lr_l2=0.1, n_draws=3,
    ),
    "paper": dict(
        d=40, spectrum=[1.0, 0.75, 0.5], m=7200, steps=2000, lr=0.6, decay=0.99,
        outlier_fraction=0.3, outlier_scale=10.0,
        alphas=[1.0, 1e-2, 1e-4, 1e-6, 1e-8], alphas_exact=[1.0, 1e-6],
        noise_fractions=[0.5, 0.7, 0.8, 0.9], dense_fraction=0.7,
        m_sweep=[1800, 3600, 7200], decays=[0.99, 0.995], noise_std=1.0, lr_l2=0.1,
        n_draws=5,
    ),
}
ch = chapter.setup(
    "08_robust_matrix_recovery_subgradient",
    scale=scale, seed=seed, device=device, presets=PRESETS,
)
cfg = ch.cfg
d, r, T = cfg.d, len(cfg.spectrum), cfg.steps

# %% [markdown]
# ## Setup
#
# The unknown $X^\ast = V\,\mathrm{diag}(\sigma_1, \dots, \sigma_r)\,V^\top$ is a $d \times d$
# positive semi-definite matrix of rank $r$. We observe $y_i = \langle A_i, X^\ast\rangle + s_i$,
# $i = 1, \dots, m$, with symmetric Gaussian sensing matrices $A_i$ and corruptions $s_i$ of two
# kinds:
#
# * **outliers**: a random fraction {glue:text}`outlier_fraction` of the measurements gets
#   $s_i = $ {glue:text}`outlier_scale` $\cdot |z_i|$, $z_i$ standard normal: huge, one-sided
#   values (a clean measurement is of order $\lVert X^\ast\rVert_F \approx 1$);
# * **dense Gaussian noise**: a fraction $p$ of the measurements, up to most of them, gets
#   Gaussian noise $s_i$ of mean zero and standard deviation {glue:text}`noise_std`.
#
# The estimate is $UU^\top$ with $U \in \mathbb R^{d\times k'}$, either $k' = r$
# (the rank is known) or $k' = d$ = {glue:text}`d` (the rank is over-estimated as much as it can
# be). The sub-gradient method on the $\ell_1$ loss
#
# $$f(U) = \frac{1}{m}\sum_{i=1}^m \bigl|\langle A_i, UU^\top\rangle - y_i\bigr|$$
#
# takes the steps $U_{t+1} = U_t - \eta_t (D_t + D_t^\top) U_t$ with
# $D_t = \frac1m\sum_i \operatorname{sign}(\langle A_i, U_tU_t^\top\rangle - y_i)\,A_i$ and the
# geometric step $\eta_t = \eta_0\rho^t$, $\eta_0$ = {glue:text}`lr`, $\rho$ = {glue:text}`decay`,
# for {glue:text}`steps` steps; $U_0$ has Gaussian entries of standard deviation $\alpha/\sqrt d$.
# Only the signs of the residuals enter $D_t$, so the size of an outlier does not matter. The
# $\ell_2$ baseline runs gradient descent on $\frac{1}{2m}\sum_i(\langle A_i, UU^\top\rangle -
# y_i)^2$ with the constant step {glue:text}`lr_l2`. The main experiment uses $m$ =
# {glue:text}`m` measurements; a last section repeats the key runs on the first
# {glue:text}`m_smallest` of them and with a slower step decay. We report
# $\lVert U_tU_t^\top - X^\ast\rVert_F$ over {glue:text}`n_draws` independent draws, every run of
# a draw batched into one computation (`overparam_utils.sensing`). An exact-rank run is the same
# $d$-column factor with its columns beyond the $r$-th set to zero (they get zero
# (sub-)gradient and stay zero).

# %%
alphas, alphas_exact = np.array(cfg.alphas), np.array(cfg.alphas_exact)
fractions = np.array(cfg.noise_fractions)
a_min = alphas.min()
exact = np.ones(d)
exact[r:] = 0.0


def draw(run_seed):
    """One draw: operator, truth, measurements (outliers, dense noise), initial U."""
    rng = np.random.default_rng(run_seed)
    A = gaussian_operator(cfg.m, d, rng=rng, symmetric=True)
    X_star = low_rank_psd(d, cfg.spectrum, rng)
    clean = measure(A, X_star[None])[0]
    hit = rng.random(cfg.m) < cfg.outlier_fraction
    y_out = clean + hit * cfg.outlier_scale * np.abs(rng.standard_normal(cfg.m))
    noisy = {
        p: clean + (rng.random(cfg.m) < p) * cfg.noise_std * rng.standard_normal(cfg.m)
        for p in sorted({*cfg.noise_fractions, cfg.dense_fraction})
    }
    Z = rng.standard_normal((d, d)) / np.sqrt(d)  # one unit-scale init per draw
    return A, X_star, y_out, np.stack(list(noisy.values())), Z, hit.mean()


draws = [draw(s) for s in ch.seeds(cfg.n_draws)]
A, X_star, y_out, y_noisy, Z, hit_rate = (
    np.stack(part) for part in zip(*draws, strict=True)
)
noise_levels = sorted({*cfg.noise_fractions, cfg.dense_fraction})
i_dense_y = noise_levels.index(cfg.dense_fraction)
norm_truth = np.linalg.norm(X_star, axis=(-2, -1))  # the error of the zero matrix
for name in ("d", "m", "steps", "lr", "decay", "lr_l2", "n_draws", "noise_std"):
    ch.glue(name, cfg[name])
ch.glue("outlier_fraction", f"{cfg.outlier_fraction:g}")
ch.glue("outlier_scale", f"{cfg.outlier_scale:g}")
ch.glue("dense_fraction", f"{cfg.dense_fraction:g}")
ch.glue(r=r, m_smallest=min(cfg.m_sweep))


# %% [markdown]
# ## The sub-gradient method, exact and over-estimated rank
#
# All $\ell_1$ runs of every draw go in one batched call: under the outliers, the exact rank
# from {glue:text}`n_alphas_exact` initial scales and the over-estimated rank from the whole
# $\alpha$ sweep; under each level of dense noise, both ranks from the smallest $\alpha$. The
# least-squares baseline (from the smallest initial scale, both ranks) is a second call.

# %%
def runs(ys, inits):
    """Stack per-draw measurement sets and initial factors into one batch of runs."""
    return np.stack(ys, axis=1), np.stack(inits, axis=1)


run_y = [y_out] * (len(alphas_exact) + len(alphas))
run_U = [a * Z * exact for a in alphas_exact] + [a * Z for a in alphas]
for p in cfg.noise_fractions:
    run_y += [y_noisy[:, noise_levels.index(p)]] * 2
    run_U += [a_min * Z * exact, a_min * Z]
y_main, U_main = runs(run_y, run_U)
n_ex, n_al, n_fr = len(alphas_exact), len(alphas), len(fractions)
U_T, err_l1 = factored_descent(
    A, y_main, U_main, lr=cfg.lr, decay=cfg.decay, steps=T, loss="l1", target=X_star,
    desc="sub-gradient, l1",
)  # (T + 1, draws, runs)
final_l1 = err_l1[-1]  # (draws, runs)
ex_runs = slice(0, n_ex)
over_runs = slice(n_ex, n_ex + n_al)
noise_exact = final_l1[:, n_ex + n_al :: 2]  # (draws, fractions), k' = r
noise_over = final_l1[:, n_ex + n_al + 1 :: 2]  # k' = d
i_ex_small, i_ex_big = int(np.argmin(alphas_exact)), int(np.argmax(alphas_exact))
i_small, i_big = n_ex + int(np.argmin(alphas)), n_ex + int(np.argmax(alphas))

l2_y = [y_out, y_out] + [y_noisy[:, i_dense_y]] * 2 + [
    y_noisy[:, noise_levels.index(p)] for p in cfg.noise_fractions
]
l2_U = [a_min * Z * exact, a_min * Z] * 2 + [a_min * Z * exact] * n_fr
y_l2, U_l2 = runs(l2_y, l2_U)
_, err_l2 = factored_descent(
    A, y_l2, U_l2, lr=cfg.lr_l2, steps=T, loss="l2", target=X_star,
    desc="gradient descent, l2",
)  # (T + 1, draws, runs): outliers r, d; dense r, d; then the noise sweep (k' = r)
final_l2 = err_l2[-1]
ch.glue("n_alphas_exact", n_ex)

# %% [markdown]
# With the rank known, the error falls in a straight line on a log scale, from a large or a tiny
# initialisation alike: the outliers, a fraction {glue:text}`hit_rate:.2f` of the measurements, do
# not stop it. The slope is the step size's: the error shrinks by the factor $\rho$ per step
# (the measured rate is {glue:text}`rate_ratio:.2f` times $-\ln\rho$). That is no extra evidence:
# a sub-gradient step has a length of order $\eta_t$, so once the iterates approach $X^\ast$ the
# error can only follow the schedule, and the final error, {glue:text}`err_exact:.1e`, is a floor
# set by the steps, not by the data. Least squares on the same data ends at
# {glue:text}`err_l2_exact:.2f`, against {glue:text}`norm_truth:.2f` for the zero matrix.

# %%
fit = slice(T // 3, None)
rates = linear_rate(err_l1[fit, :, ex_runs], 1e-12, 1.0)  # (draws, alphas_exact)
rate_ratio = float(np.median(rates) / -np.log(cfg.decay))
err_exact = float(np.median(final_l1[:, ex_runs].max(axis=1)))
ch.glue("hit_rate", hit_rate.mean())
ch.glue("rate_ratio", rate_ratio)
ch.glue("err_exact", err_exact)
ch.glue("err_l2_exact", np.median(final_l2[:, 0]))
ch.glue("norm_truth", norm_truth.mean())

# %% tags=["hide-input", "remove-output"]
steps_axis = np.arange(T + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.2, 3.6), sharey=True)
exact_colors = [OKABE_ITO["orange"], OKABE_ITO["blue"]]
for j, a in enumerate(alphas_exact):
    ax1.plot(steps_axis, np.median(err_l1[:, :, j], axis=1), color=exact_colors[j % 2],
             label=f"$\\ell_1$, alpha = {a:g}")
ax1.plot(steps_axis, np.median(err_l2[:, :, 0], axis=1), "--", color="black",
         label=f"$\\ell_2$, alpha = {a_min:g}")
ax1.set(yscale="log", xlabel="step t", ylabel=r"$\|U_tU_t^\top - X^\ast\|_F$",
        title=f"exact rank, k' = r = {r}")
ax1.legend()
for j, (a, color) in enumerate(zip(alphas, sweep_colors(n_al), strict=True)):
    ax2.plot(steps_axis, np.median(err_l1[:, :, n_ex + j], axis=1), color=color,
             label=f"$\\ell_1$, alpha = {a:g}")
ax2.plot(steps_axis, np.median(err_l1[:, :, i_ex_small], axis=1), color="grey", lw=1,
         label="exact rank (left)")
ax2.plot(steps_axis, np.median(err_l2[:, :, 1], axis=1), "--", color="black",
         label=f"$\\ell_2$, alpha = {a_min:g}")
ax2.set(xlabel="step t", title=f"over-estimated rank, k' = d = {d}")
ax2.legend(fontsize=7.5)
ch.figure("fig-ch08-curves")

# %% [markdown]
# ```{glue:figure} fig-ch08-curves
# :name: fig-ch08-curves
#
# Error against iteration under outliers (median over draws). Left: the exact rank from a large and a tiny
# initialisation, and the squared loss (dashed). Right: the rank over-estimated as much as possible, one curve
# per initial scale, with the exact-rank run from the smallest scale (grey) for comparison.
# ```

# %% [markdown]
# ## Small initialisation removes the cost of over-parameterisation
#
# With $m$ = {glue:text}`m` measurements and $k' = d$, the factor can represent any positive
# semi-definite matrix. From $\alpha = 1$ the run stops at an error of {glue:text}`err_big_init:.1e`, {glue:text}`ratio_big_exact:.0f` times
# the exact-rank error from the same start: the $d - r$ surplus directions start as large as the
# signal and have to be shrunk away, which over-parameterised descent does only slowly (compare the
# symmetric slowdown of {doc}`07_matrix_sensing_slowdown`), while the geometric step decay freezes
# the run first. From a small $\alpha$ the surplus directions start tiny; the signal directions
# grow out of the initialisation exponentially fast and the surplus ones stay small. At $\alpha$ =
# {glue:text}`alpha_min:g` the over-estimated rank ends at {glue:text}`err_small_init:.1e`,
# {glue:text}`null_ratio:.2f` times the exact-rank error from the same start (median over draws)
# and {glue:text}`init_gain:.0f` times below the error from $\alpha = 1$ (for the exact rank the
# same ratio is {glue:text}`init_gain_exact:.2f`); its error falls at
# {glue:text}`rate_ratio_over:.2f` times $-\ln\rho$ over the last two thirds of the run, like the
# exact rank's. Between neighbouring values of the $\alpha$ grid the final error changes by at
# most a factor {glue:text}`worst_step:.2f` (median over draws; a factor below 1 means that
# every smaller initialisation ends lower).

# %%
order = np.argsort(alphas)[::-1]  # from the largest alpha down
final_by_alpha = final_l1[:, over_runs][:, order]  # (draws, alphas), alpha decreasing
step_ratios = final_by_alpha[:, 1:] / final_by_alpha[:, :-1]
worst_step = float(np.median(step_ratios, axis=0).max())
init_gain = float(np.median(final_l1[:, i_big] / final_l1[:, i_small]))
init_gain_exact = float(np.median(final_l1[:, i_ex_big] / final_l1[:, i_ex_small]))
null_ratio = float(np.median(final_l1[:, i_small] / final_l1[:, i_ex_small]))
null_ratio_big = float(np.median(final_l1[:, i_big] / final_l1[:, i_ex_big]))
rate_over = linear_rate(err_l1[fit, :, i_small], 1e-12, 1.0)
ch.glue("err_big_init", np.median(final_l1[:, i_big]))
ch.glue("err_small_init", np.median(final_l1[:, i_small]))
ch.glue("ratio_big_exact", null_ratio_big)
ch.glue("null_ratio", null_ratio)
ch.glue("init_gain", init_gain)
ch.glue("init_gain_exact", init_gain_exact)
ch.glue("rate_ratio_over", np.median(rate_over) / -np.log(cfg.decay))
ch.glue("alpha_min", a_min)
ch.glue("worst_step", worst_step)

# %% [markdown]
# ## Dense noise
#
# The same method from the smallest initialisation, under Gaussian noise on a growing fraction
# $p$ of the measurements, with the rank known and over-estimated. Since the noise is symmetric
# about zero, the clean measurements decide the sign of the sub-gradient on average; the fewer
# of them there are, the weaker that pull. Least squares averages the noise in.

# %%
i_dense = list(cfg.noise_fractions).index(cfg.dense_fraction)
ch.glue("err_dense_exact", np.median(noise_exact[:, i_dense]))
ch.glue("err_dense_over", np.median(noise_over[:, i_dense]))
ch.glue("err_dense_l2", np.median(final_l2[:, 3]))
ch.glue("p_max", fractions.max())
ch.glue("err_pmax_over", np.median(noise_over[:, -1]))

# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.2, 3.5))
for sel, grid, color, label in (
    (over_runs, alphas, OKABE_ITO["vermillion"], f"k' = d = {d}"),
    (ex_runs, alphas_exact, OKABE_ITO["blue"], f"k' = r = {r}"),
):
    for row in final_l1[:, sel]:
        ax1.plot(grid, row, "o", color=color, ms=3, alpha=0.5)
    ax1.plot(grid, np.median(final_l1[:, sel], axis=0), "-", color=color, label=label)
ax1.set(xscale="log", yscale="log", xlabel=r"initial scale $\alpha$",
        ylabel="final error", title=f"sub-gradient, l1, {T} steps")
ax1.invert_xaxis()
ax1.legend()
for values, color, ls, label in (
    (noise_exact, OKABE_ITO["green"], "-", f"$\\ell_1$, k' = r = {r}"),
    (noise_over, OKABE_ITO["vermillion"], "--", f"$\\ell_1$, k' = d = {d}"),
    (final_l2[:, 4:], "black", "-", f"$\\ell_2$, k' = r = {r}"),
):
    for row in values:
        ax2.plot(fractions, row, "o", color=color, ms=3, alpha=0.5)
    ax2.plot(fractions, np.median(values, axis=0), ls, color=color, label=label)
ax2.set(yscale="log", xlabel="fraction p of noisy measurements",
        title=f"dense Gaussian noise, std {cfg.noise_std:g}")
ax2.legend()
ch.figure("fig-ch08-final")

# %% [markdown]
# ```{glue:figure} fig-ch08-final
# :name: fig-ch08-final
#
# Left: final error against the initial scale (dots: draws; lines: medians) under outliers, for the
# over-estimated and the exact rank. Right: final error against the fraction of measurements with Gaussian
# noise, for the sub-gradient method with both ranks (smallest initial scale) and for least squares.
# ```

# %% [markdown]
# With a fraction $p$ = {glue:text}`dense_fraction` of the measurements noisy, the sub-gradient
# method ends at an error of {glue:text}`err_dense_exact:.1e` with the rank known and
# {glue:text}`err_dense_over:.1e` with the rank over-estimated; least squares (rank
# over-estimated) ends at {glue:text}`err_dense_l2:.2f`. At $p$ = {glue:text}`p_max:g` the
# over-estimated rank ends at {glue:text}`err_pmax_over:.1e`.
#
# ## Where recovery breaks down
#
# The paper's guarantees need enough measurements, and the step decay must leave the signal
# time to grow out of a small initialisation. We repeat the runs from the smallest $\alpha$ (and,
# for comparison, from the largest) on the first $m$ measurements of each draw, for $m$ in
# {glue:text}`m_grid` and for the step decays {glue:text}`decay_grid` (a slower decay runs more
# steps, so that every schedule ends at the same step size). For each run we also compare the
# $\ell_1$ loss at its output with the loss at $X^\ast$. A run that fails with a *higher* loss
# than $X^\ast$ was stopped short by its schedule (an optimisation failure); one that fails with a
# *lower* loss found a matrix that fits the corrupted data better than the truth does, so there
# $X^\ast$ does not minimise the loss (the paper says the method can reach $X^\ast$ even then).

# %%
sweep_kinds = ["outliers, k' = r", "outliers, k' = d", "dense, k' = r", "dense, k' = d"]
a_max = alphas.max()
sweep_y = [y_out, y_out, y_noisy[:, i_dense_y], y_noisy[:, i_dense_y], y_out, y_out]
sweep_U = [a_min * Z * exact, a_min * Z] * 2 + [a_max * Z * exact, a_max * Z]
y_sw, U_sw = runs(sweep_y, sweep_U)
# the same six runs inside the main experiment (m and decay of the main runs)
j_dense = n_ex + n_al + 2 * i_dense
in_main = [i_ex_small, i_small, j_dense, j_dense + 1, i_ex_big, i_big]


def loss_gap(A_s, U_s, yy):
    """l1 loss at the output minus l1 loss at the truth, per run: (draws, runs)."""
    loss_out = np.abs(measure(A_s, U_s @ np.swapaxes(U_s, -1, -2)) - yy).mean(-1)
    return loss_out - np.abs(measure(A_s, X_star[:, None]) - yy).mean(-1)


sweep_err, sweep_gap = {}, {}  # (m, decay) -> (draws, 6): final error, loss gap
for m_s in cfg.m_sweep:
    for rho in cfg.decays:
        if (m_s, rho) == (cfg.m, cfg.decay):  # already run above
            sweep_err[m_s, rho] = final_l1[:, in_main]
            sweep_gap[m_s, rho] = loss_gap(A, U_T[:, in_main], y_main[:, in_main])
            continue
        steps_rho = int(round(T * np.log(cfg.decay) / np.log(rho)))
        A_s, yy = A[:, :m_s], y_sw[..., :m_s]
        U_s, e_s = factored_descent(
            A_s, yy, U_sw, lr=cfg.lr, decay=rho, steps=steps_rho, loss="l1",
            target=X_star, desc=f"m = {m_s}, rho = {rho:g}",
        )
        sweep_err[m_s, rho], sweep_gap[m_s, rho] = e_s[-1], loss_gap(A_s, U_s, yy)

# least squares (k' = r, smallest alpha) under the outliers at each m, against ||X*||_F
l2_by_m = {cfg.m: final_l2[:, 0] / norm_truth}
for m_s in (v for v in cfg.m_sweep if v != cfg.m):
    _, e_s = factored_descent(
        A[:, :m_s], y_out[:, None, :m_s], a_min * Z[:, None] * exact, lr=cfg.lr_l2,
        steps=T, loss="l2", target=X_star, desc=f"l2, m = {m_s}",
    )
    l2_by_m[m_s] = e_s[-1, :, 0] / norm_truth

print("median final error (loss at output minus loss at X*, median over draws)")
print(f"{'m':>6} {'rho':>6}  " + "  ".join(f"{k:>24}" for k in sweep_kinds))
for (m_s, rho), e in sweep_err.items():
    gap = np.median(sweep_gap[m_s, rho], axis=0)
    med = np.median(e, axis=0)
    cells = [f"{v:9.1e} ({g:+9.1e})" for v, g in zip(med, gap, strict=True)]
    print(f"{m_s:>6} {rho:>6g}  " + "  ".join(f"{c:>24}" for c in cells[:4]))

m_lo, m_hi = min(cfg.m_sweep), max(cfg.m_sweep)
rho_0, rho_slow = cfg.decay, max(cfg.decays)
e_lo, e_slow = sweep_err[m_lo, rho_0], sweep_err[m_hi, rho_slow]
null_small_m = float(np.median(e_lo[:, 1] / e_lo[:, 0]))
null_small_m_big = float(np.median(e_lo[:, 5] / e_lo[:, 4]))
null_slow_draws = e_slow[:, 1] / e_slow[:, 0]
null_slow = float(np.median(null_slow_draws))
null_slow_big = float(np.median(e_slow[:, 5] / e_slow[:, 4]))
failed = np.concatenate([e[:, :4] > 1e-3 for e in sweep_err.values()])
below_star = np.concatenate([g[:, :4] < 0 for g in sweep_gap.values()])
ch.glue("m_grid", ", ".join(str(v) for v in cfg.m_sweep))
ch.glue("decay_grid", ", ".join(f"{v:g}" for v in cfg.decays))
ch.glue("m_lo", m_lo)
ch.glue("rho_slow", f"{rho_slow:g}")
ch.glue("null_small_m", null_small_m)
ch.glue("null_slow", null_slow)
ch.glue(null_slow_lo=null_slow_draws.min(), null_slow_hi=null_slow_draws.max())
ch.glue("n_failed", int(failed.sum()))
ch.glue("n_sweep_runs", failed.size)
ch.glue("n_failed_below", int((failed & below_star).sum()))
ch.glue("err_small_m_exact", np.median(sweep_err[m_lo, rho_0][:, 0]))
ch.glue("err_small_m_over", np.median(sweep_err[m_lo, rho_0][:, 1]))
ch.glue("l2_rel_small_m", np.median(l2_by_m[m_lo]))
ch.glue("l2_rel", np.median(l2_by_m[cfg.m]))

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, 2, figsize=(9.2, 3.5), sharey=True)
colors = sweep_colors(len(cfg.decays) + 1)[: len(cfg.decays)]
for ax, (j0, title) in zip(axes, ((0, "outliers"), (2, "dense noise")), strict=True):
    for rho, color in zip(cfg.decays, colors, strict=True):
        for j, ls in ((j0, "-"), (j0 + 1, "--")):
            err_m = [np.median(sweep_err[m_s, rho][:, j]) for m_s in cfg.m_sweep]
            gap_m = [np.median(sweep_gap[m_s, rho][:, j]) for m_s in cfg.m_sweep]
            ax.plot(cfg.m_sweep, err_m, ls, color=color,
                    label=f"rho = {rho:g}, {sweep_kinds[j].split(', ')[1]}")
            for m_s, e, g in zip(cfg.m_sweep, err_m, gap_m, strict=True):
                ax.plot(m_s, e, "o", color=color, mfc=color if g < 0 else "white")
    ax.set(xscale="log", yscale="log", xlabel="measurements m", title=title)
axes[0].set_ylabel("final error")
axes[1].legend(fontsize=7.5)
ch.figure("fig-ch08-breakdown")

# %% [markdown]
# ```{glue:figure} fig-ch08-breakdown
# :name: fig-ch08-breakdown
#
# Final error of the sub-gradient method from the smallest initial scale against the number of measurements
# (median over draws), for the exact (solid) and over-estimated (dashed) rank, under outliers (left) and dense
# noise (right), one colour per step decay. Filled markers: the output has a lower l1 loss than the truth;
# open markers: a higher one.
# ```

# %% [markdown]
# With $m$ = {glue:text}`m_lo` measurements and $\rho$ = {glue:text}`decay`, the exact rank
# still recovers $X^\ast$ under the outliers (error {glue:text}`err_small_m_exact:.1e`), but the
# over-estimated rank from the smallest $\alpha$ ends {glue:text}`null_small_m:.0f` times higher
# (error {glue:text}`err_small_m_over:.1e`): at this scale the over-estimated rank needs more
# measurements than the exact one. With all {glue:text}`m` measurements but the slower decay
# $\rho$ = {glue:text}`rho_slow`, the ratio is {glue:text}`null_slow:.1f` (median; the draws
# range from {glue:text}`null_slow_lo:.1f` to {glue:text}`null_slow_hi:.1f`), against
# {glue:text}`null_ratio:.2f` with $\rho$ = {glue:text}`decay`. Of the
# {glue:text}`n_sweep_runs` sweep runs from the smallest $\alpha$ (all draws), {glue:text}`n_failed`
# end above an error of $10^{-3}$, and {glue:text}`n_failed_below` of those end with a lower
# $\ell_1$ loss than $X^\ast$. Least squares (rank known) under the same outliers ends at
# {glue:text}`l2_rel_small_m:.2f` times the error of the zero matrix with {glue:text}`m_lo`
# measurements and at {glue:text}`l2_rel:.2f` times with {glue:text}`m`: the outliers are
# independent of the sensing matrices, so their pull on least squares shrinks as $m$ grows, but it
# stays far from $X^\ast$.
#
# ## Claim checks
#
# Each check is a median over the {glue:text}`n_draws` draws, with $m$ = {glue:text}`m` and
# $\rho$ = {glue:text}`decay` unless it says otherwise; each is compared with a control, the same
# number where the paper's mechanism is absent.

# %%
ch.check(
    "l1_recovers_exact_rank_under_outliers",
    f"with k' = r and a fraction {cfg.outlier_fraction:g} of outliers, the "
    "sub-gradient method on the l1 loss ends below an error of 1e-5 from every initial "
    "scale",
    err_exact, "<", 1e-5,
    control=np.median(final_l2[:, 0]),
    control_is="the l2 loss (least squares) on the same data",
)
ch.check(
    "small_init_nullifies_overparameterization",
    f"with the rank over-estimated (k' = d) and alpha = {a_min:g}, the final error is "
    "within a factor 10 of the exact rank's from the same start",
    null_ratio, "<", 10,
    control=null_ratio_big,
    control_is="a large initialisation, alpha = 1",
)
ch.check(
    "small_init_beats_large_init",
    f"with k' = d, the final error from alpha = 1 is over 100 times that from alpha = "
    f"{a_min:g}",
    init_gain, ">", 100,
    control=init_gain_exact,
    control_is="the exact rank k' = r (no surplus directions to suppress)",
)
ch.check(
    "l2_fails_under_outliers",
    "with k' = r under the same outliers, least squares misses X* by more than a tenth "
    "of its norm (final error over ||X*||_F above 0.1: no recovery)",
    np.median(final_l2[:, 0] / norm_truth), ">", 0.1,
    control=np.median(final_l1[:, i_ex_small] / norm_truth),
    control_is="the l1 loss (sub-gradient method) on the same data",
)
ch.check(
    "l1_recovers_dense_noise_overestimated_rank",
    f"with the rank over-estimated (k' = d), alpha = {a_min:g} and Gaussian noise on a "
    f"fraction {cfg.dense_fraction:g} of the measurements, the sub-gradient method "
    "ends below an error of 1e-5",
    np.median(noise_over[:, i_dense]), "<", 1e-5,
    control=np.median(final_l2[:, 3]),
    control_is="the l2 loss (least squares) on the same data",
)
ch.check(
    "sample_size_independent_of_overestimated_rank",
    f"with only m = {m_lo} measurements (enough for the exact rank), the "
    f"over-estimated rank from alpha = {a_min:g} still ends within a factor 10 of the "
    "exact rank",
    null_small_m, "<", 10,
    control=null_small_m_big,
    control_is=f"a large initialisation, alpha = {a_max:g}, at m = {m_lo}",
    known_miss=f"at m = {m_lo} the over-estimated rank ends far above the exact rank: "
    "at this scale it needs more measurements, not the same number",
)
ch.check(
    "nullification_survives_a_slower_step_decay",
    f"with all m = {cfg.m} measurements and the slower decay rho = {rho_slow:g}, the "
    f"over-estimated rank from alpha = {a_min:g} still ends within a factor 10 of the "
    "exact rank",
    null_slow, "<", 10,
    control=null_slow_big,
    control_is=f"a large initialisation, alpha = {a_max:g}, with the same decay",
    known_miss=f"with rho = {rho_slow:g} the over-estimated rank ends more than 10 "
    "times above the exact rank on some seeds: nullification depends on the schedule",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | problem | $X^\ast$ PSD of rank $r$, Gaussian measurements, outliers or Gaussian noise, rank over-estimated $r' \ge r$ | $d$ = {glue:text}`d`, $r$ = {glue:text}`r`, $m$ = {glue:text}`m`, $k' \in \{r, d\}$, {glue:text}`n_draws` draws |
# | method | sub-gradient method, $\ell_1$ loss, small random init, geometric step decay | the same, $\eta_t$ = {glue:text}`lr` $\cdot$ {glue:text}`decay`$^t$ |
# | outliers, rank known | exact recovery, linear rate | error {glue:text}`err_exact:.1e` (the schedule's floor) |
# | over-estimated rank | small init nullifies it | at $\alpha$ = {glue:text}`alpha_min:g`: {glue:text}`null_ratio:.2f` times the exact-rank error; $\alpha = 1$: {glue:text}`ratio_big_exact:.0f` times |
# | sample size | independent of the over-estimated rank | not reproduced: at $m$ = {glue:text}`m_lo`, {glue:text}`null_small_m:.0f` times the exact-rank error |
# | dense Gaussian noise | recovery even when noise is dense and the $\ell_1$ minimiser is not $X^\ast$ | at $p$ = {glue:text}`dense_fraction`, over-estimated rank: error {glue:text}`err_dense_over:.1e` |
# | $\ell_2$ loss | (background: not robust) | error {glue:text}`err_l2_exact:.2f`, against {glue:text}`norm_truth:.2f` for the zero matrix; {glue:text}`l2_rel_small_m:.2f` times the zero matrix's at $m$ = {glue:text}`m_lo` |
#
# What differs and what we could not check: we could read the paper's abstract and introduction,
# not its theorems or experiments, so the step-size constants, whether the step is normalised, the
# outlier distribution and the sizes of its figures are our own choices. The nullification of the
# over-estimated rank reproduces here only in part: with $m$ = {glue:text}`m` measurements and
# $\rho$ = {glue:text}`decay` the smallest initialisation ends at the exact-rank error, but with
# {glue:text}`m_lo` measurements (which suffice for the exact rank) it does not, so at our scale
# the over-estimated rank costs measurements; and with the slower decay $\rho$ =
# {glue:text}`rho_slow` the ratio to the exact rank is {glue:text}`null_slow:.1f`. The paper's
# theorems tie the step schedule and the sample size to constants we could not read; we declare
# both claims not reproduced here rather than tune the schedule until they pass (a declared miss
# that passes on some seeds is shown as fragile on the Claims page). We did not test the paper's
# "perhaps surprisingly" case, recovery when $X^\ast$ does not minimise the $\ell_1$ loss: the
# sweep's loss comparison
# shows which failed runs found a better-fitting matrix, but we cannot tell whether $X^\ast$ is the
# minimiser where the method succeeds. An earlier version of this chapter checked that the exact
# rank's error falls at the rate $-\ln\rho$ of the step decay; that holds by construction once the
# method converges (a sub-gradient step has a length of order $\eta_t$), so it is described above
# and no longer counted as a check. The final errors are floors set by the step schedule, not by
# the data.
#
# ## Try it
#
# - Set `decay=0.96` in the `book` preset: the steps now add up to a shorter distance. What do you
#   expect from $\alpha = 10^{-6}$, whose signal has to grow out of the initialisation first, and
#   from $\alpha = 1$?
# - Set `outlier_fraction=0.5`: half of the measurements are now outliers. Will the exact rank
#   still be recovered, and how will the over-estimated rank and least squares fare?
#
# **Related chapters.**
# - {doc}`07_matrix_sensing_slowdown`: over-parameterization slowing plain gradient descent in matrix sensing.
# - {doc}`11_loss_landscape_degeneracy`: the flat directions that extra parameters add to a landscape.
