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
# # Grokking: memorise first, grow Fourier features, then generalise
#
# **Paper.** {cite:t}`tian2025provable`.
#
# **Claim.** A two-layer network learning modular addition goes through three stages. (I) *Lazy
# learning*: the top layer fits the training pairs on top of hidden units that are still random, so
# the network memorises and the test accuracy stays at chance. (II) *Independent feature learning*:
# weight decay keeps the fit imperfect, so the gradient reaching the hidden layer carries label
# information, and each hidden unit on its own climbs towards a feature that generalises, for
# modular addition a single Fourier frequency. (III) *Interactive feature learning*: the units start
# to feel each other and spread out over the frequencies still missing. Generalisation comes late,
# only with weight decay, sooner with more weight decay, and only from a training-set size that grows
# like $M \log M$ with the modulus $M$ (the paper's provable scaling law).
#
# **What we redraw.** The grokking curve (memorisation long before generalisation), a measurable
# proxy for each stage over training time, the hidden units' Fourier spectra at three moments, the
# effect of weight decay on the time to generalise, and the data needed to generalise against the
# modulus, over moduli from 11 to 47. Each claim is checked against a control: the same statistic
# where the paper's mechanism is absent or where the claim predicts the opposite.

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
from overparam_utils.fits import crossings, loglog_slope
from overparam_utils.modular import (
    fourier_power,
    frequency_counts,
    hidden_features,
    linear_cka,
    random_splits,
    ridge_readout_accuracy,
    train_two_layer,
)
from overparam_utils.plotting import OKABE_ITO, log_ticks, sweep_colors

# p: the modulus of the detailed runs; `width` hidden units; Adam (lr) for `steps`
# full-batch steps on main_frac of the pairs; wds: weight decays, n_draws runs each.
# gd_lr, gd_steps: the plain gradient-descent runs of stage I (no weight decay).
# Scaling law: for each modulus M in `moduli`, training sets of c * M ln M pairs for c in
# c_grid, scaling_draws runs each, scaling_steps steps (also read at half of them).
# The paper's code uses M = 127 and 512 hidden units; the `paper` preset goes up to 59.
PRESETS = {
    "smoke": dict(
        p=17, width=96, lr=2e-2, steps=300, wds=[0.0, 0.5, 1.0, 2.0], main_wd=1.0,
        main_frac=0.6, n_draws=2, gd_lr=1.0, gd_steps=120,
        moduli=[11, 13], c_grid=[2.4, 2.88, 3.46, 4.15, 4.98],
        scaling_steps=300, scaling_draws=1,
    ),
    "book": dict(
        p=23, width=128, lr=1e-2, steps=1000, wds=[0.0, 0.5, 1.0, 2.0], main_wd=1.0,
        main_frac=0.5, n_draws=3, gd_lr=1.0, gd_steps=300,
        moduli=[11, 17, 23, 31, 47], c_grid=[2.4, 2.88, 3.46, 4.15, 4.98],
        scaling_steps=1000, scaling_draws=2,
    ),
    "paper": dict(
        p=31, width=256, lr=1e-2, steps=3000, wds=[0.0, 0.25, 0.5, 1.0, 2.0, 4.0],
        main_wd=1.0, main_frac=0.5, n_draws=5, gd_lr=1.0, gd_steps=600,
        moduli=[11, 13, 17, 19, 23, 29, 31, 37, 41, 47, 53, 59],
        c_grid=[1.5, 1.8, 2.0, 2.2, 2.4, 2.65, 2.88, 3.15, 3.46, 3.8, 4.15, 5.0, 6.0],
        scaling_steps=2000, scaling_draws=3,
    ),
}
ch = chapter.setup(
    "13_grokking_feature_emergence",
    scale=scale, seed=seed, device=device, presets=PRESETS,
)
cfg = ch.cfg
p = cfg.p
n_scaling = len(cfg.moduli) * cfg.scaling_draws
# one split seed and one initialisation seed per draw: the detailed draws, then one per
# (modulus, draw) of the scaling runs
split_seeds, init_seeds = np.reshape(ch.seeds(2 * (cfg.n_draws + n_scaling)), (2, -1))


# %% [markdown]
# ## Setup
#
# **Task.** All $p^2$ pairs $(a, b)$ of residues modulo a prime $p$, labelled $c = (a + b) \bmod p$.
# A random fraction of the pairs is the training set; the rest is the test set. Runs of the same
# draw share their initial weights and their random order of the pairs (a larger training set adds
# pairs to a smaller one), so weight decays and training-set sizes are compared on the same footing.
#
# **Model.** The input is the concatenation of two one-hot vectors, $x = [e_a; e_b]$. A hidden layer
# of {glue:text}`width` units with the quadratic activation used in the paper's code, and a linear
# top layer:
#
# $$h = (W x)^{\odot 2} = (W_{:,a} + W_{:,p+b})^{\odot 2}, \qquad \hat y = V h \in \mathbb{R}^p .$$
#
# The loss is the squared error to the centred one-hot label $e_c - \tfrac1p \mathbf 1$, averaged over
# the training pairs; the prediction is $\arg\max \hat y$. Both layers are trained from a random start
# by full-batch Adam with decoupled weight decay $\mathrm{wd}$ (each step multiplies the weights by
# $1 - \mathrm{lr}\cdot\mathrm{wd}$), learning rate {glue:text}`lr`, for {glue:text}`steps` steps.
# `train_two_layer` in `overparam_utils.modular` trains every run of a sweep at once, stacked along a
# batch axis, with hand-written gradients; the unit tests check that this equals separate runs and
# torch's own `AdamW`.
#
# **Why Fourier features.** A unit whose input weights are a cosine of frequency $k$ in $a$ and in
# $b$, $W_{:,a} \propto \cos(2\pi k a/p + \phi)$, has an activation containing
# $\cos(2\pi k (a + b)/p + \phi + \psi)$: it depends on $a + b$ only through the sum, which is exactly
# what generalises. Random units spread their weight over all $(p-1)/2$ frequencies.
#
# **Proxies for the three stages.** The paper defines the stages by the structure of the gradient
# that the top layer sends back to the hidden layer. We cannot watch that cheaply, so we measure:
#
# * stage I, memorisation on random features: the step $t_{\text{mem}}$ at which training accuracy
#   reaches 100 %; what the hidden layer *knows* then (a top layer refitted by ridge regression on
#   the hidden units at $t_{\text{mem}}$: does it generalise?); and how much the hidden
#   *representation* has changed, by its linear CKA with the representation at initialisation (1:
#   unchanged up to a rotation and a scale). CKA does not depend on how the optimizer scales its
#   steps, and we also measure it for plain gradient descent, where Adam's per-weight normalisation
#   is absent;
# * stage II, feature emergence: the **Fourier concentration** of a unit, the share of its
#   non-constant weight power that sits at its strongest frequency (1 for a pure cosine, about
#   {glue:text}`conc_init:.2f` at initialisation), averaged over units;
# * stage III, interaction: how evenly the units that have become single-frequency are spread over
#   the frequencies, compared with units that each pick a frequency on their own at random.
#
# Generalisation time $t_{\text{gen}}$ is the first step with test accuracy at least 95 %.

# %%
snapshot_steps = np.unique(np.geomspace(10, cfg.steps, 14).astype(int)).tolist()
snapshot_steps = sorted({*range(0, 60, 2), *snapshot_steps})
draws = range(cfg.n_draws)
settings = [(wd, d) for wd in cfg.wds for d in draws]
masks = random_splits(p, [cfg.main_frac] * len(settings),
                      [split_seeds[d] for _, d in settings])
rec = train_two_layer(
    masks, [wd for wd, _ in settings], width=cfg.width, lr=cfg.lr, steps=cfg.steps,
    init_seeds=[init_seeds[d] for _, d in settings], eval_every=10,
    eval_steps=range(0, 60, 2), snapshot_steps=snapshot_steps, desc=f"p = {p}",
    device=ch.device,
)


def select(wd):
    """Indices of the runs in `settings` with this weight decay."""
    return [i for i, (w, _) in enumerate(settings) if w == wd]


main = select(cfg.main_wd)
no_wd = select(0.0)
t_mem = rec.first_step("train_acc", 1.0)
t_gen = rec.first_step("test_acc", 0.95)
ch.glue(**cfg.pick("width", "lr", "steps", "p", "n_draws"))
ch.glue("conc_init", rec.concentration[0].mean())

# %% [markdown]
# ## Memorisation long before generalisation
#
# With weight decay {glue:text}`main_wd` and {glue:text}`main_frac_pct:.0f` % of the pairs for
# training, every run fits the training set by step {glue:text}`t_mem_max:.0f` while its test accuracy
# is still at most {glue:text}`test_at_mem:.3f` (chance is $1/p$ = {glue:text}`chance:.3f`). The test
# accuracy reaches 95 % only at step {glue:text}`t_gen_med:.0f` (median over
# {glue:text}`n_draws` runs): {glue:text}`delay_ratio:.0f` times later. Without weight decay the
# network memorises by step {glue:text}`t_mem_no_wd:.0f` and its final test accuracy is at most
# {glue:text}`no_wd_final:.2f`.

# %%
def finite(x):
    """An infinite time or ratio (never reached) becomes NaN: a check on it fails."""
    return np.where(np.isfinite(x), x, np.nan)


def row_at(steps_grid, t):
    """Index of the recorded step t (or the last one if t is never reached)."""
    return np.minimum(np.searchsorted(steps_grid, t), len(steps_grid) - 1)


at_mem = row_at(rec.steps, t_mem[main])
test_at_mem = rec.test_acc[at_mem, main]
delay = finite(t_gen[main] / t_mem[main])
glued = dict(
    main_wd=cfg.main_wd, main_frac_pct=100 * cfg.main_frac, t_mem_max=t_mem[main].max(),
    test_at_mem=test_at_mem.max(), chance=1 / p, t_gen_med=np.median(t_gen[main]),
    delay_ratio=np.median(delay), no_wd_final=rec.test_acc[-1, no_wd].max(),
    t_mem_no_wd=t_mem[no_wd].max(),
)
ch.glue(**glued)

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(6.4, 3.5))
steps_axis = np.maximum(rec.steps, 1)
for idx, color, label in ((main, OKABE_ITO["blue"], f"wd = {cfg.main_wd:g}"),
                          (no_wd, OKABE_ITO["vermillion"], "wd = 0")):
    for k, i in enumerate(idx):
        ax.plot(steps_axis, rec.train_acc[:, i], "--", color=color, lw=1.1)
        ax.plot(steps_axis, rec.test_acc[:, i], "-", color=color, lw=1.8,
                label=f"{label}: test" if k == 0 else None)
ax.plot([], [], "--", color="grey", label="training accuracy")
for t, text in ((np.median(t_mem[main]), "memorised"),
                (np.median(t_gen[main]), "generalised")):
    ax.axvline(t, color="grey", lw=0.8, ls=":")
    ax.text(t * 1.05, 0.5, text, rotation=90, va="center", fontsize=8, color="grey")
ax.set(xscale="log", xlabel="training step", ylabel="accuracy",
       title=f"p = {p}, {100 * cfg.main_frac:.0f} % of the pairs for training")
ax.legend(loc="center left")
ch.figure("fig-ch13-grokking")

# %% [markdown]
# ```{glue:figure} fig-ch13-grokking
# :name: fig-ch13-grokking
#
# Training (dashed) and test (solid) accuracy against the training step, log scale, one line per run. With
# weight decay (blue) the training set is fitted early and the test accuracy stays near chance through a
# plateau before it climbs (the steps are in the text); without weight decay (vermillion) it stays low (the
# values are in the text). Dotted lines: median memorisation and generalisation steps.
# ```

# %% [markdown]
# ## Stage I: memorising with features that know nothing
#
# The paper's first stage is lazy: the top layer fits the labels on top of hidden units that are
# still random. First, what the hidden layer knows. Freeze each run's hidden layer *at its
# memorisation step* and refit only the top layer by ridge regression on the training pairs: the
# best such readout reaches at most {glue:text}`ro_mem:.3f` test accuracy (chance
# {glue:text}`chance_again:.3f`). The same readout on the hidden layer at the end of training reaches
# at least {glue:text}`ro_end:.2f`. The hidden units at $t_{\text{mem}}$ are also still nearly
# Fourier-free: their concentration has made only {glue:text}`conc_share_at_mem:.2f` of the rise it
# makes by the end (median), against {glue:text}`conc_share_at_gen:.2f` by the step at which the
# test accuracy reaches 95 %.
#
# Second, whether the hidden layer stays put. Under Adam the
# linear CKA of the hidden representation with its initial one is {glue:text}`cka_mem_adam:.2f` at
# memorisation (median; {glue:text}`cka_end_adam:.2f` at the end). Under plain gradient descent
# (rate {glue:text}`gd_lr`, no weight decay, same splits and initial weights) the network
# memorises by step {glue:text}`gd_t_mem:.0f`, its first layer then has moved
# {glue:text}`gd_w_move:.2f` of its initial norm and the top layer {glue:text}`gd_v_move:.2f`
# (Adam: {glue:text}`w_move_mem:.2f` and {glue:text}`v_move_mem:.2f`), and the CKA is
# {glue:text}`cka_mem_gd:.2f`. A lazy layer would keep a CKA near 1; the check below asks for at
# least 0.9. What the representation gains while the training set is memorised carries no
# information about the test pairs (the refitted readout above).

# %%
def cka_to_init(record, i, step):
    """Linear CKA of run i's hidden representation (all pairs) at `step` with step 0."""
    return linear_cka(hidden_features(record.snapshots[step]["W"][i]),
                      hidden_features(record.snapshots[0]["W"][i]))


def nearest(snaps, t):
    return min(snaps, key=lambda s: abs(s - t))


mem_snap = [nearest(snapshot_steps, t_mem[i]) for i in main]
readout_mem = np.array([ridge_readout_accuracy(rec.snapshots[s]["W"][i], masks[i])
                        for s, i in zip(mem_snap, main, strict=True)])
readout_end = np.array([ridge_readout_accuracy(rec.final["W"][i], masks[i])
                        for i in main])
conc0, conc_final = rec.concentration[0], rec.concentration[-1]
at_gen = row_at(rec.steps, t_gen[main])
rise = conc_final[main] - conc0[main]
conc_rise = (rec.concentration[at_mem, main] - conc0[main]) / rise
conc_rise_gen = (rec.concentration[at_gen, main] - conc0[main]) / rise
cka_adam = np.array([cka_to_init(rec, i, s) for s, i in zip(mem_snap, main, strict=True)])
cka_adam_end = np.array([cka_to_init(rec, i, cfg.steps) for i in main])

gd_snaps = list(range(0, cfg.gd_steps + 1, 2))
rec_gd = train_two_layer(
    masks[main], 0.0, width=cfg.width, lr=cfg.gd_lr, steps=cfg.gd_steps,
    init_seeds=[init_seeds[d] for d in draws], optimizer="gd", eval_every=2,
    snapshot_steps=gd_snaps, desc="gradient descent", device=ch.device,
)
gd_t_mem = rec_gd.first_step("train_acc", 1.0)
gd_at_mem = row_at(rec_gd.steps, gd_t_mem)
cka_gd = np.array([cka_to_init(rec_gd, k, nearest(gd_snaps, t))
                   if np.isfinite(t) else np.nan for k, t in enumerate(gd_t_mem)])
k_gd = range(len(main))
glued = dict(
    ro_mem=readout_mem[:, 1].max(), chance_again=1 / p, ro_end=readout_end[:, 1].min(),
    conc_share_at_mem=np.median(conc_rise), conc_share_at_gen=np.median(conc_rise_gen),
    cka_mem_adam=np.median(cka_adam), cka_end_adam=np.median(cka_adam_end),
    gd_lr=cfg.gd_lr, gd_t_mem=gd_t_mem.max(), cka_mem_gd=np.median(cka_gd),
    gd_w_move=np.median(rec_gd.w_move[gd_at_mem, k_gd]),
    gd_v_move=np.median(rec_gd.v_move[gd_at_mem, k_gd]),
    w_move_mem=np.median(rec.w_move[at_mem, main]),
    v_move_mem=np.median(rec.v_move[at_mem, main]),
)
ch.glue(**glued)

# %% [markdown]
# ## Stage II: each unit grows one Fourier frequency
#
# After memorisation the hidden units become single-frequency units. The mean Fourier
# concentration of the runs with weight decay goes from {glue:text}`conc_init:.2f` to
# {glue:text}`conc_end:.2f` (median at the end); without weight decay it ends at
# {glue:text}`conc_no_wd:.2f`. The figure shows the spectra of the units of one run at
# initialisation, when the training set is memorised, and at the end.

# %%
ch.glue("conc_end", np.median(conc_final[main]))
ch.glue("conc_no_wd", np.median(conc_final[no_wd]))
i_show = main[0]
moments = {"initialisation": 0,
           "memorised": min(snapshot_steps, key=lambda s: abs(s - t_mem[i_show])),
           "end of training": cfg.steps}


def unit_spectra(step):
    """(units, frequencies) share of each unit's power per frequency, run i_show."""
    W = rec.snapshots[step]["W"][i_show]
    power = (fourier_power(W[0]) + fourier_power(W[1]))[1:].T
    return power / power.sum(axis=1, keepdims=True)


final_spectra = unit_spectra(cfg.steps)
order = np.lexsort((-final_spectra.max(axis=1), final_spectra.argmax(axis=1)))

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.4), sharey=True)
for ax, (title, step) in zip(axes, moments.items(), strict=True):
    image = ax.imshow(unit_spectra(step)[order], aspect="auto", vmin=0, vmax=1,
                      cmap="viridis", interpolation="nearest",
                      extent=(0.5, p // 2 + 0.5, cfg.width, 0))
    ax.set(title=f"{title} (step {step})", xlabel="frequency k")
    ax.grid(False)
axes[0].set_ylabel("hidden unit")
fig.colorbar(image, ax=axes, label="share of power", shrink=0.85)
ch.figure("fig-ch13-spectra")

# %% [markdown]
# ```{glue:figure} fig-ch13-spectra
# :name: fig-ch13-spectra
#
# Share of each hidden unit's weight power (rows, sorted by their final frequency) at each Fourier frequency
# (columns), for one run with weight decay. Compare how each unit's power is spread over the frequencies at
# initialisation, at memorisation and at the end; the checks measure the mean concentration at these moments.
# ```

# %% [markdown]
# ## Stage III: the units spread over the frequencies
#
# If each unit picked its frequency on its own, the number of units per frequency would scatter like
# balls thrown into bins: the variance of the counts would be about their mean (a dispersion index
# near 1). The paper's third stage predicts more than that: once some frequencies are taken, the
# gradient pushes the remaining units towards the *missing* ones, so the counts come out more even
# than chance. Counting the units whose concentration exceeds 0.5, the dispersion index at the end is
# {glue:text}`dispersion_end:.2f` (median over runs). Independent choices by the same number of units
# give {glue:text}`null_median:.2f` (median of random draws), and a value this low in only
# {glue:text}`null_share_pct:.1f` % of random draws.

# %%
def dispersion(counts):
    """Variance / mean of units per frequency, scaled to 1 for independent choices."""
    n_freq = counts.shape[-1]
    mean = counts.mean(axis=-1)
    return counts.var(axis=-1) / mean / (1 - 1 / n_freq)


snap_steps = np.array(snapshot_steps)
snap_counts = np.array([
    frequency_counts(rec.snapshots[s]["W"][:, 0], rec.snapshots[s]["W"][:, 1])
    for s in snapshot_steps
])  # (snapshots, runs, frequencies)
with np.errstate(invalid="ignore", divide="ignore"):
    snap_dispersion = dispersion(snap_counts.astype(float))
n_units_end = snap_counts[-1, main].sum(axis=-1)
null = dispersion(ch.rng.multinomial(int(np.median(n_units_end)),
                                     np.full(p // 2, 1 / (p // 2)), size=4000))
dispersion_end = np.median(snap_dispersion[-1, main])
ch.glue("dispersion_end", dispersion_end)
ch.glue("null_share_pct", 100 * np.mean(null <= dispersion_end))
ch.glue("null_median", np.median(null))

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.2))
for idx, color in ((main, OKABE_ITO["blue"]), (no_wd, OKABE_ITO["vermillion"])):
    for i in idx:
        axes[0].plot(steps_axis, rec.test_acc[:, i], color=color, lw=1.4)
        axes[1].plot(steps_axis, rec.concentration[:, i], color=color, lw=1.4)
later = snap_steps >= 20  # before that only a handful of units are single-frequency
for i in main:
    axes[2].plot(snap_steps[later], snap_dispersion[later, i], "-o", ms=3,
                 color=OKABE_ITO["blue"], lw=1.4)
null_lo, null_mid, null_hi = np.quantile(null, [0.01, 0.5, 0.99])
axes[2].errorbar([cfg.steps * 1.25], [null_mid], yerr=[[null_mid - null_lo],
                 [null_hi - null_mid]], fmt="s", color="grey", capsize=3,
                 label="independent choices (98 %)")
axes[0].set(ylabel="test accuracy", title="generalisation")
axes[1].set(ylabel="Fourier concentration", title="stage II: features emerge")
axes[2].set(ylabel="dispersion index", title="stage III: units spread out")
axes[2].legend(fontsize=7.5)
for ax in axes:
    ax.set(xscale="log", xlabel="training step")
ch.figure("fig-ch13-stages")

# %% [markdown]
# ```{glue:figure} fig-ch13-stages
# :name: fig-ch13-stages
#
# The three proxies over training time for the runs with weight decay (one line per run; vermillion: without
# weight decay). Left: test accuracy. Middle: mean Fourier concentration of the hidden units; compare when it
# rises with when the test accuracy climbs. Right: dispersion of the number of single-frequency units per
# frequency; the grey bar at the right holds 98 % of the values that independent random choices would give at
# the end; the check below compares the runs' final value with these choices.
# ```

# %% [markdown]
# ## Weight decay sets the clock
#
# The same training with several weight decays. Raising the weight decay from
# {glue:text}`main_wd_again` to {glue:text}`wd_big` divides the time to generalise by
# {glue:text}`wd_speedup:.1f` (median over draws of the paired ratio: each draw has the same split
# and initial weights at every weight decay). Lowering it to {glue:text}`wd_small` gives a paired
# ratio of {glue:text}`wd_small_ratio_text` (a run that does not reach 95 % within the budget counts
# as never: its final test accuracy is at most {glue:text}`wd_small_final:.2f`).

# %%
wd_big = max(cfg.wds)
wd_small = min(w for w in cfg.wds if w > 0)
with np.errstate(invalid="ignore"):  # inf / inf: neither generalised, the check fails
    ratio_big = finite(t_gen[select(wd_big)] / t_gen[main])
    ratio_small = t_gen[select(wd_small)] / t_gen[main]  # inf: never at the small decay
wd_ratio = float(np.median(ratio_big))
wd_small_ratio = float(np.median(ratio_small))
glued = dict(
    main_wd_again=cfg.main_wd, wd_big=wd_big, wd_speedup=1 / wd_ratio, wd_small=wd_small,
    wd_small_ratio_text=(
        "infinite" if np.isinf(wd_small_ratio) else f"{wd_small_ratio:.1f}"),
    wd_small_final=rec.test_acc[-1, select(wd_small)].max(),
)
ch.glue(**glued)

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(5.0, 3.3))
ceiling = 1.4 * cfg.steps
medians = []
for v in cfg.wds:
    t = t_gen[select(v)]
    shown = np.where(np.isfinite(t), t, ceiling)
    ax.scatter(np.full(len(t), v), shown, c=[OKABE_ITO["blue"]], s=18,
               marker="o" if np.all(np.isfinite(t)) else "^", zorder=3)
    medians.append(np.median(shown))
ax.plot(cfg.wds, medians, "-", color=OKABE_ITO["blue"], lw=1.5)
ax.axhline(cfg.steps, color="grey", lw=0.8, ls=":")
ax.text(cfg.wds[0], cfg.steps * 1.08, "budget", fontsize=8, color="grey")
ax.set(xlabel="weight decay", yscale="log", ylabel="steps to 95 % test accuracy",
       title=f"p = {p}, training fraction {cfg.main_frac:g}")
ch.figure("fig-ch13-sweeps")

# %% [markdown]
# ```{glue:figure} fig-ch13-sweeps
# :name: fig-ch13-sweeps
#
# Steps to reach 95 % test accuracy against weight decay (dots: runs; line: median). Runs that never got there
# within the budget sit on the top edge (triangles). The checks below compare the paired ratios of these
# times.
# ```

# %% [markdown]
# ## How much data, for which modulus?
#
# The paper's scaling law says that generalising features need about $M \log M$ training pairs for
# modulus $M$ (its code places the boundary at $2.75\, M \ln M$ pairs). Since there are $M^2$ pairs,
# the *fraction* needed shrinks like $\log M / M$. For each modulus {glue:text}`moduli_text` we train
# on $n = c\, M \ln M$ pairs for $c$ = {glue:text}`c_text` ({glue:text}`scaling_draws` draws each,
# weight decay {glue:text}`main_wd_3`, {glue:text}`scaling_steps` steps; a run stops once its test
# accuracy passes 99 %). The threshold $n^\ast$ is where the final test accuracy, averaged over
# draws, crosses 50 %, interpolated in $\log n$. The grid is the same for every modulus in units of
# $M \ln M$, so it does not favour the law: if $n^\ast$ grew like $M$, its crossing would drift to
# $c \approx$ {glue:text}`c_if_linear:.1f` at the largest modulus; if it grew like a fixed fraction
# $M^2$, to $c \approx$ {glue:text}`c_if_square:.1f` (a crossing off the grid is no crossing, and
# the checks on it fail).
#
# Over this range $M \ln M$ has a log-log slope of {glue:text}`slope_mlogm:.2f`, $M$ a slope of 1 and
# a fixed fraction a slope of 2. We measure {glue:text}`slope:.2f`, and
# $n^\ast / (M \ln M)$ = {glue:text}`law_ratio_text` (the paper's code: 2.75), a factor
# {glue:text}`spread_mlogm:.2f` from the smallest to the largest value ($n^\ast / M$: a factor
# {glue:text}`spread_linear:.2f`). The threshold grows faster than $M \log M$ at this width and
# budget, and slower than a fixed fraction: the two checks of the law below are declared *not
# reproduced* (a pass on some seeds is shown as fragile). Does the step budget
# set the threshold? Reading the same runs at half the budget gives thresholds
# {glue:text}`half_ratio_text` times the full-budget ones: doubling the steps moves $n^\ast$ by at
# most {glue:text}`half_shift_pct:.0f` %.

# %%
def data_threshold(n, mean_acc):
    """Training pairs where the mean final test accuracy crosses 0.5 (log-interp.)."""
    found = crossings(n, mean_acc, np.full(len(n), 0.5), log_x=True, log_y=False)
    return float(found[0]) if found.size else float("nan")


c_grid = np.array(cfg.c_grid)
half = cfg.scaling_steps // 2
curves, curves_half, sizes = {}, {}, {}
for k, modulus in enumerate(cfg.moduli):
    n = np.unique(np.round(c_grid * modulus * np.log(modulus)).astype(int))
    n = n[n < modulus**2]
    run = [(size, d) for size in n for d in range(cfg.scaling_draws)]
    which = [cfg.n_draws + k * cfg.scaling_draws + d for _, d in run]
    mask_m = random_splits(modulus, [size / modulus**2 for size, _ in run],
                           [split_seeds[j] for j in which])
    rec_m = train_two_layer(
        mask_m, cfg.main_wd, width=cfg.width, lr=cfg.lr, steps=cfg.scaling_steps,
        init_seeds=[init_seeds[j] for j in which], eval_every=50, eval_steps=[half],
        stop_at=0.99, desc=f"M = {modulus}", device=ch.device,
    )
    at_half = list(rec_m.steps).index(half)
    shape = (len(n), cfg.scaling_draws)
    curves[modulus] = rec_m.test_acc[-1].reshape(shape).mean(axis=1)
    curves_half[modulus] = rec_m.test_acc[at_half].reshape(shape).mean(axis=1)
    sizes[modulus] = n
moduli = np.array(cfg.moduli, dtype=float)
n_star = np.array([data_threshold(sizes[m], curves[m]) for m in cfg.moduli])
n_star_half = np.array([data_threshold(sizes[m], curves_half[m]) for m in cfg.moduli])
mlogm = moduli * np.log(moduli)
slope = loglog_slope(moduli, n_star)
slope_mlogm = loglog_slope(moduli, mlogm)
law_ratio = n_star / mlogm
spread_mlogm = np.max(law_ratio) / np.min(law_ratio)
spread_linear = np.max(n_star / moduli) / np.min(n_star / moduli)
half_ratio = n_star / n_star_half
c_first = law_ratio[0]
glued = dict(
    moduli_text=", ".join(str(m) for m in cfg.moduli),
    c_text=", ".join(f"{c:g}" for c in cfg.c_grid), main_wd_3=cfg.main_wd,
    scaling_draws=cfg.scaling_draws, scaling_steps=cfg.scaling_steps,
    c_if_linear=c_first * np.log(moduli[0]) / np.log(moduli[-1]),
    c_if_square=c_first * mlogm[0] / moduli[0] ** 2 * moduli[-1] ** 2 / mlogm[-1],
    slope=slope, slope_mlogm=slope_mlogm,
    law_ratio_text=", ".join(f"{r:.2f}" for r in law_ratio),
    half_ratio_text=", ".join(f"{r:.2f}" for r in half_ratio),
    half_shift_pct=100 * np.max(np.abs(1 - half_ratio)),
    spread_mlogm=spread_mlogm, spread_linear=spread_linear,
)
ch.glue(**glued)

# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.8, 3.4))
for modulus, color in zip(cfg.moduli, sweep_colors(len(cfg.moduli)), strict=True):
    c_m = sizes[modulus] / (modulus * np.log(modulus))
    ax1.plot(c_m, curves[modulus], "-o", ms=3.5, color=color, label=f"M = {modulus}")
    ax1.plot(c_m, curves_half[modulus], ":", color=color, lw=1)
ax1.axhline(0.5, color="grey", lw=0.8, ls=":")
ax1.set(xlabel=r"training pairs / $(M \ln M)$", ylabel="final test accuracy",
        title=f"{cfg.scaling_steps} steps, wd {cfg.main_wd:g}", xscale="log")
log_ticks(ax1, [2, 2.5, 3, 4, 5])
ax1.legend(fontsize=7.5)
grid_m = np.geomspace(moduli.min(), moduli.max(), 50)
ax2.plot(moduli, n_star, "o", color=OKABE_ITO["vermillion"], ms=6, label="measured")
ax2.plot(grid_m, 2.7482 * grid_m * np.log(grid_m), color="black", lw=1.2,
         label=r"$2.75\, M \ln M$ (paper's code)")
ax2.plot(grid_m, n_star[0] * grid_m / moduli[0], "-.", color="grey", lw=1.2,
         label=r"$\propto M$")
ax2.plot(grid_m, n_star[0] * (grid_m / moduli[0]) ** 2, "--", color="grey", lw=1.2,
         label=r"fixed fraction, $\propto M^2$")
ax2.set(xscale="log", yscale="log", xlabel="modulus M", ylabel="training pairs needed",
        title=f"slope {slope:.2f}")
log_ticks(ax2, [int(m) for m in cfg.moduli])
log_ticks(ax2, [50, 100, 200, 400, 800, 1600], axis="y")
ax2.legend(fontsize=7.5)
ch.figure("fig-ch13-scaling")

# %% [markdown]
# ```{glue:figure} fig-ch13-scaling
# :name: fig-ch13-scaling
#
# Left: final test accuracy (mean over draws) against the number of training pairs in units of $M \ln M$, one
# colour per modulus; solid after the full budget, dotted after half of it. Right: the training pairs at the
# 50 % crossing against the modulus (log-log), with the paper's $2.75\,M\ln M$ (solid), and a law $\propto M$
# (dash-dotted) and a fixed fraction $\propto M^2$ (dashed) through the smallest modulus. The fitted slope is
# in the title; the claim checks compare it with these laws.
# ```

# %%
ch.glue(
    p_again=p, moduli_again=glued["moduli_text"], width_again=cfg.width,
    main_wd_4=cfg.main_wd, main_wd_5=cfg.main_wd, t_mem_max_again=t_mem[main].max(),
    delay_again=np.median(delay), ro_mem_again=readout_mem[:, 1].max(),
    cka_gd_again=np.median(cka_gd), cka_adam_again=np.median(cka_adam),
    conc_init_again=rec.concentration[0].mean(),
    conc_end_again=np.median(conc_final[main]),
    conc_no_wd_again=np.median(conc_final[no_wd]), dispersion_again=dispersion_end,
    null_again=np.median(null), wd_speedup_again=1 / wd_ratio, wd_big_again=wd_big,
    no_wd_final_again=rec.test_acc[-1, no_wd].max(), slope_again=slope,
    m_range=f"{cfg.moduli[0]} to {cfg.moduli[-1]}", slope_mlogm_again=slope_mlogm,
    spread_again=spread_mlogm, spread_linear_again=spread_linear,
    steps_again=cfg.steps, scaling_steps_again=cfg.scaling_steps,
    ratio_first=law_ratio[0],
    width_3=cfg.width, slope_mlogm_3=slope_mlogm,
)

# %% [markdown]
# ## Claim checks
#
# Each claim check carries a control, the same statistic where the paper's mechanism is absent or
# where the claim predicts the opposite; it holds only if the control fails the threshold. Times are
# medians over the {glue:text}`n_draws_again` draws, and a run that never reaches 95 % test accuracy
# counts as never. "At most" and "at least" use the worst run. The thresholds come from the claims
# (chance, half the power in one frequency, the laws' slopes) and were set on seeds 0 to 2 and
# confirmed on seeds 21 to 23. The setup checks confirm the regime (grokking: memorisation at chance,
# long before generalisation; a threshold the budget does not set) and are not evidence.

# %%
ch.glue("n_draws_again", cfg.n_draws)
ch.check(
    "memorised_long_before_generalised",
    f"with wd {cfg.main_wd:g}, generalisation (95 % test) comes at least 5x later than "
    "memorisation (100 % train), median over runs",
    np.median(delay), ">=", 5, kind="setup",
)
ch.check(
    "test_at_chance_when_memorised",
    "at the memorisation step every run's test accuracy is below 0.15",
    test_at_mem.max(), "<", 0.15, kind="setup",
)
ch.check(
    "generalises_only_with_weight_decay",
    f"with wd {cfg.main_wd:g} every run ends with test accuracy of at least 0.9",
    rec.test_acc[-1, main].min(), ">=", 0.9,
    control=rec.test_acc[-1, no_wd].max(), control_is="no weight decay (best run)",
)
ch.check(
    "features_useless_when_memorised",
    "a top layer refitted by ridge on the hidden layer at the memorisation step has test "
    "accuracy below 0.15 (best run)",
    readout_mem[:, 1].max(), "<", 0.15,
    control=readout_end[:, 1].min(),
    control_is="the same readout on the hidden layer at the end of training (worst run)",
)
ch.check(
    "features_still_random_when_memorised",
    "at memorisation the Fourier concentration has made under 30 % of its rise by the "
    "end of training (median)",
    np.median(conc_rise), "<", 0.3,
    control=np.median(conc_rise_gen),
    control_is="the same share at the generalisation step (95 % test)",
)
ch.check(
    "hidden_layer_lazy_during_memorisation",
    "under plain gradient descent the hidden representation at memorisation keeps a "
    "linear CKA of at least 0.9 with its initialisation (median)",
    np.median(cka_gd), ">=", 0.9,
    control=np.median(cka_adam), control_is="Adam's per-weight normalisation",
    known_miss="the representation changes while the training set is memorised, under "
    "gradient descent too (CKA well below 0.9), although what it learns carries no test "
    "information (features_useless_when_memorised)",
)
ch.check(
    "fourier_features_emerge_with_weight_decay",
    "every run with weight decay ends with a mean Fourier concentration of at least 0.5 "
    "(over half of a unit's power at one frequency)",
    conc_final[main].min(), ">=", 0.5,
    control=conc_final[no_wd].max(), control_is="no weight decay (highest run)",
)
ch.check(
    "more_weight_decay_generalises_sooner",
    f"steps to generalise at wd {wd_big:g} over those at wd {cfg.main_wd:g}, paired by "
    "draw (median), at most 0.7",
    wd_ratio, "<=", 0.7,
    control=wd_small_ratio, control_is=f"less weight decay (wd {wd_small:g})",
)
ch.check(
    "units_spread_over_frequencies",
    "dispersion of single-frequency units over the frequencies at the end (median over "
    "runs) is below 0.5",
    dispersion_end, "<", 0.5,
    control=float(np.median(null)),
    control_is="units choosing their frequencies independently (simulated, median)",
)
ch.check(
    "budget_does_not_set_the_threshold",
    "doubling the steps moves every modulus's data threshold by less than 20 % "
    "(largest |1 - full-budget / half-budget threshold|)",
    float(np.max(np.abs(1 - half_ratio))), "<", 0.2, kind="setup",
)
ch.check(
    "data_needed_grows_like_M_log_M",
    f"log-log slope of the training pairs needed against the modulus ({cfg.moduli[0]} to "
    f"{cfg.moduli[-1]}) lies between 1.15 and 1.6 (M log M: {slope_mlogm:.2f})",
    slope, "between", (1.15, 1.6),
    control=loglog_slope(moduli, n_star[0] * (moduli / moduli[0]) ** 2),
    control_is="a fixed fraction of the table (the fraction at the smallest modulus)",
    known_miss="at this width and budget the threshold per M ln M rises with the "
    "modulus: the slope sits at the window's upper edge, between M log M and M^1.8",
)
ch.check(
    "threshold_over_M_log_M_is_flat",
    "the data threshold divided by M ln M varies by less than a factor 1.3 over the "
    "moduli",
    spread_mlogm, "<", 1.3,
    control=spread_linear, control_is="the threshold divided by M (a linear law)",
    known_miss="at this width and budget the threshold per M ln M rises with the "
    "modulus, by more than the factor allowed",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | task, model | modular addition (and other groups), $M = 127$ in the code's default; two-layer net, one-hot inputs, quadratic activation, 512 hidden units | modular addition, $p$ = {glue:text}`p_again` (detailed runs) and moduli {glue:text}`moduli_again` (scaling); the same network with {glue:text}`width_again` units |
# | training | Adam, weight decay $10^{-5}$ to $5 \cdot 10^{-4}$ (coupled), squared or cross-entropy loss; top layer optionally refitted by ridge each step | full-batch Adam with decoupled weight decay {glue:text}`main_wd_4` (and a sweep), squared loss, both layers trained; plain gradient descent for stage I |
# | stage I | top layer overfits random hidden units (lazy) | memorised by step {glue:text}`t_mem_max_again:.0f`, generalised {glue:text}`delay_again:.0f` times later; the hidden layer at memorisation is useless to a refitted readout (test accuracy {glue:text}`ro_mem_again:.3f`). **Not reproduced:** it is not lazy; CKA with the initial representation {glue:text}`cka_gd_again:.2f` under gradient descent, {glue:text}`cka_adam_again:.2f` under Adam |
# | stage II | each unit climbs an energy whose maxima are Fourier features | concentration {glue:text}`conc_init_again:.2f` → {glue:text}`conc_end_again:.2f` with weight decay, {glue:text}`conc_no_wd_again:.2f` without |
# | stage III | units interact, gradient refocuses on missing features | units spread over frequencies more evenly than independent choices (dispersion {glue:text}`dispersion_again:.2f` against {glue:text}`null_again:.2f`) |
# | weight decay | more generalises sooner; none does not generalise | {glue:text}`wd_speedup_again:.1f`x faster at weight decay {glue:text}`wd_big_again` than at {glue:text}`main_wd_5`; final test accuracy without weight decay at most {glue:text}`no_wd_final_again:.2f` |
# | scaling law | boundary at $n \sim M \log M$ pairs (code: $2.75\, M \ln M$) | **not reproduced at this width:** slope {glue:text}`slope_again:.2f` over moduli {glue:text}`m_range` (M log M: {glue:text}`slope_mlogm_again:.2f`, fixed fraction: 2); $n^\ast / (M \ln M)$ varies by a factor {glue:text}`spread_again:.2f` ($n^\ast / M$ by {glue:text}`spread_linear_again:.2f`); at the smallest modulus $n^\ast / (M \ln M)$ = {glue:text}`ratio_first:.2f` |
#
# What differs and what we could not check. We could read the paper's abstract and its official
# code (`yuandong-tian/understanding`, `ssl/real-dataset/cogo`: README and default configuration),
# not its body, so the figures' exact settings are not reproduced; the stage proxies are ours, not
# the paper's gradient-structure definitions. Our weight decay is decoupled (AdamW's rule) at a much
# larger value than the code's coupled $10^{-4}$ and our learning rate is higher: that makes grokking
# happen within {glue:text}`steps_again` steps on a CPU.
#
# Where we part from the referee's suggestions. The review proposed testing stage I's laziness by
# the change of the hidden representation (CKA) or with plain gradient descent; we did both, and the
# lazy stage does not reproduce: the representation moves during memorisation under either
# optimizer. We keep the claim as *not reproduced* rather than drop it, and test what the lazy
# stage is for, that the memorising solution uses no generalising features, directly by a refitted
# readout (check `features_useless_when_memorised`). For the scaling law we followed the review:
# moduli from 11 to 47, a slope window of 1.15 to 1.6 and a check that $n^\ast / (M \ln M)$ stays
# flat; both miss, because the threshold per $M \ln M$ rises with the modulus. All our moduli use
# the same {glue:text}`width_3` hidden units (the paper's code: 512 at $M = 127$), so the largest
# modulus has the fewest units per frequency; whether that is the cause we did not test here. The
# data threshold depends on the step budget near the threshold; we report it for
# {glue:text}`scaling_steps_again` steps and check that halving them moves it by less than 20 %.
# The control of the slope check is the competing law's
# prediction (a fixed fraction of the table, slope 2), not a second measurement; the flatness check
# compares two normalisations of the same measured thresholds. The former checks "more data
# generalises sooner" and "no generalisation below the data threshold" are replaced by the
# threshold itself, measured for every modulus. We did not test the Muon optimizer or deeper
# networks. The `paper` preset (moduli up to 59, a finer grid, 3 draws) was not run for this page.
#
# ## Try it
#
# - Set `scaling_steps=2000` in the `book` preset. Does the threshold $n^\ast / (M \ln M)$ move, and
#   in which direction?
# - Set `width=256` in the `book` preset. Does $n^\ast / (M \ln M)$ flatten, so that the slope
#   comes closer to the {glue:text}`slope_mlogm_3:.2f` of $M \log M$?
# - Set `main_wd=0.5` in the `book` preset. What do you expect of the plateau of random-looking
#   features, and of the data threshold of each modulus?
#
# **Related chapters.**
# - {doc}`12_feature_learning_mup`: the lazy (kernel) and feature-learning regimes of wide networks.
# - {doc}`05_benign_overfitting_xor`: grokking after benign overfitting on XOR clusters.
# - {doc}`04_neural_scaling_laws`: power laws in the size of a model and of its data.
