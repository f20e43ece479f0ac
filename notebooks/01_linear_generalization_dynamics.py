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
# # Overtraining is worst when parameters equal samples
#
# **Paper.** {cite:t}`advani2017highdimensional` (journal version {cite:p}`advani2020highdimensional`).
#
# **Claim.** Train a linear student on noisy examples of a linear teacher by gradient descent and
# watch its test error over time. If you stop at the right moment the error has no peak across model
# sizes. If you train to convergence, the damage done by fitting the noise (*overtraining*) is worst
# when the number of parameters $N$ equals the number of training samples $P$, because the input
# correlations then have eigenvalues near zero, and it is small when the model is much smaller *or
# much larger*. Noisier labels make that peak taller. When $N > P$ part of the weights never moves,
# so the initial weights must be small. The abstract's headline for non-linear students: making the
# network very large does not harm generalization and can reduce overtraining.
#
# **What we redraw.** The paper's linear-student results: the test error over training time at
# several sizes, the converged and early-stopped errors against $N/P$, the eigenvalue spectrum that
# explains the peak, and the initial-weight effect; then the paper's non-linear student (a random
# ReLU layer with a trained read-out, their Fig. 7): where it overtrains, and what a very large one
# costs.

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
from overparam_utils.data import LinearTeacher
from overparam_utils.features import relu_features
from overparam_utils.linear import LeastSquaresPath
from overparam_utils.plotting import OKABE_ITO, log_ticks
from overparam_utils.progress import progress
from overparam_utils.spectra import marchenko_pastur_pdf
from overparam_utils.training import train_readouts

# P = n_train samples; the student sizes are N = ratio * P; n_draws independent draws of
# teacher, inputs and noise per noise level. nl_*: the non-linear student (random ReLU
# features, trained read-out). The paper preset is documented, not part of the book build.
PRESETS = {
    "smoke": dict(
        n_train=100, n_draws=12,
        ratios=[0.2, 0.5, 0.8, 0.9, 1.0, 1.1, 1.25, 2.0, 4.0],
        snrs=[1.0, 4.0], init_scales=[0.0, 1.0, 2.0], init_ratio=3.0, gd_steps=300,
        nl_n_train=100, nl_dim=20, nl_teacher_width=20, nl_n_draws=4,
    ),
    "book": dict(
        n_train=100, n_draws=16,
        ratios=[0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 4.0],
        snrs=[1.0, 4.0], init_scales=[0.0, 0.5, 1.0, 1.5, 2.0], init_ratio=3.0,
        gd_steps=5000, nl_n_train=100, nl_dim=20, nl_teacher_width=20, nl_n_draws=8,
    ),
    "paper": dict(
        n_train=400, n_draws=20,
        ratios=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0,
                1.05, 1.1, 1.2, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0],
        snrs=[0.5, 1.0, 4.0], init_scales=[0.0, 0.5, 1.0, 1.5, 2.0], init_ratio=3.0,
        gd_steps=20000, nl_n_train=300, nl_dim=50, nl_teacher_width=20, nl_n_draws=50,
    ),
}
ch = chapter.setup(
    "01_linear_generalization_dynamics",
    scale=scale, seed=seed, device=device, presets=PRESETS,
)
cfg = ch.cfg
P = cfg.n_train
sizes = [int(round(r * P)) for r in cfg.ratios]

# %% [markdown]
# ## Setup
#
# A teacher labels Gaussian inputs $x \in \mathbb{R}^N$, $x \sim \mathcal N(0, I)$, with
# $y = \bar w^\top x + \varepsilon$, where $\bar w \sim \mathcal N(0, I/N)$ makes the clean output's
# variance about 1 and the noise $\varepsilon \sim \mathcal N(0, \sigma^2)$ sets the signal-to-noise
# ratio $\mathrm{SNR} = 1/\sigma^2$. A linear student $\hat y = w^\top x$ with the same $N$ weights
# learns from $P$ examples by gradient flow on $L(w) = \frac{1}{2P}\lVert y - Xw\rVert^2$, starting
# from $w_0 \sim \mathcal N(0, \sigma_0^2 I/N)$. Its test error is exactly
#
# $$E_g(w) = \mathbb{E}\,(y - w^\top x)^2 = \lVert w - \bar w\rVert^2 + \sigma^2 .$$
#
# No simulation of the training loop is needed. In the eigenbasis of the input correlation
# $\Sigma = X^\top X / P$ (eigenvalues $\lambda_i$) every coordinate of $w$ relaxes on its own,
#
# $$c_i(t) = c_i^\ast + \bigl(c_i(0) - c_i^\ast\bigr)\, e^{-\lambda_i t},$$
#
# from its start $c_i(0)$ to its least-squares value $c_i^\ast$. Directions with $\lambda_i = 0$
# (there are $N - P$ of them when $N > P$) never move: the *frozen subspace*. Directions with a small
# $\lambda_i$ are learned late, and their least-squares values carry the label noise amplified by
# $1/\sqrt{\lambda_i}$. The eigenvalues follow the Marchenko–Pastur law
# {cite:p}`marchenko1967distribution`, whose lower edge $(1 - \sqrt{N/P})^2$ touches zero exactly at
# $N = P$: that is where overtraining should peak. `LeastSquaresPath` in `overparam_utils.linear`
# computes this solution for all times at once from one SVD.
#
# For each size $N$ we measure the early-stopped error $\min_t E_g(t)$, the converged error
# $E_g(\infty)$ and the **overtraining** $E_g(\infty) - \min_t E_g(t)$, with $P$ fixed, over
# {glue:text}`n_draws` independent draws of teacher, inputs and noise. Every noise level gets its
# own draws, and a second set of draws at SNR {glue:text}`snr_main` serves as a like-for-like
# comparison for the noise-level check. At $N = P$ the converged error is heavy-tailed across draws
# (its expectation is infinite for square Gaussian designs), so we summarise converged errors by
# their median over draws and the smooth early-stopped error by its mean.
#
# **A control for the mechanism.** To test that the small eigenvalues, and not something else, make
# the peak, every draw at SNR {glue:text}`snr_main` is also solved with its spectrum *flattened*:
# the same teacher, the same noise and the same singular vectors of $X$, but all non-zero singular
# values set equal (keeping $\lVert X\rVert_F$). That input correlation has no eigenvalue near zero
# at any $N$.

# %%
times = np.logspace(-2, 6, 300)


def flat_spectrum(X):
    """X with its non-zero singular values replaced by their root mean square."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    return (U * np.sqrt(np.mean(s**2))) @ Vt


def errors(teacher, X, noise):
    """Test-error curve, converged and best early-stopped error of one student."""
    path = LeastSquaresPath.fit(X, X @ teacher.w_teacher + noise)
    curve = teacher.test_error(path.weights_flow(times))
    final = float(teacher.test_error(path.weights_limit()))
    return dict(curve=curve, final=final, early=min(float(curve.min()), final),
                eig=path.eigvals)


def linear_draw(run_seed, snr, flat_control=False):
    """One independent draw of teacher, inputs and noise at every size N."""
    rng = np.random.default_rng(run_seed)
    out = []
    for N in sizes:
        teacher = LinearTeacher.draw(N, snr, rng)
        X = rng.standard_normal((P, N))
        noise = teacher.noise_std * rng.standard_normal(P)
        res = errors(teacher, X, noise)
        if flat_control:
            res["flat"] = errors(teacher, flat_spectrum(X), noise)
        if N == P:
            res.update(teacher=teacher, X=X, y=X @ teacher.w_teacher + noise)
        out.append(res)
    return out


snr_main = cfg.snrs[-1]
n_arms = len(cfg.snrs) + 2  # each SNR, a repeat at SNR snr_main, the init sweep
all_seeds = ch.seeds(cfg.n_draws * n_arms + cfg.nl_n_draws)
blocks = [all_seeds[i * cfg.n_draws:(i + 1) * cfg.n_draws] for i in range(n_arms)]
runs = {}  # runs[snr][draw][size]
for snr, block in zip(cfg.snrs, blocks, strict=False):
    draws = progress(block, desc=f"SNR {snr:g}")
    runs[snr] = [linear_draw(s, snr, flat_control=snr == snr_main) for s in draws]
repeat = [linear_draw(s, snr_main) for s in progress(blocks[-2], desc="repeat")]


def collect(rows, key, sub=None):
    """(draws, sizes) array of one result over the sweep."""
    return np.array([[(r[sub] if sub else r)[key] for r in row] for row in rows])


final = {snr: collect(runs[snr], "final") for snr in cfg.snrs}
early = {snr: collect(runs[snr], "early") for snr in cfg.snrs}
overtraining = {snr: np.median(final[snr] - early[snr], axis=0) for snr in cfg.snrs}
flat_over = np.median(
    collect(runs[snr_main], "final", "flat") - collect(runs[snr_main], "early", "flat"),
    axis=0,
)
i_P = sizes.index(P)
ch.glue(n_draws=cfg.n_draws, snr_main=snr_main)

# %% [markdown]
# ### Is the exact solution really gradient descent?
#
# As a sanity check we train one student at $N = P$ with plain full-batch gradient descent in
# torch (step 0.1) and compare its test error with the closed form for discrete steps,
# $c_i(k) = c_i^\ast + (c_i(0) - c_i^\ast)(1 - 0.1\,\lambda_i)^k$. They agree to round-off (largest
# relative difference {glue:text}`gd_max_rel_diff:.0e`). In the first figure the dots are this torch
# run, placed at time $t = 0.1\,k$, on top of the exact curve of the same draw.

# %%
gd_lr = 0.1
draw_P = runs[snr_main][0][i_P]
teacher_P, X_P, y_P = draw_P["teacher"], draw_P["X"], draw_P["y"]
path_P = LeastSquaresPath.fit(X_P, y_P)
gd_steps = np.unique(np.logspace(0, np.log10(cfg.gd_steps), 25).astype(int))
w_torch = train_readouts(
    X_P[None], y_P[None], [P], optimizer="gd", lr=gd_lr, steps=cfg.gd_steps,
    snapshots=gd_steps, desc="torch GD", device=ch.device,
)[:-1, 0, 0]  # drop the final-weights entry; keep (snapshots, N)
err_torch = teacher_P.test_error(w_torch)
err_closed = teacher_P.test_error(path_P.weights_gd(gd_steps, gd_lr))
gd_max_rel_diff = float(np.max(np.abs(err_torch - err_closed) / err_closed))
ch.glue("gd_max_rel_diff", gd_max_rel_diff)

# %% tags=["hide-input", "remove-output"]
show = [P // 2, P, 2 * P]
colors = [OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"]]
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for N, color in zip(show, colors, strict=True):
    curves = np.array([row[sizes.index(N)]["curve"] for row in runs[snr_main]])
    ax.plot(times, np.median(curves, axis=0), color=color, lw=2.2,
            label=f"N = {N / P:g} P")
ax.plot(times, teacher_P.test_error(path_P.weights_flow(times)), color="black", lw=0.8,
        label="one draw, N = P (exact)")
ax.plot(gd_lr * gd_steps, err_torch, "o", color="black", ms=3.5,
        label="same draw, torch GD")
ax.set(xscale="log", yscale="log", xlabel="training time t",
       ylabel="test error $E_g(t)$", title=f"P = {P}, SNR = {snr_main:g}")
ax.legend()
ch.figure("fig-ch01-curves")

# %% [markdown]
# ```{glue:figure} fig-ch01-curves
# :name: fig-ch01-curves
#
# Test error during training (thick lines: median over draws) for a student half as large as the training set,
# as large, and twice as large. Thin black line: the exact curve of one draw at $N = P$; dots: a torch
# gradient-descent run on that draw. The claim checks below say how much more the $N = P$ student overtrains.
# ```

# %% [markdown]
# ## Converged versus early-stopped error across sizes
#
# Sweeping $N$ through $P$ shows the peak directly. At SNR {glue:text}`snr_main` the median
# converged error at $N = P$ is {glue:text}`final_at_P:.1f`, against an early-stopped error of
# {glue:text}`early_at_P:.2f` at the same size. The early-stopped curve has no peak: its value at
# $N = P$ is {glue:text}`early_bump:.2f` times the interpolation between its two grid neighbours,
# against {glue:text}`final_bump:.0f` times for the converged error. With the spectrum flattened
# (dotted line, right) the same draws overtrain by {glue:text}`flat_over_at_P:.3f` at $N = P$
# instead of {glue:text}`over_at_P:.1f`.

# %% tags=["hide-input", "remove-output"]
palette = [OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["green"]]
snr_colors = dict(zip(cfg.snrs, palette, strict=False))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.6, 3.5))
for snr, color in snr_colors.items():
    ax1.plot(cfg.ratios, np.median(final[snr], axis=0), "-o", ms=3.5, color=color,
             label=f"converged, SNR {snr:g}")
    ax1.plot(cfg.ratios, early[snr].mean(axis=0), "--", color=color,
             label=f"early-stopped, SNR {snr:g}")
    ax2.plot(cfg.ratios, overtraining[snr], "-o", ms=3.5, color=color,
             label=f"SNR {snr:g}")
ax2.plot(cfg.ratios, flat_over, ":o", ms=3, color=snr_colors[snr_main],
         label=f"SNR {snr_main:g}, flat spectrum")
for ax in (ax1, ax2):
    ax.axvline(1.0, color="grey", lw=0.8, ls=":")
    ax.set(yscale="log", xlabel="parameters / samples  N/P")
    log_ticks(ax, [0.25, 0.5, 1, 2, 4])
ax1.set(ylabel="test error", title="Test error")
ax2.set(ylabel="overtraining", title="Converged minus early-stopped error")
ax1.legend(fontsize=7.5)
ax2.legend(fontsize=7.5)
ch.figure("fig-ch01-sweep")

# %% [markdown]
# ```{glue:figure} fig-ch01-sweep
# :name: fig-ch01-sweep
#
# Left: converged (solid) and best early-stopped (dashed) test error against $N/P$ at two noise levels. Right:
# the overtraining, converged minus early-stopped error, for the same draws, and (dotted) for the SNR-4 draws
# with their input spectrum flattened, which removes the eigenvalues near zero. The claim checks below test
# where and how strongly each curve peaks.
# ```

# %% [markdown]
# ### Why $N = P$: the smallest eigenvalues
#
# The noise a mode absorbs at convergence scales like $1/\lambda_i$. The spectrum of $\Sigma$ at
# $N = P/2$ has a gap above zero; at $N = P$ the Marchenko–Pastur density diverges at zero (the
# median smallest eigenvalue over our draws is {glue:text}`lam_min_at_P:.1e`, against
# {glue:text}`lam_min_at_half:.3f` at $N = P/2$), so a few modes with tiny $\lambda_i$ blow the noise
# up; at $N = 2P$ half of the eigenvalues are exactly zero (the frozen directions, not drawn) and the
# non-zero ones again have a gap.

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, len(show), figsize=(9.0, 2.9))
for ax, N in zip(axes, show, strict=True):
    eig = np.concatenate([row[sizes.index(N)]["eig"] for row in runs[snr_main]])
    grid = np.linspace(1e-4, eig.max() * 1.05, 400)
    mass = min(1.0, P / N)  # the histogram leaves out the exact zeros
    ax.hist(eig, bins=40, density=True, color=OKABE_ITO["sky"])
    ax.plot(grid, marchenko_pastur_pdf(grid, N / P) / mass, color="black", lw=1.2)
    ax.set(title=f"N = {N / P:g} P", xlabel=r"eigenvalue $\lambda$", ylim=(0, 1.6))
axes[0].set_ylabel("density")
ch.figure("fig-ch01-spectrum")
lam_min = {N: np.median([row[sizes.index(N)]["eig"].min() for row in runs[snr_main]])
           for N in show}
ch.glue(lam_min_at_P=lam_min[P], lam_min_at_half=lam_min[P // 2])

# %% [markdown]
# ```{glue:figure} fig-ch01-spectrum
# :name: fig-ch01-spectrum
#
# Eigenvalues of the input correlation $X^\top X / P$, pooled over draws (histogram), with the
# Marchenko-Pastur density (line). Only at $N = P$ does the spectrum reach down to zero.
# ```

# %% [markdown]
# ## Small initial weights matter when $N > P$
#
# With $N = 3P$, two thirds of the directions are frozen: whatever the initial weights put there
# stays there, and adds $\lVert P_{\text{frozen}} w_0 \rVert^2 \approx (1 - P/N)\,\sigma_0^2$ to the
# converged test error. This is algebra of the least-squares path, not an experimental finding, so
# it is not one of the claim checks: `tests/test_linear_01.py` tests it. The figure shows its size:
# we repeat the converged-error computation for several initial scales $\sigma_0$ on
# {glue:text}`n_draws` further draws (away from $N = P$ the errors are not heavy-tailed, so we
# average).

# %%
N_init = int(round(cfg.init_ratio * P))


def init_draw(run_seed):
    """Converged test error at N_init per initial scale; one draw, one w0 direction."""
    rng = np.random.default_rng(run_seed)
    teacher = LinearTeacher.draw(N_init, snr_main, rng)
    X, y = teacher.sample(P, rng)
    direction = rng.standard_normal(N_init) / np.sqrt(N_init)
    return [float(teacher.test_error(
        LeastSquaresPath.fit(X, y, s0 * direction).weights_limit()))
        for s0 in cfg.init_scales]


init_final = np.array([init_draw(s) for s in blocks[-1]]).T  # (scales, draws)
init_mean = init_final.mean(axis=1)
variances = np.square(cfg.init_scales)
slope, intercept = np.polyfit(variances, init_mean, 1)
frozen_theory = 1 - P / N_init
ch.glue(init_slope=slope, frozen_theory=frozen_theory)

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(4.6, 3.2))
ax.plot(variances, init_mean, "o", color=OKABE_ITO["blue"],
        label="measured (mean over draws)")
ax.plot(variances, intercept + frozen_theory * variances, color="black", lw=1,
        label=f"slope 1 - P/N = {frozen_theory:.2f}")
ax.set(xlabel=r"initial weight variance $\sigma_0^2$",
       ylabel=r"converged error $E_g(\infty)$", title=f"N = {N_init / P:g} P")
ax.legend()
ch.figure("fig-ch01-init")

# %% [markdown]
# ```{glue:figure} fig-ch01-init
# :name: fig-ch01-init
#
# Converged test error at $N = 3P$ against the initial weight variance (mean over draws), with a line of slope
# $1 - P/N$, the frozen fraction.
# ```

# %% [markdown]
# The fitted slope is {glue:text}`init_slope:.3f` against the frozen fraction
# {glue:text}`frozen_theory:.3f`.
#
# ## The non-linear student: where it overtrains, and what a large one costs
#
# The paper's non-linear experiment keeps the first layer of a two-layer ReLU student fixed at random
# and trains only its read-out, so the trainable parameters are the $N$ read-out weights (from zero).
# The teacher is a two-layer ReLU network with {glue:text}`nl_teacher_width` hidden units on
# {glue:text}`nl_dim`-dimensional Gaussian inputs and no label noise: the part of the teacher that
# the random features cannot represent acts as noise. The read-out's dynamics are again those of
# least squares, now on the feature matrix; the test error is measured on
# {glue:text}`n_test` fresh inputs. Unlike the linear student, whose teacher grows with $N$, this
# teacher is fixed, so a wider student is a better approximator of the same function. The
# abstract's headline is that such very large students do not harm generalization.

# %%
nl_P = cfg.nl_n_train
nl_sizes = [int(round(r * nl_P)) for r in cfg.ratios]
n_test = 2000


def nonlinear_draw(run_seed):
    """Converged and best early-stopped test error per width, one draw: (2, sizes)."""
    rng = np.random.default_rng(run_seed)
    B = rng.standard_normal((cfg.nl_dim, cfg.nl_teacher_width))
    a = rng.standard_normal(cfg.nl_teacher_width) / np.sqrt(cfg.nl_teacher_width)
    X = rng.standard_normal((nl_P, cfg.nl_dim))
    X_test = rng.standard_normal((n_test, cfg.nl_dim))
    y, y_test = relu_features(X, B) @ a, relu_features(X_test, B) @ a
    W = rng.standard_normal((cfg.nl_dim, max(nl_sizes)))
    F, F_test = relu_features(X, W), relu_features(X_test, W)
    out = []
    for N in nl_sizes:
        path = LeastSquaresPath.fit(F[:, :N], y)
        predictions = path.weights_flow(times) @ F_test[:, :N].T
        curve = np.mean((predictions - y_test) ** 2, axis=1)
        final_error = np.mean((F_test[:, :N] @ path.weights_limit() - y_test) ** 2)
        out.append((final_error, min(curve.min(), final_error)))
    return np.array(out).T


nl_draws = progress(all_seeds[cfg.n_draws * n_arms:], desc="non-linear")
nl_final, nl_early = np.array([nonlinear_draw(s) for s in nl_draws]).transpose(1, 0, 2)
nl_final_med = np.median(nl_final, axis=0)
nl_over = np.median(nl_final - nl_early, axis=0)
nl_rel_over = np.median((nl_final - nl_early) / nl_early, axis=0)
i_half, i_large, i_nl_P = (cfg.ratios.index(r) for r in (0.5, 4.0, 1.0))
ch.glue(nl_teacher_width=cfg.nl_teacher_width, nl_dim=cfg.nl_dim, n_test=n_test)

# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.6, 3.4))
ax1.plot(cfg.ratios, nl_final_med, "-o", ms=3.5, color=OKABE_ITO["vermillion"],
         label="converged")
ax1.plot(cfg.ratios, nl_early.mean(axis=0), "--", color=OKABE_ITO["blue"],
         label="early-stopped")
ax2.plot(cfg.ratios, nl_over, "-o", ms=3.5, color=OKABE_ITO["vermillion"])
for ax in (ax1, ax2):
    ax.axvline(1.0, color="grey", lw=0.8, ls=":")
    ax.set(yscale="log", xlabel="hidden units / samples")
    log_ticks(ax, [0.25, 0.5, 1, 2, 4])
ax1.set(ylabel="test error", title=f"Non-linear student, P = {nl_P}")
ax2.set(ylabel="overtraining", title="Converged minus early-stopped error")
ax1.legend()
ch.figure("fig-ch01-nonlinear")

# %% [markdown]
# ```{glue:figure} fig-ch01-nonlinear
# :name: fig-ch01-nonlinear
#
# Random-ReLU student with a trained read-out on a noiseless ReLU teacher. Left: converged (median over draws)
# and best early-stopped (mean) test error against hidden units per sample. Right: the overtraining.
# ```

# %% [markdown]
# At four hidden units per sample the converged error is {glue:text}`nl_final_large:.3f`, against
# {glue:text}`nl_final_half:.3f` at half a unit per sample and an early-stopped error of
# {glue:text}`nl_early_large:.3f` at the large width. The linear student shows no such benefit:
# there the converged error at $N = 4P$ is {glue:text}`lin_large_over_half:.1f` times that at
# $N = P/2$, because every added weight is a new unknown of a growing teacher.

# %% [markdown]
# ## Claim checks
#
# Each claim check carries a control: the same statistic, computed in this run, where the paper's
# mechanism is absent or where the paper predicts the opposite. A check holds only when the measured
# value meets its threshold and the control does not. Every statistic aggregates over the
# independent draws above (medians for converged errors), so it does not hinge on one lucky draw.
#
# - **Where the converged error peaks** (linear, SNR {glue:text}`snr_main`, and the non-linear
#   student's overtraining): accepted anywhere in $[0.8P, 1.25P]$, which leaves room for the
#   finite-size shift of the peak that single draws show. Control: the early-stopped error, which
#   the paper says has no peak.
# - **Early stopping removes the peak**: the early-stopped error at $N = P$ within 15% of the
#   interpolation between its grid neighbours ($0.9P$, $1.1P$). Control: the converged error.
# - **The peak needs the small eigenvalues**: overtraining at $N = P$ over its larger value at the
#   two ends of the sweep ($N = 0.2P$, $4P$) above 50. For flat-spectrum inputs the expected
#   overtraining is $a^2/(1 + a)$ with $a = \sigma^2 N/P$ below $P$ and $\sigma^4 (P/N)/(1+\sigma^2)$
#   above, a ratio of 4 at SNR 4; the threshold sits an order of magnitude above that.
# - **Lower SNR, taller peak**: the geometric mean over draws of the overtraining in the peak window
#   $0.8P \le N \le 1.25P$ at SNR {glue:text}`snr_low` over that at SNR {glue:text}`snr_main`,
#   above 2 (half-way, on a log scale, between no effect and the ratio 4 of the noise variances when
#   SNR is 1 and 4). The two noise levels use independent draws. Control: the same ratio between two
#   independent sets of draws at the same SNR. We use the window rather than $N = P$ alone because at
#   exactly $N = P$ the overtraining has infinite expectation and its logarithm spreads so widely over
#   draws that two sets of draws at the *same* SNR differ by more than the noise ratio.
# - **A very large non-linear student does not hurt**: converged error at $N = 4P$ below that at
#   $N = P/2$. Control: the same ratio for the linear student.
# - **A very large non-linear student barely overtrains**: its converged error at $N = 4P$ exceeds the
#   early-stopped error by less than 25% (median over draws). Control: the same at $N = P$.

# %%
def peak_location(values, grid, n):
    """Where a curve over sizes peaks, as a multiple of n."""
    return grid[int(np.argmax(values))] / n


def bump(values):
    """Value at N = P over the interpolation between its grid neighbours (1 = no peak)."""
    lo, hi = i_P - 1, i_P + 1
    between = np.interp(P, [sizes[lo], sizes[hi]], [values[lo], values[hi]])
    return float(values[i_P] / between)


def log_window_over(rows):
    """Per draw: mean log overtraining over the peak window 0.8 P <= N <= 1.25 P."""
    window = [i for i, r in enumerate(cfg.ratios) if 0.8 <= r <= 1.25]
    over = collect(rows, "final") - collect(rows, "early")
    return np.log(np.maximum(over[:, window], 1e-300)).mean(axis=1)


over_main = overtraining[snr_main]
snr_low = cfg.snrs[0]
peak_height = over_main[i_P] / max(over_main[0], over_main[-1])
flat_height = flat_over[i_P] / max(flat_over[0], flat_over[-1])
early_bump = bump(early[snr_main].mean(axis=0))
final_bump = bump(np.median(final[snr_main], axis=0))
log_main = log_window_over(runs[snr_main])
snr_ratio = float(np.exp(log_window_over(runs[snr_low]).mean() - log_main.mean()))
same_snr_ratio = float(np.exp(log_window_over(repeat).mean() - log_main.mean()))
lin_final_med = np.median(final[snr_main], axis=0)
lin_large_over_half = lin_final_med[i_large] / lin_final_med[i_half]
nl_large_over_half = nl_final_med[i_large] / nl_final_med[i_half]
ch.glue(
    peak_height=peak_height, flat_height=flat_height, early_bump=early_bump,
    final_bump=final_bump, snr_ratio=snr_ratio, same_snr_ratio=same_snr_ratio,
    snr_low=snr_low, final_at_P=np.median(final[snr_main][:, i_P]),
    early_at_P=early[snr_main][:, i_P].mean(), over_at_P=over_main[i_P],
    flat_over_at_P=flat_over[i_P], P_value=P, nl_P_value=nl_P,
    nl_n_draws=cfg.nl_n_draws, nl_final_large=nl_final_med[i_large],
    nl_final_half=nl_final_med[i_half], nl_early_large=nl_early[:, i_large].mean(),
    lin_large_over_half=lin_large_over_half, nl_large_over_half=nl_large_over_half,
    lin_early_large_over_half=early[snr_main][:, i_large].mean()
    / early[snr_main][:, i_half].mean(),
    nl_rel_over_large=nl_rel_over[i_large], nl_rel_over_P=nl_rel_over[i_nl_P],
)

ch.check(
    "converged_error_peaks_at_N_eq_P",
    f"converged test error (median over draws, SNR {snr_main:g}) is largest at N/P "
    "in [0.8, 1.25]",
    peak_location(np.median(final[snr_main], axis=0), sizes, P), "between", (0.8, 1.25),
    control=peak_location(early[snr_main].mean(axis=0), sizes, P),
    control_is="early stopping (best error over training time)",
)
ch.check(
    "early_stopping_removes_the_peak",
    "early-stopped error at N = P is within 15% of the interpolation between its "
    "neighbours 0.9P and 1.1P (no peak)",
    early_bump, "<", 1.15,
    control=final_bump, control_is="training to convergence",
)
ch.check(
    "overtraining_peak_needs_small_eigenvalues",
    "overtraining at N = P is over 50x its larger value at N = 0.2P and N = 4P",
    peak_height, ">", 50,
    control=flat_height,
    control_is="same draws, input spectrum flattened (no eigenvalues near zero)",
)
ch.check(
    "lower_snr_taller_peak",
    f"overtraining around N = P (geometric mean, 0.8P-1.25P) is over 2x larger at "
    f"SNR {snr_low:g} than at SNR {snr_main:g}, on independent draws",
    snr_ratio, ">", 2,
    control=same_snr_ratio,
    control_is=f"equal SNR: a second independent set of draws at SNR {snr_main:g}",
)
ch.check(
    "nonlinear_student_peak_at_N_eq_P",
    "random-ReLU student: overtraining (median over draws) is largest when hidden "
    "units / samples is in [0.8, 1.25]",
    peak_location(nl_over, nl_sizes, nl_P), "between", (0.8, 1.25),
    control=peak_location(nl_early.mean(axis=0), nl_sizes, nl_P),
    control_is="early-stopped error instead of overtraining",
)
ch.check(
    "large_nonlinear_student_does_not_hurt",
    "random-ReLU student: converged error at N = 4P is below that at N = P/2 "
    "(ratio of medians < 1)",
    nl_large_over_half, "<", 1,
    control=lin_large_over_half,
    control_is="linear student (its teacher grows with N)",
)
ch.check(
    "large_nonlinear_student_barely_overtrains",
    "random-ReLU student at N = 4P: converged error exceeds the early-stopped error "
    "by under 25% (median over draws)",
    nl_rel_over[i_large], "<", 0.25,
    control=nl_rel_over[i_nl_P], control_is="student at N = P",
)
ch.check(
    "torch_gd_equals_exact_path",
    "torch gradient descent and the closed-form path give the same test error "
    "(relative difference < 1e-8)",
    gd_max_rel_diff, "<", 1e-8, kind="setup",
)
ch.check(
    "spectrum_reaches_zero_at_N_eq_P",
    "median smallest eigenvalue of X^T X / P at N = P is below 0.01 (it is about "
    "0.09 at N = P/2 in the Marchenko-Pastur limit)",
    lam_min[P], "<", 0.01, kind="setup",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | model | linear student, gradient flow, high-dimensional limit ($N, P \to \infty$, $P/N$ fixed) | the same at finite $P$ = {glue:text}`P_value`: exact solution per draw, medians over {glue:text}`n_draws` draws |
# | converged error | peaks at $N = P$ | peaks at $N = P$, {glue:text}`final_bump:.0f` times its neighbours' interpolation |
# | early stopping | removes the peak | ratio {glue:text}`early_bump:.2f` to its neighbours' interpolation |
# | overtraining | large at $N = P$, small for $N \ll P$ and $N \gg P$, caused by eigenvalues near zero | {glue:text}`peak_height:.0f` times the ends of the sweep; {glue:text}`flat_height:.1f` times with the spectrum flattened |
# | SNR | lower SNR, taller peak | {glue:text}`snr_ratio:.1f` times taller at SNR {glue:text}`snr_low` (independent draws); {glue:text}`same_snr_ratio:.2f` between two sets of draws at the same SNR |
# | initial weights | error grows with $\sigma_0$ when $N > P$ | slope {glue:text}`init_slope:.3f` against the frozen fraction {glue:text}`frozen_theory:.3f` (algebra, unit-tested; no claim check) |
# | non-linear student, peak | overtraining peaks when trainable weights = samples (their $P = 300$, 50 seeds) | the same peak at $P$ = {glue:text}`nl_P_value`, {glue:text}`nl_n_draws` draws (the `paper` preset uses 300 and 50) |
# | non-linear student, very large | does not harm generalization, can reduce overtraining | converged error at $4P$ is {glue:text}`nl_large_over_half:.2f` times that at $P/2$; it exceeds the early-stopped error by a fraction {glue:text}`nl_rel_over_large:.2f`, against {glue:text}`nl_rel_over_P:.0f` at $N = P$ |
#
# What differs: the paper computes averages in the limit of infinite size with random-matrix theory;
# we average a finite number of exact finite-size solutions, so our converged error at exactly
# $N = P$ is finite (but heavy-tailed, hence the medians, and hence the SNR check over a window
# around $N = P$). The linear student never shows the "larger is fine" half of the headline: its
# teacher has as many weights as the student, so a larger student faces a harder problem and even
# its early-stopped error at $N = 4P$ is {glue:text}`lin_early_large_over_half:.1f` times that at
# $N = P/2$; only the non-linear student, whose teacher is fixed, gains
# from width, which is why that half is tested there. The initial-weight effect is the algebra of
# the frozen subspace, so it is drawn but not checked. We did not re-derive the paper's bound on the
# generalization error. We could read only the paper's abstract and a few of its figure captions,
# not the SNR values and sizes of its linear-model figures, so those are our own choices; the
# non-linear experiment follows the captions (fixed random first layer, trained read-out, noiseless
# two-layer ReLU teacher with 20 hidden units, peak at $P = 300$).
#
# ## Try it
#
# - Set `scale = "paper"`: $P = 400$, a finer grid around $N = P$, 20 draws, a third noise level and
#   the non-linear student at the paper's $P = 300$ with 50 draws (much slower than this page).
#   Before you run it: should the converged error's peak get sharper or broader relative to its
#   neighbours when $P$ grows, and what does the infinite-size theory say about its height?
# - Add a very large SNR (say `1e6`) to the front of `snrs` in `PRESETS`, so that the noise-level
#   check compares it with SNR 4. With almost no label noise, what happens to the overtraining at
#   $N = P$, and to its ratio against the two ends of the sweep? Which check do you expect to fail?
#
# **Related chapters.**
# - {doc}`02_double_descent_optimization`: the same peak at $N = n$ for random features, and why an optimizer that stops early never sees it.
# - {doc}`03_more_is_better_random_features`: tuning a ridge penalty removes the peak altogether.
# - {doc}`15_scaling_era_conventional_wisdom`: an L2 penalty that cures the peak at small $n$ and costs accuracy at large $n$.
