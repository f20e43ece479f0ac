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
# # The four regimes of neural scaling laws
#
# **Paper.** {cite:t}`bahri2021explaining`.
#
# **Claim.** The test loss of a well-trained model falls as a power law in the size of its data
# set $D$ and in its number of parameters $P$, in four distinct ways. When one resource is
# effectively unlimited and the other is merely large, the loss approaches its limit like $1/D$ or
# $1/P$, whatever the task: the *variance-limited* regimes, which only need a smooth
# infinite-data or infinite-width limit. When the other resource is unlimited, the loss falls like
# $D^{-\alpha_D}$ or $P^{-\alpha_P}$: the *resolution-limited* regimes, where the model is still
# resolving the structure of the data. In a random-feature model whose features have a power-law
# spectrum $\lambda_i \propto i^{-(1+\alpha)}$, both resolution-limited exponents equal $\alpha$,
# and they equal each other: a *duality* between data and parameters.
#
# **What we redraw.** The paper's random-feature teacher-student experiment: the four regimes on
# log-log axes with fitted slopes, and the fitted resolution-limited exponents against the
# spectrum's $\alpha$ for several values of $\alpha$.

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

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from overparam_utils import chapter
from overparam_utils.plotting import OKABE_ITO, log_ticks, sweep_colors
from overparam_utils.progress import progress
from overparam_utils.ridge import power_law
from overparam_utils.scaling import (
    least_squares_losses,
    loglog_slope,
    projection_loss,
    rf_min_norm_losses,
)

# latent_dim: latent coordinates M (must stay far above the largest size);
# res_sizes: the D (or P) of the resolution-limited sweeps, n_res draws with n_teachers
# teachers each, least squares on data_per_width * P samples for the width sweep.
# Variance-limited runs (at alpha = var_alpha, on the first var_latent_dim coordinates):
# var_width features and var_samples data sizes (n_var_data draws); var_n_train samples
# and var_widths widths (n_var_width draws). paper preset: sizes and alphas closer to the
# paper's figure (its exact values were not available to us).
PRESETS = {
    "smoke": dict(
        latent_dim=2048, alphas=[0.5, 1.0], res_sizes=[16, 32, 64], n_res=30,
        n_teachers=16, data_per_width=16, var_alpha=1.0, var_latent_dim=256,
        var_width=8, var_samples=[64, 128, 256, 512], n_var_data=80,
        var_n_train=8, var_widths=[64, 128, 256, 512], n_var_width=200,
    ),
    "book": dict(
        latent_dim=4096, alphas=[0.5, 1.0, 1.5], res_sizes=[16, 24, 32, 48, 64, 96, 128],
        n_res=20, n_teachers=16, data_per_width=16, var_alpha=1.0, var_latent_dim=1024,
        var_width=16, var_samples=[128, 256, 512, 1024, 2048], n_var_data=100,
        var_n_train=8, var_widths=[64, 128, 256, 512, 1024], n_var_width=200,
    ),
    "paper": dict(
        latent_dim=16384, alphas=[0.25, 0.5, 0.75, 1.0, 1.5, 2.0],
        res_sizes=[16, 32, 64, 128, 256, 512], n_res=50, n_teachers=32,
        data_per_width=32, var_alpha=1.0, var_latent_dim=4096, var_width=32,
        var_samples=[256, 512, 1024, 2048, 4096, 8192], n_var_data=400,
        var_n_train=16, var_widths=[128, 256, 512, 1024, 2048, 4096], n_var_width=400,
    ),
}
ch = chapter.setup("04_neural_scaling_laws", scale=scale, seed=seed, presets=PRESETS)
cfg = ch.cfg
alphas, sizes = cfg.alphas, cfg.res_sizes

# %% [markdown]
# ## Setup
#
# **The teacher-student random-feature model.** Latent inputs $z \in \mathbb R^M$ are Gaussian with
# covariance $\Lambda = \operatorname{diag}(\lambda_i)$, $\lambda_i = i^{-(1+\alpha)}$
# ($M$ = {glue:text}`latent_dim`). A teacher labels them linearly, $y = \omega^\top z$ with
# $\omega \sim \mathcal N(0, I_M)$, so the target puts power $\lambda_i\,\omega_i^2$ on direction
# $i$. The student sees $P$ random projections $Wz$ ($W$ a $P \times M$ matrix with independent
# $\mathcal N(0, 1/P)$ entries) and fits a linear read-out $\theta$ by least squares on $D$
# samples (the minimum-norm solution when $P > D$). Its test loss is exact: with latent weights
# $u = W^\top\theta$,
#
# $$L = \mathbb E\,(\theta^\top W z - \omega^\top z)^2 = (u - \omega)^\top \Lambda\,(u - \omega).$$
#
# **The two limits.** With unlimited features ($P \to \infty$, $W^\top W \to I$) the student is
# kernel regression with the linear kernel $z^\top z'$: on data $Z$ it learns exactly the part of
# $\omega$ in the span of the samples. With unlimited data ($D \to \infty$) it learns the best
# $\theta$ for its projections. Averaged over teachers, both losses are the same function,
#
# $$\bar L(A) = \operatorname{tr}\Lambda - \operatorname{tr}\bigl[(A\Lambda A^\top)^{-1}
# A\Lambda^2 A^\top\bigr],$$
#
# of a Gaussian matrix $A$: the $D \times M$ data for the first, the $P \times M$ projections for
# the second (`projection_loss`). In this model the duality is therefore exact. With $k$ rows,
# the student resolves roughly the top $k$ directions of the spectrum and misses the rest, whose
# variance $\sum_{i > k}\lambda_i$ falls like $k^{-\alpha}$. That is the prediction
# $\alpha_D = \alpha_P = \alpha$.
#
# **How we measure each regime.**
#
# | regime | held large | swept | measured |
# |---|---|---|---|
# | resolution-limited, data | $P = \infty$ (exact kernel limit) | $D$ | $L(D)$ |
# | resolution-limited, width | $D$ = {glue:text}`data_per_width` $\times P$ (least squares) | $P$ | $L(P)$ |
# | variance-limited, data | $P$ = {glue:text}`var_width` fixed, $D \gg P$ | $D$ | $L(D) - L(D{=}\infty)$ |
# | variance-limited, width | $D$ = {glue:text}`var_n_train` fixed, $P \gg D$ | $P$ | $L(P) - L(P{=}\infty)$ |
#
# The width-limited sweep fits a real finite data set rather than using the formula above, so the
# two resolution-limited measurements take different routes to the same prediction. The student
# only ever sees its $P$ features and the label, which are jointly Gaussian: we draw them from that
# $(P+1)$-dimensional law directly (`least_squares_losses`): the same distribution of data, $M$
# times cheaper. Every loss is averaged over {glue:text}`n_res` draws of data or projections (over
# teachers exactly for the data sweep, with {glue:text}`n_teachers` sampled teachers per draw for
# the width sweep), and each exponent is the slope of a least-squares line through $\log L$
# against $\log D$ or $\log P$.

# %%
res_D, res_P, res_P_limit = {}, {}, {}
for alpha in progress(alphas, desc="alpha"):
    lam = power_law(cfg.latent_dim, 1 + alpha)
    data_losses, width_losses, width_limits = [], [], []
    for run_seed in ch.seeds(cfg.n_res):
        rng = np.random.default_rng([run_seed, int(1000 * alpha)])
        X = rng.standard_normal((max(sizes), cfg.latent_dim))  # data, x coordinates
        data_losses.append(projection_loss(X, lam, sizes))  # P = infinity
        W = rng.standard_normal((max(sizes), cfg.latent_dim))  # projections
        omega = rng.standard_normal((cfg.latent_dim, cfg.n_teachers))
        excess, limit = least_squares_losses(
            (W * lam) @ W.T, W @ (lam[:, None] * omega),
            omega.T @ (lam[:, None] * omega), sizes,
            [cfg.data_per_width * P for P in sizes], rng,
        )
        width_losses.append((excess + limit).mean(axis=1))
        width_limits.append(limit.mean(axis=1))
    res_D[alpha] = np.mean(data_losses, axis=0)
    res_P[alpha] = np.mean(width_losses, axis=0)
    res_P_limit[alpha] = np.mean(width_limits, axis=0)

alpha_D = {a: -loglog_slope(sizes, res_D[a])[0] for a in alphas}
alpha_P = {a: -loglog_slope(sizes, res_P[a])[0] for a in alphas}
for name, value in dict(
    latent_dim=cfg.latent_dim, data_per_width=cfg.data_per_width,
    var_width=cfg.var_width, var_n_train=cfg.var_n_train, n_res=cfg.n_res,
    n_teachers=cfg.n_teachers,
).items():
    ch.glue(name, value)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch04-resolution", "caption": "Resolution-limited regimes for three spectra $\\lambda_i = i^{-(1+\\alpha)}$. Left: loss against the number of samples $D$ with unlimited features (kernel limit). Right: loss against the number of features $P$ with plenty of data (markers: least squares on a data set many times larger than $P$; thin line: the exact infinite-data loss). Dashed: slope $-\\alpha$. Steeper spectra give steeper, and matching, power laws in $D$ and in $P$."}}
colors = dict(zip(alphas, sweep_colors(len(alphas)), strict=True))


def reference_line(x, y, slope):
    """A power law of the given slope through the geometric centre of the points."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    centre = np.exp(np.mean(np.log(y)) - slope * np.mean(np.log(x)))
    return centre * x**slope


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.6), sharey=True)
for alpha in alphas:
    c = colors[alpha]
    ax1.plot(sizes, res_D[alpha], "o", color=c, label=rf"$\alpha$ = {alpha:g}: "
             f"fitted slope {-alpha_D[alpha]:.2f}")
    ax2.plot(sizes, res_P[alpha], "s", color=c, label=rf"$\alpha$ = {alpha:g}: "
             f"fitted slope {-alpha_P[alpha]:.2f}")
    ax2.plot(sizes, res_P_limit[alpha], color=c, lw=0.8)
    for ax, values in ((ax1, res_D[alpha]), (ax2, res_P[alpha])):
        ax.plot(sizes, reference_line(sizes, values, -alpha), "--", color=c, lw=1)
ax1.set(yscale="log", xlabel="samples D", ylabel="test loss",
        title="data-limited (P = infinity)")
ax2.set(xlabel="features P", title=f"width-limited (D = {cfg.data_per_width} P)")
for ax in (ax1, ax2):
    log_ticks(ax, [s for s in sizes if np.log2(s).is_integer()])
    ax.legend()
plt.show()

# %% [markdown]
# ## The variance-limited regimes
#
# Now hold one resource *finite* and let the other grow well past it.
#
# **Data.** A student with $P$ = {glue:text}`var_width` features can at best reach the loss
# $L(P, D{=}\infty)$. Least squares on $D \gg P$ samples adds an excess that falls like $1/D$: the
# fitted read-out is off by a sampling error of variance $\propto 1/D$. We average it over
# {glue:text}`n_var_data` draws of projections and {glue:text}`n_teachers` teachers each.
#
# **Width.** A student fitted on $D$ = {glue:text}`var_n_train` fixed samples interpolates them
# (minimum norm). As $P$ grows its random kernel $Z W^\top W Z^\top$ tends to the linear kernel, and
# its loss to that of kernel regression on the same samples; the excess should fall like $1/P$.
# Here one draw is not enough to see it. A random $W$ moves the loss at *first order* in
# $W^\top W - I$, by a term of size $P^{-1/2}$ whose average is exactly zero; the $1/P$ excess is
# the second-order remainder, hidden under that noise. Since the first-order term can be computed
# exactly for each draw, we subtract it (a *control variate*): the average is unchanged and its
# spread shrinks by a factor {glue:text}`cv_gain:.1f` at the largest width. We average over
# {glue:text}`n_var_width` draws of data, teacher and projections. Both variance-limited runs use
# $\alpha$ = {glue:text}`var_alpha` and the first {glue:text}`var_latent_dim` latent coordinates
# (the rest carry a fraction {glue:text}`var_tail:.0e` of the variance).

# %%
lam_var = power_law(cfg.var_latent_dim, 1 + cfg.var_alpha)
var_D = []
for run_seed in progress(ch.seeds(cfg.n_var_data), desc="variance, data"):
    rng = np.random.default_rng(run_seed)
    W = rng.standard_normal((cfg.var_width, cfg.var_latent_dim))
    omega = rng.standard_normal((cfg.var_latent_dim, cfg.n_teachers))
    excess, _ = least_squares_losses(
        (W * lam_var) @ W.T, W @ (lam_var[:, None] * omega),
        omega.T @ (lam_var[:, None] * omega), [cfg.var_width] * len(cfg.var_samples),
        cfg.var_samples, rng,
    )
    var_D.append(excess.mean(axis=1))
var_D = np.array(var_D)

raw, corrected = [], []
for run_seed in progress(ch.seeds(cfg.n_var_width), desc="variance, width"):
    rng = np.random.default_rng([run_seed, 1])
    Z = rng.standard_normal((cfg.var_n_train, cfg.var_latent_dim)) * np.sqrt(lam_var)
    omega = rng.standard_normal(cfg.var_latent_dim)
    G = rng.standard_normal((max(cfg.var_widths), cfg.var_latent_dim))
    losses, controls, kernel_loss = rf_min_norm_losses(
        Z, Z @ omega, omega, lam_var, G, cfg.var_widths
    )
    raw.append(losses - kernel_loss)
    corrected.append(losses - kernel_loss - controls)
raw, corrected = np.array(raw), np.array(corrected)
var_P = corrected.mean(axis=0)
slope_var_D = loglog_slope(cfg.var_samples, var_D.mean(axis=0))[0]
slope_var_P = loglog_slope(cfg.var_widths, var_P)[0]
var_tail = power_law(cfg.latent_dim, 1 + cfg.var_alpha)[cfg.var_latent_dim:].sum()
for name, value in dict(
    n_var_data=cfg.n_var_data, n_var_width=cfg.n_var_width, var_alpha=cfg.var_alpha,
    var_latent_dim=cfg.var_latent_dim, cv_gain=raw[:, -1].std() / corrected[:, -1].std(),
    var_tail=var_tail / power_law(cfg.latent_dim, 1 + cfg.var_alpha).sum(),
    slope_var_D=slope_var_D, slope_var_P=slope_var_P,
).items():
    ch.glue(name, value)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch04-variance", "caption": "Variance-limited regimes. Left: excess loss of least squares with $P$ fixed over its infinite-data loss, against $D$. Right: excess loss of the minimum-norm student on $D$ fixed samples over its infinite-width (kernel) loss, against $P$ (control-variate average; error bars: one standard error). Dashed: slope $-1$. Both fall like one over the growing resource."}}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.4))
panels = [
    (ax1, cfg.var_samples, var_D, slope_var_D, "samples D",
     f"P = {cfg.var_width} features"),
    (ax2, cfg.var_widths, corrected, slope_var_P, "features P",
     f"D = {cfg.var_n_train} samples"),
]
for ax, grid, draws, slope, xlabel, title in panels:
    mean = draws.mean(axis=0)
    err = draws.std(axis=0) / np.sqrt(len(draws))
    ax.errorbar(grid, mean, yerr=err, fmt="o", color=OKABE_ITO["blue"], capsize=2,
                label=f"measured: slope {slope:.2f}")
    ax.plot(grid, reference_line(grid, mean, -1.0), "--", color="black", lw=1,
            label="slope -1")
    ax.set(yscale="log", xlabel=xlabel, title=title)
    log_ticks(ax, grid)
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.legend()
ax1.set_ylabel("excess test loss")
plt.show()

# %% [markdown]
# The excess falls with slope {glue:text}`slope_var_D:.2f` in $D$ and
# {glue:text}`slope_var_P:.2f` in $P$. Least squares has a textbook form for the first: for
# Gaussian features the expected excess is $L(P,\infty)\,P/(D - P - 1)$, whose slope approaches
# $-1$ from below as $D/P$ grows, so a slightly steeper fit at moderate $D/P$ is expected.
#
# ## Exponents against the spectrum
#
# The resolution-limited exponents, one pair per spectrum, against the prediction $\alpha$:

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch04-exponents", "caption": "Fitted resolution-limited exponents against the spectrum's $\\alpha$: from the data sweep ($\\alpha_D$, circles) and from the width sweep ($\\alpha_P$, squares). Both sit on the diagonal $\\alpha_D = \\alpha_P = \\alpha$ (line)."}}
fig, ax = plt.subplots(figsize=(4.6, 3.6))
grid = np.linspace(0, max(alphas) * 1.1, 2)
ax.plot(grid, grid, color="grey", lw=1, label="prediction: alpha")
ax.plot(alphas, [alpha_D[a] for a in alphas], "o", color=OKABE_ITO["blue"], ms=8,
        label=r"$\alpha_D$ (data)")
ax.plot(alphas, [alpha_P[a] for a in alphas], "s", color=OKABE_ITO["orange"], ms=5,
        label=r"$\alpha_P$ (width)")
ax.set(xlabel=r"spectrum exponent $\alpha$  ($\lambda_i = i^{-(1+\alpha)}$)",
       ylabel="fitted exponent", xlim=(0, grid[-1]), ylim=(0, grid[-1]))
ax.legend()
plt.show()

# %% [markdown]
# ## Claim checks
#
# Each exponent is fitted to losses averaged over the draws above. A resolution-limited exponent
# is accepted within 0.1 of $\alpha$; the variance-limited slopes within 0.15 of $-1$ (the
# least-squares formula above puts the exact slope over our range of $D/P$ at
# {glue:text}`ols_slope:.3f`).

# %%
dev_D = max(abs(alpha_D[a] - a) for a in alphas)
dev_P = max(abs(alpha_P[a] - a) for a in alphas)
dual = max(abs(alpha_D[a] - alpha_P[a]) for a in alphas)
ols_slope = loglog_slope(
    cfg.var_samples, [1 / (D - cfg.var_width - 1) for D in cfg.var_samples]
)[0]
for name, value in dict(dev_D=dev_D, dev_P=dev_P, dual=dual, ols_slope=ols_slope).items():
    ch.glue(name, value)
alpha_list = ", ".join(f"{a:g}" for a in alphas)

ch.check(
    "variance_limited_data_slope",
    f"with P = {cfg.var_width} fixed, the excess loss falls like 1/D: fitted slope in "
    "[-1.15, -0.85]",
    slope_var_D, "between", (-1.15, -0.85),
)
ch.check(
    "variance_limited_width_slope",
    f"with D = {cfg.var_n_train} fixed, the excess over the kernel limit falls like 1/P: "
    "fitted slope in [-1.15, -0.85]",
    slope_var_P, "between", (-1.15, -0.85),
)
ch.check(
    "resolution_limited_data_exponent",
    f"with P = infinity, L ~ D^-alpha_D with alpha_D within 0.1 of alpha for every alpha "
    f"in ({alpha_list}): largest deviation",
    dev_D, "<", 0.1,
)
ch.check(
    "resolution_limited_width_exponent",
    f"with D = {cfg.data_per_width} P, L ~ P^-alpha_P with alpha_P within 0.1 of alpha "
    f"for every alpha in ({alpha_list}): largest deviation",
    dev_P, "<", 0.1,
)
ch.check(
    "duality_alpha_D_equals_alpha_P",
    "the data and width exponents agree within 0.05 for every alpha: largest "
    "difference |alpha_D - alpha_P|",
    dual, "<", 0.05,
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | model | random-feature teacher-student with a power-law feature spectrum (and pretrained and standard networks) | the linear random-feature teacher-student model with $\lambda_i = i^{-(1+\alpha)}$, $M$ = {glue:text}`latent_dim` |
# | variance-limited | excess $\propto 1/D$ and $\propto 1/P$ | slopes {glue:text}`slope_var_D:.2f` and {glue:text}`slope_var_P:.2f` |
# | resolution-limited | $\alpha_D, \alpha_P$ follow the spectrum's $\alpha$ | largest deviation from $\alpha$: {glue:text}`dev_D:.3f` (data) and {glue:text}`dev_P:.3f` (width) |
# | duality | $\alpha_D \approx \alpha_P$, with evidence on real networks | largest difference {glue:text}`dual:.3f`; exact in this model (see Setup) |
#
# What differs: we could read only the paper's abstract, not its text or figures, so our model
# is a standard version of the random-feature teacher-student setting it names, not necessarily
# its exact construction, and our sizes, draws and values of $\alpha$ are our own. In this linear
# model the duality is an exact symmetry of the two infinite limits, so it is a sharper test
# of the measurement (two different estimators, one of them a finite least-squares fit) than of
# the paper's evidence on real networks, where the duality is only approximate; we did not train
# networks or pretrained models. Our latent dimension is finite, which bends the data-limited
# curve for small $\alpha$ (its tail sum stops at $M$): part of the deviation at
# $\alpha = 0.5$ comes from there, and the `paper` preset's larger $M$ reduces it. The paper's
# further observations (super-classing leaves exponents unchanged, input noise changes them) are
# not tested here.
#
# ## Try it
#
# - Set `scale = "paper"`: six spectra from $\alpha = 0.25$ to 2, sizes up to 512 and a latent
#   dimension of 16384. The exponents stay on the diagonal; at $\alpha = 0.25$ the finite $M$ is
#   felt most.
# - Lower `latent_dim` to 512 in the `book` preset: the tail of the spectrum is cut off close to
#   the largest sizes, and the data-limited loss falls faster than $D^{-\alpha}$ at the end of the
#   sweep, most visibly for small $\alpha$.
#
# **Related chapters.**
# - {doc}`03_more_is_better_random_features`: the random-feature ridge model whose tuned risk falls monotonically.
# - {doc}`15_scaling_era_conventional_wisdom`: crossing scaling curves: a method that wins small can lose large.
# - {doc}`13_grokking_feature_emergence`: a scaling law for how much data grokking needs.
