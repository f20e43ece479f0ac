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
# # Over-parameterization slows gradient descent in matrix sensing
#
# **Paper.** {cite:t}`xiong2023overparameterization`.
#
# **Claim.** Recover a low-rank positive semi-definite matrix from random linear measurements by
# gradient descent on a factorisation. With the symmetric factorisation $XX^\top$ and exactly as
# many columns as the rank, randomly initialised gradient descent converges linearly (the error
# shrinks by a constant factor per step). Give the factor more columns than the rank and it slows
# to a polynomial rate: the paper proves an $\Omega(1/T^2)$ lower bound after $T$ steps (we read
# it as a bound on the squared error, so the error cannot fall faster than $1/T$). Factorise asymmetrically, $FG^\top$, with the same extra columns, and the
# convergence is linear again, but at a rate that scales with the square of the initialisation
# scale $\alpha$. The paper also proposes a method that modifies a single step of gradient
# descent and removes that dependence on $\alpha$.
#
# **What we redraw.** The paper's comparison of symmetric and asymmetric factorisations, exactly
# and over-parameterised (error against iteration on a log scale); the polynomial rate on log-log
# axes, with the surplus singular values that cause it; the linear rate of the asymmetric
# factorisation against $\alpha$; and a one-step modification of our own construction (we could
# not read the paper's) whose rate no longer depends on $\alpha$. Matrices are {glue:text}`n` by
# {glue:text}`n` of rank {glue:text}`r` here.

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
from overparam_utils.fits import loglog_slope
from overparam_utils.plotting import OKABE_ITO, log_ticks, sweep_colors
from overparam_utils.sensing import (
    asymmetric_descent,
    factored_descent,
    gaussian_operator,
    linear_rate,
    low_rank_psd,
    measure,
)

# n x n ground truth with eigenvalues `spectrum` (rank r = len(spectrum)); k columns in
# the over-parameterised factors; m Gaussian measurements; lr and steps of gradient
# descent; alpha: the initial scale of the main comparison, alphas: the sweep of the
# asymmetric factorisation; rebalance_below: the relative residual at which the one-step
# modification fires; n_draws independent draws of operator, ground truth and init.
# paper preset: n = 50, rank 3 (its recorded run is on the Paper scale page).
PRESETS = {
    "smoke": dict(
        n=16, spectrum=[1.0, 0.5], k=4, m=400, lr=0.2, steps=3000, alpha=0.3,
        alphas=[0.15, 0.2, 0.3, 0.45], rebalance_below=1e-2, n_draws=3,
    ),
    "book": dict(
        n=20, spectrum=[1.0, 0.5], k=4, m=800, lr=0.2, steps=3000, alpha=0.3,
        alphas=[0.15, 0.2, 0.3, 0.45, 0.6], rebalance_below=1e-2, n_draws=5,
    ),
    "paper": dict(
        n=50, spectrum=[1.0, 0.75, 0.5], k=6, m=2500, lr=0.2, steps=8000, alpha=0.3,
        alphas=[0.1, 0.15, 0.2, 0.3, 0.45, 0.6], rebalance_below=1e-2, n_draws=3,
    ),
}
ch = chapter.setup(
    "07_matrix_sensing_slowdown", scale=scale, seed=seed, device=device, presets=PRESETS
)
cfg = ch.cfg
n, k, r, T = cfg.n, cfg.k, len(cfg.spectrum), cfg.steps

# %% [markdown]
# ## Setup
#
# The unknown matrix is $M^\ast = V\,\mathrm{diag}(\sigma_1, \dots, \sigma_r)\,V^\top$, an
# $n \times n$ positive semi-definite matrix of rank $r$ with a random orthonormal $V$. We observe
# $m$ numbers $y_i = \langle A_i, M^\ast\rangle$, where each sensing matrix $A_i$ has independent
# standard normal entries. With $m$ a few times $n r$ these measurements are *near-isotropic*: the
# operator $\mathcal A(M) = (\langle A_i, M\rangle)_i$ nearly preserves the norm of every low-rank
# matrix (the restricted isometry property the paper assumes).
#
# Gradient descent minimises the squared loss on a factorisation of the estimate, either
#
# $$L(X) = \frac{1}{2m}\sum_{i=1}^m \bigl(\langle A_i, XX^\top\rangle - y_i\bigr)^2
# \quad\text{or}\quad
# L(F, G) = \frac{1}{2m}\sum_{i=1}^m \bigl(\langle A_i, FG^\top\rangle - y_i\bigr)^2,$$
#
# with $X, F, G \in \mathbb R^{n\times k}$, $k = r$ (exact) or $k > r$ (over-parameterised), step
# {glue:text}`lr` and {glue:text}`steps` steps. Initial entries are Gaussian with standard
# deviation $\alpha/\sqrt n$ (each column has norm about $\alpha$). The paper's analysis of $FG^\top$
# rests on the *imbalance* between the two factors; we make it explicit by starting $G$ three times
# smaller than $F$ (the ratio is our choice: we could not read the paper's initialisation). The
# sensing matrices are not symmetric: a symmetric $A_i$ cannot see the antisymmetric part of
# $FG^\top$, so nothing would drive it to zero. We report the error
# $\lVert \widehat M_t - M^\ast\rVert_F$ against the step $t$, over {glue:text}`n_draws`
# independent draws of operator, ground truth and initialisation, run as one batched computation
# (`overparam_utils.sensing`). An exact run is the same computation with the columns beyond the
# $r$-th set to zero: zero columns get zero gradient and stay zero.

# %%
def draw(run_seed):
    """One draw: operator, ground truth, measurements and unit-scale initial factors."""
    rng = np.random.default_rng(run_seed)
    A = gaussian_operator(cfg.m, n, rng=rng)
    M_star = low_rank_psd(n, cfg.spectrum, rng)
    y = measure(A, M_star[None])  # (1, m): shared by every run of this draw
    Z = rng.standard_normal((3, n, k)) / np.sqrt(n)  # X, F and G before scaling
    return A, M_star, y, Z


draws = [draw(s) for s in ch.seeds(cfg.n_draws)]
A, M_star, y, Z = (np.stack(part) for part in zip(*draws, strict=True))
exact = np.ones(k)
exact[r:] = 0.0  # multiplying by this keeps the first r columns: an exact factor
alphas = np.array(cfg.alphas)
n_al = len(alphas)
i_alpha = list(cfg.alphas).index(cfg.alpha)
for name in ("lr", "steps", "n_draws", "k", "n", "m", "alpha"):
    ch.glue(name, cfg[name])
ch.glue("r", r)

# %% [markdown]
# ## Four factorisations, one target
#
# First the paper's headline comparison at $\alpha$ = {glue:text}`alpha`: symmetric and asymmetric
# factors, each with $k = r$ = {glue:text}`r` and $k$ = {glue:text}`k` columns. The symmetric runs
# are stopped at three checkpoints to look at their factors; the asymmetric runs cover the whole
# $\alpha$ sweep, exact and over-parameterised, and once more with the one-step modification of
# the last section (they share one batched loop; a threshold of 0 means plain descent).

# %%
checkpoints = [T // 9, T // 3, T]
X = cfg.alpha * np.stack([Z[:, 0] * exact, Z[:, 0]], axis=1)  # (draws, 2, n, k)
X_at, parts, done = {}, [], 0
for t_stop in checkpoints:
    X, part = factored_descent(
        A, y, X, lr=cfg.lr, steps=t_stop - done, target=M_star,
        desc=f"X X^T to {t_stop}",
    )
    parts.append(part if done == 0 else part[1:])
    X_at[t_stop], done = X, t_stop
err_sym = np.concatenate(parts)  # (T + 1, draws, 2): exact, over-parameterised

scales = np.r_[alphas, alphas, alphas][None, :, None, None]  # exact, plain, modified
cols = np.stack([exact] * n_al + [np.ones(k)] * (2 * n_al))[None, :, None, :]
F0 = scales * cols * Z[:, 1:2]  # (draws, 3 n_al, n, k)
G0 = scales / 3 * cols * Z[:, 2:3]
thresholds = np.r_[np.zeros(2 * n_al), np.full(n_al, cfg.rebalance_below)]
F_T, G_T, err_fg, switched = asymmetric_descent(
    A, y, F0, G0, lr=cfg.lr, steps=T, target=M_star, rebalance_below=thresholds,
    desc="F G^T",
)
err_asym_exact = err_fg[:, :, :n_al]  # (T + 1, draws, alphas)
err_asym = err_fg[:, :, n_al : 2 * n_al]
err_mod, switched = err_fg[:, :, 2 * n_al :], switched[:, 2 * n_al :]
curves = {
    f"$XX^\\top$, k = {r}": err_sym[:, :, 0],
    f"$XX^\\top$, k = {k}": err_sym[:, :, 1],
    f"$FG^\\top$, k = {r}": err_asym_exact[:, :, i_alpha],
    f"$FG^\\top$, k = {k}": err_asym[:, :, i_alpha],
}

# %% [markdown]
# The over-parameterised symmetric run is the odd one out. Why it is slow fits in one line: in
# the $k - r$ surplus directions the target is zero, so the estimate there is $X_e X_e^\top$, and
# the gradient step on $X_e$ is $X_e \leftarrow X_e - 2\eta\, X_e X_e^\top X_e$. A surplus
# singular value $x$ therefore shrinks like $x \leftarrow x - 2\eta x^3$: the smaller it gets the
# slower it moves, and $x_t^2 \approx 1/(4\eta t)$. The error it leaves, $x_t^2$ per surplus
# direction, falls like $1/t$ (squared error like $1/t^2$, the paper's bound), however long we
# run. We measure both: the surplus eigenvalues of $X_tX_t^\top$ (those beyond the $r$-th) at the
# checkpoints, multiplied by $4\eta t$ (the one-line model predicts 1), and the product
# $t \cdot$ error. The asymmetric factorisation escapes this because $F$ and $G$ need not shrink
# together: its surplus singular values (those of $F_tG_t^\top$ beyond the $r$-th) go to zero
# exponentially.

# %%
def surplus(M):
    """Mean of the singular values beyond the r-th of each matrix M (..., n, n)."""
    return np.linalg.svd(M, compute_uv=False)[..., r:k].mean(axis=-1)


def gram(X):
    return X @ np.swapaxes(X, -1, -2)


# 4 eta t x_t^2 per checkpoint and draw (the one-line model: 1)
surplus_sym = np.array(
    [4 * cfg.lr * t * surplus(gram(X_at[t][:, 1])) for t in checkpoints]
)
FG_T = F_T @ np.swapaxes(G_T, -1, -2)
surplus_asym = 4 * cfg.lr * T * surplus(FG_T)[:, n_al + i_alpha]


def one_over_t_ratio(err):
    """T err(T) / ((T/3) err(T/3)) per draw: 1 for err ~ 1/t, below 1 if faster."""
    return T * err[T] / ((T // 3) * err[T // 3])


ratio_sym = one_over_t_ratio(err_sym[:, :, 1])
ratio_asym = one_over_t_ratio(err_asym[:, :, i_alpha])
t_fit = np.arange(T // 3, T + 1)
slopes = loglog_slope(t_fit, err_sym[t_fit, :, 1], axis=0)  # one exponent per draw
slope = float(np.median(slopes))
t_err = {t: float(np.median(t * err_sym[t, :, 1])) for t in (T // 3, T)}
ch.glue(slope=slope, slope_lo=slopes.min(), slope_hi=slopes.max(), T_third=T // 3)
ch.glue(t_err_third=t_err[T // 3], t_err_T=t_err[T])
ch.glue(ratio_sym=np.median(ratio_sym), ratio_asym=np.median(ratio_asym))
ch.glue(surplus_first=np.median(surplus_sym[0]), surplus_T=np.median(surplus_sym[-1]))
ch.glue(surplus_lo=surplus_sym.min(), surplus_hi=surplus_sym.max(), T_ninth=T // 9)
ch.glue(surplus_asym=np.median(surplus_asym))
ch.glue("err_sym_over", np.median(err_sym[-1, :, 1]))
ch.glue("err_asym_over", np.median(err_asym[-1, :, i_alpha]))

# %% tags=["hide-input", "remove-output"]
colors = [OKABE_ITO[c] for c in ("blue", "vermillion", "sky", "green")]
styles = ["-", "-", "--", "--"]
steps_axis = np.arange(T + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.2, 3.6))
for (label, curve), color, ls in zip(curves.items(), colors, styles, strict=True):
    ax1.plot(steps_axis, np.median(curve, axis=1), ls, color=color, label=label)
ax1.set(yscale="log", xlabel="step t", ylabel=r"$\|\widehat M_t - M^\ast\|_F$",
        title=f"alpha = {cfg.alpha:g}, rank {r}, n = {n}", ylim=(1e-17, 10))
ax1.legend(loc="lower left", bbox_to_anchor=(0.2, 0.08))
for j in range(cfg.n_draws):
    ax2.plot(steps_axis[1:], err_sym[1:, j, 1], color=OKABE_ITO["vermillion"], lw=1,
             label=f"error, $XX^\\top$, k = {k}" if j == 0 else None)
for t, values in zip(checkpoints, surplus_sym, strict=True):
    ax2.plot(np.full(cfg.n_draws, t), values / (4 * cfg.lr * t), "o",
             color=OKABE_ITO["blue"], ms=3,
             label="surplus eigenvalues" if t == checkpoints[0] else None)
ax2.plot(steps_axis[10:], 1 / (4 * cfg.lr * steps_axis[10:]), ":", color="black",
         label=r"$1\,/\,(4\eta t)$")
ax2.set(xscale="log", yscale="log", xlabel="step t",
        title="over-parameterised, symmetric")
ax2.legend()
ch.figure("fig-ch07-four")

# %% [markdown]
# ```{glue:figure} fig-ch07-four
# :name: fig-ch07-four
#
# Left: error against step for the four factorisations (median over draws). Both exact factorisations and the
# over-parameterised asymmetric one fall in straight lines on this log scale (linear convergence) until
# round-off; the over-parameterised symmetric one bends and crawls. Right: the over-parameterised symmetric
# run on log-log axes: its error (lines, one per draw) and its surplus eigenvalues at the checkpoints (dots),
# against the one-line model's 1/(4 eta t) (dotted).
# ```

# %% [markdown]
# The surplus eigenvalues of the over-parameterised symmetric factor follow the one-line model:
# $4\eta t\,x_t^2$ is {glue:text}`surplus_first:.2f` at step {glue:text}`T_ninth` and
# {glue:text}`surplus_T:.2f` at the end (medians over draws; every draw and checkpoint between
# {glue:text}`surplus_lo:.2f` and {glue:text}`surplus_hi:.2f`), against the model's 1 (the model
# ignores the small deviations of the sensing operator from an isometry). For the asymmetric
# factor at the same $k$ and $\alpha$ the same number is {glue:text}`surplus_asym:.1e`. Over the
# last two thirds of the run the error falls like $t^{p}$ with $p$ = {glue:text}`slope:.3f`
# (median over draws; range {glue:text}`slope_lo:.3f` to {glue:text}`slope_hi:.3f`). The product
# $t \cdot$ error is {glue:text}`t_err_third:.2f` at step {glue:text}`T_third` and
# {glue:text}`t_err_T:.2f` at the end; their ratio is {glue:text}`ratio_sym:.2f`, where an error
# falling faster than $1/t$ would give less than 1 (the asymmetric run gives
# {glue:text}`ratio_asym:.1e`). After {glue:text}`steps` steps the symmetric run is still at an
# error of {glue:text}`err_sym_over:.1e`; the asymmetric factor with the same columns and initial
# scale is at {glue:text}`err_asym_over:.1e`.
#
# ## The asymmetric rate scales with $\alpha^2$
#
# The paper's rate for $FG^\top$ with $k > r$ is $\exp(-\Omega(\alpha^2 T))$: the surplus columns
# of $F$ stay at about their initial size $\alpha$ (gradient descent nearly preserves the
# imbalance $F^\top F - G^\top G$, which starts at order $\alpha^2$), and they are what pulls the
# surplus part of $G$ to zero. With $k = r$ there are no surplus columns and the rate does not
# depend on $\alpha$. We fit the linear rate $c$ in $\text{error} \propto e^{-ct}$ where the error
# lies between $10^{-12}$ and $10^{-3}$ (over-parameterised runs from step $T/6$, past their
# transient), and the exponent $q$ in $c \propto \alpha^q$ per draw, for both.

# %%
fit_from = T // 6
rates_gd = linear_rate(err_asym[fit_from:], 1e-12, 1e-3)  # (draws, alphas)
rates_exact = linear_rate(err_asym_exact, 1e-12, 1e-3)


def alpha_exponent(rates):
    """Slope of log(rate) on log(alpha) (NaN if a rate is missing)."""
    if not np.all(np.isfinite(rates)):
        return np.nan
    return loglog_slope(alphas, rates)


exponents = np.array([alpha_exponent(row) for row in rates_gd])
exponents_exact = np.array([alpha_exponent(row) for row in rates_exact])
exponent, exponent_exact = np.median(exponents), np.median(exponents_exact)
have_rate = np.mean(np.isfinite(np.r_[rates_gd.ravel(), rates_exact.ravel()]))
ch.glue("alpha_exponent", exponent)
ch.glue("alpha_exponent_lo", np.nanmin(exponents))
ch.glue("alpha_exponent_hi", np.nanmax(exponents))
ch.glue("alpha_exponent_exact", exponent_exact)
ch.glue("alpha_min", alphas.min())
ch.glue("alpha_max", alphas.max())
ch.glue("err_asym_small_alpha", np.median(err_asym[-1, :, 0]))

# %% [markdown]
# ## One modified step (our construction)
#
# Since the slow part is the small surplus columns of $F$, one step that enlarges them without
# changing the estimate should remove the $\alpha$-dependence. The product $FG^\top$ is unchanged
# if we replace $(F, G)$ by $(FP, GP^{-\top})$ for any invertible $P$. With the singular value
# decomposition $F = USW^\top$ we take $P = s\,W S^{-1} W^\top$, which makes every singular value
# of $F$ equal to $s$ (we use $s^2 = \lVert FG^\top\rVert_2$, the scale of the current estimate).
# The step fires once per run, at the first iteration where the relative training residual
# $\lVert\mathcal A(FG^\top) - y\rVert / \lVert y\rVert$ drops below
# {glue:text}`rebalance_below` (something the algorithm can see; the unknown $M^\ast$ is not
# used); every other step is plain gradient descent.
#
# The paper proposes a method of this kind, one modified step, but we could read only its
# abstract, so this rebalancing is the book's own construction of the idea, not the paper's step,
# and what it shows is that our step works, not that the paper's does. Note also that it sets the
# singular values of $F$ to $s$ whatever $\alpha$ was, so an $\alpha$-free rate afterwards is close
# to what the construction is built to give. The modified runs start from the same factors as the
# plain ones; their rate is fitted from the step where the modification fired, in the same error
# window.

# %%
after = np.arange(T + 1)[:, None, None] >= switched  # each modified run from its switch
rates_mod = linear_rate(np.where(after, err_mod, np.nan), 1e-12, 1e-3)  # (draws, al.)
spread_gd = np.median(rates_gd.max(axis=1) / rates_gd.min(axis=1))
spread_mod = np.median(rates_mod.max(axis=1) / rates_mod.min(axis=1))
# plain GD at the smallest alpha: its mean rate over the same tail
mean_rate_gd = np.log(err_asym[fit_from, :, 0] / err_asym[-1, :, 0]) / (T - fit_from)
speedup = np.median(rates_mod[:, 0] / mean_rate_gd)
ch.glue("rebalance_below", f"{cfg.rebalance_below:g}")
ch.glue("spread_gd", spread_gd)
ch.glue("spread_mod", spread_mod)
ch.glue("speedup", speedup)
ch.glue("rate_mod", np.median(rates_mod))
ch.glue("switch_median", np.median(switched))

# %% tags=["hide-input", "remove-output"]
colors = sweep_colors(len(alphas))
fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(10.5, 3.4))
for j, (a, color) in enumerate(zip(alphas, colors, strict=True)):
    ax1.plot(steps_axis, np.median(err_asym[:, :, j], axis=1), color=color,
             label=f"alpha = {a:g}")
    ax2.plot(steps_axis, np.median(err_mod[:, :, j], axis=1), color=color)
    t_sw = int(np.median(switched[:, j]))
    ax2.plot(t_sw, np.median(err_mod[t_sw, :, j]), "o", color=color, mfc="none")
for ax, title in ((ax1, "plain gradient descent"), (ax2, "one modified step (ours)")):
    ax.set(yscale="log", xlabel="step t", title=title, ylim=(1e-16, 3))
ax1.set_ylabel(r"$\|F_tG_t^\top - M^\ast\|_F$")
ax1.legend(fontsize=7.5)
for rates, color, label in (
    (rates_gd, OKABE_ITO["blue"], f"plain GD, k = {k}"),
    (rates_exact, OKABE_ITO["sky"], f"plain GD, k = r = {r}"),
    (rates_mod, OKABE_ITO["vermillion"], "one modified step"),
):
    for row in rates:
        ax3.plot(alphas, row, "o", color=color, ms=3, alpha=0.5)
    ax3.plot(alphas, np.nanmedian(rates, axis=0), "-", color=color, label=label)
anchor = np.nanmedian(rates_gd[:, -1]) / alphas[-1] ** 2
ax3.plot(alphas, anchor * alphas**2, "--", color="black", lw=1,
         label=r"$\propto \alpha^2$")
ax3.set(xscale="log", yscale="log", xlabel=r"initial scale $\alpha$",
        ylabel="linear rate c per step", title="rate against alpha")
log_ticks(ax3, list(alphas))
ax3.legend(fontsize=7.5)
ch.figure("fig-ch07-alpha")

# %% [markdown]
# ```{glue:figure} fig-ch07-alpha
# :name: fig-ch07-alpha
#
# Left: the over-parameterised asymmetric factorisation under plain gradient descent, one curve per initial
# scale (median over draws): straight lines whose slope grows with alpha. Middle: the same runs with our one
# modified step (circles: where it fired). Right: the fitted linear rate against alpha (dots: draws) for plain
# gradient descent, the exact factorisation and the modified step, with an alpha-squared line (dashed).
# ```

# %% [markdown]
# Under plain gradient descent the fitted rate of the over-parameterised factorisation grows like
# $\alpha^{q}$ with $q$ = {glue:text}`alpha_exponent:.2f` (median over draws; range
# {glue:text}`alpha_exponent_lo:.2f` to {glue:text}`alpha_exponent_hi:.2f`), against $q = 2$ in
# the paper's rate: the rate at $\alpha$ = {glue:text}`alpha_max:g` is {glue:text}`spread_gd:.1f`
# times that at $\alpha$ = {glue:text}`alpha_min:g`. The exact factorisation's rate hardly depends
# on $\alpha$ ($q$ = {glue:text}`alpha_exponent_exact:.2f`). The small initialisation is a curse
# here: at $\alpha$ = {glue:text}`alpha_min:g` the over-parameterised asymmetric run ends at an
# error of {glue:text}`err_asym_small_alpha:.1e`. With our one modified step (it fired at step
# {glue:text}`switch_median:.0f`, median over runs) every $\alpha$ converges at about the same
# rate, {glue:text}`rate_mod:.3f` per step: fastest over slowest is {glue:text}`spread_mod:.2f`.
# At the smallest $\alpha$ that rate is {glue:text}`speedup:.0f` times the mean rate of plain
# gradient descent over the same tail.
#
# ## Claim checks
#
# Each check is a median over the {glue:text}`n_draws` draws, and each claim is compared with a
# control: the same number for a factorisation where the paper predicts the opposite. Errors at
# machine precision ($\sim 10^{-15}$) count as converged.

# %%
ch.check(
    "every_alpha_has_a_linear_rate",
    "every run of the alpha sweep (exact and over-parameterised F G^T, every draw) "
    "gets below an error of 1e-3, so each exponent is fitted over the whole sweep",
    have_rate, ">=", 1.0, kind="setup",
)
ch.check(
    "exact_symmetric_converges_linearly",
    f"with k = r, gradient descent on X X^T reaches an error below 1e-10 within T/3 = "
    f"{T // 3} steps (linear convergence)",
    np.median(err_sym[T // 3, :, 0]), "<", 1e-10,
    control=np.median(err_sym[T // 3, :, 1]),
    control_is=f"k = {k} > r columns (X X^T over-parameterised)",
)
ch.check(
    "exact_asymmetric_converges_linearly",
    f"with k = r, gradient descent on F G^T at alpha = {cfg.alpha:g} reaches an error "
    f"below 1e-10 within T/3 = {T // 3} steps",
    np.median(err_asym_exact[T // 3, :, i_alpha]), "<", 1e-10,
    control=np.median(err_asym[T // 3, :, i_alpha]),
    control_is=f"k = {k} > r columns (F G^T over-parameterised)",
)
ch.check(
    "overparameterized_symmetric_no_faster_than_1_over_t",
    f"with k = {k} > r, the error of X X^T falls no faster than 1/t (the paper's "
    "Omega(1/T^2) lower bound on the squared error): T err(T) / ((T/3) err(T/3)) is at "
    "least 0.8",
    np.median(ratio_sym), ">=", 0.8,
    control=np.median(ratio_asym),
    control_is="the asymmetric F G^T with the same k and alpha",
)
ch.check(
    "surplus_eigenvalues_decay_as_1_over_4_eta_t",
    f"with k = {k} > r, the k - r surplus eigenvalues x_T^2 of X X^T at the last step "
    "follow 1/(4 eta t): 4 eta T x_T^2 between 0.5 and 2",
    np.median(surplus_sym[-1]), "between", (0.5, 2.0),
    control=np.median(surplus_asym),
    control_is="the surplus singular values of F G^T with the same k and alpha",
)
ch.check(
    "asymmetric_is_exponentially_faster",
    f"at the same k = {k} > r and alpha = {cfg.alpha:g}, the final error of X X^T is "
    "over 100 times that of F G^T",
    np.median(err_sym[-1, :, 1] / err_asym[-1, :, i_alpha]), ">", 100,
    control=np.median(err_sym[-1, :, 0] / err_asym_exact[-1, :, i_alpha]),
    control_is="k = r (both factorisations exact)",
)
ch.check(
    "asymmetric_rate_scales_as_alpha_squared",
    f"the linear rate of F G^T with k = {k} > r grows like alpha^q over alpha from "
    f"{alphas.min():g} to {alphas.max():g}, q between 1.5 and 2.5 (the paper: alpha^2)",
    exponent, "between", (1.5, 2.5),
    control=exponent_exact,
    control_is="k = r (no surplus columns: the paper's rate is alpha-free)",
)
ch.check(
    "book_rebalancing_removes_alpha_dependence",
    "with the book's own one-step rebalancing (not the paper's step, which we could "
    "not read), the fastest linear rate over the alpha sweep is under 1.3 times the "
    "slowest",
    spread_mod, "<", 1.3,
    control=spread_gd,
    control_is="plain gradient descent (no modified step)",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | problem | $M^\ast$ PSD of rank $r$, RIP measurements | $n$ = {glue:text}`n`, $r$ = {glue:text}`r`, $m$ = {glue:text}`m` Gaussian measurements, {glue:text}`n_draws` draws |
# | $XX^\top$, $k = r$ | linear, $\exp(-\Omega(T))$ | linear, down to round-off |
# | $XX^\top$, $k > r$ | $\Omega(1/T^2)$ lower bound | error $\propto t^{p}$, $p$ = {glue:text}`slope:.3f`; $4\eta t x_t^2$ = {glue:text}`surplus_T:.2f` |
# | $FG^\top$, $k > r$ | linear, $\exp(-\Omega(\alpha^2 T))$, imbalanced factors | linear, rate $\propto \alpha^{q}$, $q$ = {glue:text}`alpha_exponent:.2f` ($k = r$: {glue:text}`alpha_exponent_exact:.2f`) |
# | $\alpha$-dependence | unavoidable for plain GD in the worst case | rates {glue:text}`spread_gd:.0f` times apart from $\alpha$ = {glue:text}`alpha_min:g` to {glue:text}`alpha_max:g` |
# | one-step modification | rate independent of $\alpha$ | not tested; our own rebalancing step: rates within a factor {glue:text}`spread_mod:.2f` |
#
# What differs and what we could not check: we read the paper's abstract, not its full text. Its
# experiment sizes, step size, number of measurements and initialisation (including the ratio of
# the two factors' scales) are not known to us; ours are our choices. The abstract does not say
# which error its $\Omega(1/T^2)$ bounds; we read it as the squared Frobenius error, so that the
# error itself falls no faster than $1/T$, and test it one-sided, as a bound: the check fails if
# the error falls faster than $1/t$, and our mechanism check measures the $1/(4\eta t)$ decay of
# the surplus eigenvalues directly. The paper's results are bounds up to constants, so we test
# exponents and ratios, not constants. Its one-step modification is described in the abstract only
# as modifying one step of gradient descent; the rebalancing used here is our construction of that
# idea (it keeps $FG^\top$, lifts the small singular values of $F$, and fires on the observable
# training residual). Its check therefore tests our step, not the paper's: the paper's claim 4 is
# not tested here, and since our step sets the singular values of $F$ independently of $\alpha$ by
# design, its check is weak evidence even for our step. In the recorded run of the `paper` preset
# (the {doc}`/book/paper_scale` page) one initialisation scale did not reach a linear rate within
# its budget, so the $\alpha^2$ exponent could not be fitted there and that check fails; the
# other claims held.
#
# ## Try it
#
# - Set `scale = "paper"`: $n = 50$, rank 3 and six columns. Do you expect the exponent of the
#   slowdown and the $\alpha^2$ scaling to change with the size of the matrix?
# - Add `0.05` to `alphas` in the `book` preset. Where do you expect plain gradient descent at that
#   scale to end after {glue:text}`steps` steps, compared with the symmetric over-parameterised
#   run, and what will the setup check on the sweep say?
#
# **Related chapters.**
# - {doc}`08_robust_matrix_recovery_subgradient`: robust recovery with an over-estimated rank, where small initialization is the cure.
# - {doc}`10_intrinsic_dimension`: how few directions of a larger parameter space training actually needs.
