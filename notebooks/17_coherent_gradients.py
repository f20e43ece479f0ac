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
# # Coherent gradients: real labels pull together
#
# **Paper.** {cite:t}`chatterjee2022generalization`.
#
# **Claim.** A network that can fit random labels still generalizes on real ones because of how
# gradient descent combines examples. Each step follows the *sum* of the per-example gradients, so
# it moves furthest in directions that many examples agree on. With real labels the per-example
# gradients are strongly aligned (*coherent*) while the loss falls: a step on one example also
# helps many others. With random labels they are close to orthogonal, and each example has to be
# fitted on its own. The paper turns this into a prescription: average the per-example gradients
# *robustly*, so that directions supported by only a few examples are damped, and the network fits
# far fewer noisy labels and generalizes better.
#
# **What we redraw.** The paper's coherence-during-training figure (real against random labels;
# ResNet-50 on ImageNet there, a small MLP on the digits here), extended to a sweep of label-noise
# fractions with the clean and the mislabelled examples tracked apart, and the robust-averaging
# experiment with noisy labels that the paper builds on: median-of-means gradient descent against
# plain gradient descent and against a plain run matched to its speed, with the fraction of wrong
# labels fitted and the test accuracy.

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
from overparam_utils import pergrad as pg
from overparam_utils.data import digits_split, flip_labels
from overparam_utils.plotting import OKABE_ITO, log_ticks
from overparam_utils.training import mlp

# An MLP 64 -> width -> width -> 10 trained by SGD (lr, batch_size) on n_train digits
# (500 more for testing), n_draws independent draws of initialisation and label noise.
# Sweep: each fraction in `noise_levels` of the labels flipped, `steps` steps, coherence
# of a fixed sample of coherence_m training examples at the `snapshots`.
# Robust half (`noise` flipped, robust_steps): plain SGD, plain SGD with the step times
# each of `control_factors` (the speed-matched control is picked among them) and
# median-of-means SGD over mom_groups groups per batch. `winsorize` (the number c
# clipped at each end of a batch, 0 = off) adds winsorized SGD: slow, only in `paper`.
PRESETS = {
    "smoke": dict(
        n_train=300, width=64, lr=0.1, batch_size=32, n_draws=1,
        noise_levels=[0.0, 0.25, 0.5, 0.75, 1.0], steps=200, coherence_m=128,
        snapshots=[0, 10, 20, 35, 50, 100, 200],
        noise=0.5, robust_steps=120, control_factors=[0.4, 0.5, 0.6], mom_groups=8,
        winsorize=0, eval_every=15,
    ),
    "book": dict(
        n_train=1297, width=64, lr=0.1, batch_size=32, n_draws=3,
        noise_levels=[0.0, 0.25, 0.5, 0.75, 1.0], steps=2000, coherence_m=256,
        snapshots=[0, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 1000, 1500, 2000],
        noise=0.5, robust_steps=1600,
        control_factors=[0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7],
        mom_groups=8, winsorize=0, eval_every=50,
    ),
    "paper": dict(
        n_train=1297, width=128, lr=0.1, batch_size=32, n_draws=3,
        noise_levels=[0.0, 0.25, 0.5, 0.75, 1.0], steps=4000, coherence_m=512,
        snapshots=[0, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 4000],
        noise=0.5, robust_steps=3000,
        control_factors=[0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7],
        mom_groups=8, winsorize=4, eval_every=200,
    ),
}
ch = chapter.setup(
    "17_coherent_gradients", scale=scale, seed=seed, device=device, presets=PRESETS
)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Data and model.** scikit-learn's 8×8 digits ({glue:text}`n_train` training and 500 test
# images, standardised pixels) and a fully connected ReLU network with two hidden layers of
# {glue:text}`width` units: {glue:text}`n_params` weights, several times the number of training
# examples, enough to fit the training set even with random labels. Training is plain
# mini-batch SGD on the cross-entropy (step {glue:text}`lr`, batch {glue:text}`batch_size`). Every
# configuration is trained in {glue:text}`n_draws` independent draws (initialisation, flipped
# labels, batches), all at once as one stacked network (`overparam_utils.pergrad`).
#
# **Coherence.** Let $g_i$ be the gradient of the loss of example $i$ at the current weights. A
# step along the mean gradient $\bar g$ of a sample of $m$ examples changes the loss of example $i$
# by about $-\eta\, g_i \cdot \bar g$. The paper's coherence compares the average of this benefit
# over the sample with the benefit each example would get from a step on its own gradient,
#
# $$\alpha = \frac{\mathbb E_{i,j}\, g_i \cdot g_j}{\mathbb E_i\, g_i \cdot g_i}
#          = \frac{\lVert \bar g\rVert^2}{\frac1m \sum_i \lVert g_i\rVert^2}.$$
#
# If all $m$ gradients are equal, $\alpha = 1$; if they are mutually orthogonal (with equal norms)
# $\alpha = 1/m$. The paper therefore reports $m\alpha$, the coherence relative to orthogonal
# gradients: 1 means every example is on its own, and $m\alpha = k$ reads "a step on one example
# helps about $k$ examples of the sample". We compute every $g_i$ exactly with `torch.func`
# (`vmap` over examples of `grad` of one example's loss) on a fixed sample of
# $m$ = {glue:text}`coherence_m` training examples.
#
# **Clean and mislabelled examples apart.** The same sum can be split by example: the
# coherence example $i$ *feels*, $h_i = m\, g_i\cdot\bar g / \frac1m\sum_j \lVert g_j\rVert^2$,
# is its gain from the mean step over the average gain of a step on one's own gradient, and the
# mean of $h_i$ over the sample is $m\alpha$ exactly (`pergrad.felt_coherence`). Averaging $h_i$
# over the clean examples and over the mislabelled ones of the sample says whom the mean step
# serves.

# %%
X, y, X_test, y_test = digits_split(n_train=cfg.n_train, n_test=500, seed=ch.seed)
n_train, n_classes, S = len(y), 10, cfg.n_draws
# every repetition seed comes from ch.seeds: initialisations, label flips, the coherence
# sample and the batch orders of the two experiments
sample_seed, sweep_batches, robust_batches, *draw_seeds = ch.seeds(3 + 2 * S)
init_seeds, flip_seeds = draw_seeds[:S], draw_seeds[S:]


def fresh_models(count):
    """`count` stacked MLPs; model k starts from draw k mod n_draws's initialisation, so
    every configuration starts from the same n_draws sets of weights."""
    nets = [mlp(X.shape[1], cfg.width, n_classes, depth=2, seed=init_seeds[k % S],
                device=ch.device) for k in range(count)]
    return pg.stack_models(nets)


def flips(fraction):
    """Draw k's labels with `fraction` of them flipped to another class, and the mask."""
    draws = [flip_labels(y, fraction, n_classes, np.random.default_rng(s))
             for s in flip_seeds]
    labels, mask = zip(*draws, strict=True)
    return np.stack(labels), np.stack(mask)


net = mlp(X.shape[1], cfg.width, n_classes, depth=2)
n_params = sum(p.numel() for p in net.parameters())
ch.glue(**cfg.pick("n_train", "width", "lr", "batch_size", "n_draws", "coherence_m"))
ch.glue("n_params", f"{n_params:,}")
X_t = torch.as_tensor(X, device=ch.device)
X_test_t = torch.as_tensor(X_test, device=ch.device)

# %% [markdown]
# ## Coherence over a sweep of label noise
#
# We flip {glue:text}`noise_list` of the training labels (a flipped label is a different class,
# drawn at random), train every noise level in {glue:text}`n_draws` draws from the same
# initialisations for {glue:text}`steps` steps, and at log-spaced steps record, for the same
# {glue:text}`coherence_m` training images, the coherence $m\alpha$ and the parts of it felt by the
# clean and by the mislabelled examples, together with the fraction of clean and of mislabelled
# training examples whose given label the network predicts. At 0 % noise the labels are the
# real ones; at 100 % every label is wrong, which is the paper's random-label control.

# %%
levels = list(cfg.noise_levels)
L = len(levels)
Y_sweep, F_sweep = (np.concatenate(a) for a in zip(*map(flips, levels), strict=True))
real, rand = levels.index(0.0), levels.index(1.0)  # rows real*S.. and rand*S..
rng = np.random.default_rng(sample_seed)
sample = rng.choice(n_train, size=cfg.coherence_m, replace=False)
sweep = {k: [] for k in ("coh", "felt", "loss", "acc", "fit")}


def record_sweep(step, params):
    felt = pg.felt_coherence(base, params, X[sample], Y_sweep[:, sample])
    with torch.no_grad():
        logits = pg.stacked_logits(base, params, X_t)
        labels = torch.as_tensor(Y_sweep, device=ch.device)
        loss = torch.nn.functional.cross_entropy(
            logits.transpose(1, 2), labels, reduction="none").mean(dim=1)
        fit = (logits.argmax(-1) == labels).cpu().numpy()
    sweep["coh"].append(felt.mean(1).cpu().numpy())
    sweep["felt"].append(felt.cpu().numpy())
    sweep["loss"].append(loss.cpu().numpy())
    sweep["acc"].append(fit.mean(1))
    sweep["fit"].append(fit)


base, params = fresh_models(L * S)
pg.train_stacked(
    base, params, X, Y_sweep, steps=cfg.steps, lr=cfg.lr, batch_size=cfg.batch_size,
    seed=sweep_batches, callback=record_sweep, every=cfg.snapshots, desc="noise sweep",
)
steps_c = np.array(cfg.snapshots)
coh = np.array(sweep["coh"]).reshape(len(steps_c), L, S)  # (snapshots, level, draw)
felt = np.array(sweep["felt"]).reshape(len(steps_c), L, S, -1)
fit = np.array(sweep["fit"]).reshape(len(steps_c), L, S, -1)
loss = np.array(sweep["loss"]).reshape(len(steps_c), L, S)
acc = np.array(sweep["acc"]).reshape(len(steps_c), L, S)
masks = F_sweep.reshape(L, S, -1)  # which examples are flipped, per level and draw


mixed = [j for j, p in enumerate(levels) if 0 < p < 1]


def by_group(values, j, k, run, on_sample=False):
    """Means over draw k's clean and flipped examples at noise level j of
    values[:, run, k] (per snapshot): `run` = j is that level's own run, `run` = real the
    real-label run;
    `on_sample`: values are over the coherence sample, not the whole training set."""
    mask = masks[j, k][sample] if on_sample else masks[j, k]
    v = values[:, run, k]
    return v[:, ~mask].mean(-1), v[:, mask].mean(-1)


# (mixed level, draw, clean / flipped, snapshot); "same" = the real-label run split by the
# same masks: the examples that are flipped at that level, with their labels left intact
felt_split = np.array([[by_group(felt, j, k, j, True) for k in range(S)] for j in mixed])
fit_split = np.array([[by_group(fit, j, k, j) for k in range(S)] for j in mixed])
felt_same = np.array([[by_group(felt, j, k, real, True) for k in range(S)]
                      for j in mixed])
fit_same = np.array([[by_group(fit, j, k, real) for k in range(S)] for j in mixed])

# the learning phase: after step 0, until the real-label runs fit 90 % of their labels
fitted_at = steps_c[np.argmax(acc[:, real].mean(-1) >= 0.9)]
if acc[:, real].mean(-1).max() < 0.9:
    fitted_at = steps_c[-1]
window = (steps_c > 0) & (steps_c <= fitted_at)
coh_window = coh[window].mean(0)  # (level, draw)
late = slice(-2, None)  # the last two snapshots
felt_gap = (felt_split[:, :, 0] - felt_split[:, :, 1])[..., window].mean(-1)
felt_gap_same = (felt_same[:, :, 0] - felt_same[:, :, 1])[..., window].mean(-1)
fit_gap = (fit_split[:, :, 0] - fit_split[:, :, 1]).mean(1).max(-1)  # peak over steps
fit_gap_same = (fit_same[:, :, 0] - fit_same[:, :, 1]).mean(1).max(-1)
rise = coh[late].mean(0) / coh_window  # (level, draw): late coherence / learning phase

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, 3, figsize=(11.0, 3.5))
palette = [OKABE_ITO[c] for c in ("blue", "green", "orange", "purple", "vermillion")]
x_plot = np.maximum(steps_c, 1)
for j, p in enumerate(levels):
    axes[0].plot(x_plot, coh[:, j].mean(-1), "-o", ms=3, color=palette[j % 5],
                 label=f"{100 * p:.0f} % flipped")
for i, j in enumerate(mixed):
    for g, ls in ((0, "-"), (1, "--")):
        axes[1].plot(x_plot, felt_split[i, :, g].mean(0), ls, color=palette[j % 5])
        axes[2].plot(x_plot, fit_split[i, :, g].mean(0), ls, color=palette[j % 5])
axes[2].plot(x_plot, acc[:, real].mean(-1), "-", color=palette[real % 5])
axes[2].plot(x_plot, acc[:, rand].mean(-1), "--", color=palette[rand % 5])
for ax in axes:
    ax.axvspan(x_plot[window][0], fitted_at, color="grey", alpha=0.12, lw=0)
    ax.set(xscale="log", xlabel="SGD step (step 0 drawn at 1)")
for ax in axes[:2]:
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
axes[0].set(yscale="log", ylabel=r"coherence $m\alpha$",
            title=f"m = {cfg.coherence_m} training examples")
log_ticks(axes[0], [0.5, 1, 2, 5, 10, 20, 50, 100], axis="y")
axes[1].set(ylabel=r"felt coherence $h_i$ (mean)", title="clean vs mislabelled")
axes[2].set(ylabel="fraction fitted", title="fit of the given labels", ylim=(0, 1.02))
axes[0].legend(fontsize=7)
ch.figure("fig-ch17-coherence")

# %% [markdown]
# ```{glue:figure} fig-ch17-coherence
# :name: fig-ch17-coherence
#
# Left: coherence of per-example gradients relative to orthogonal gradients, $m\alpha$, during
# training for each fraction of flipped labels (mean over draws; dotted line: orthogonal
# gradients; grey band: the learning phase, until the real-label networks fit 90 % of their
# labels). Middle: the part of it felt by the clean (solid) and by the mislabelled (dashed)
# examples of the sample at the intermediate noise levels. Right: fraction of clean (solid) and
# mislabelled (dashed) training examples whose given label the network predicts.
# ```

# %%
coh_mean = coh_window.mean(-1)
felt_in_window = felt_split[..., window].mean((1, 3))  # (mixed level, clean / flipped)
glued = dict(
    noise_list=", ".join(f"{100 * p:.0f}" for p in levels) + " %", steps=cfg.steps,
    fitted_at=int(fitted_at), loss_start=loss[0, real].mean(),
    loss_fitted=loss[steps_c == fitted_at, real].mean(),
    coh_real=coh_mean[real], coh_rand=coh_mean[rand],
    coh_levels=", ".join(f"{c:.2f}" for c in coh_mean),
    peak_real=coh[:, real].mean(-1).max(), final_real=coh[-1, real].mean(),
    start_rand=coh[0, rand].mean(), late_rand=coh[late, rand].mean(),
    felt_clean=", ".join(f"{v:.2f}" for v in felt_in_window[:, 0]),
    felt_noisy=", ".join(f"{v:.2f}" for v in felt_in_window[:, 1]),
    mixed_list=", ".join(f"{100 * levels[j]:.0f}" for j in mixed) + " %",
    felt_gap=felt_gap.mean(), felt_gap_same=felt_gap_same.mean(),
    fit_gap_min=fit_gap.min(), fit_gap_same_max=fit_gap_same.max(),
    rise_rand=rise[rand].mean(), acc_rand_late=acc[-1, rand].mean(),
)
ch.glue(**glued)

# %% [markdown]
# With the real labels the coherence over the learning phase (steps 1 to
# {glue:text}`fitted_at`, while the training loss falls from {glue:text}`loss_start:.2f` to
# {glue:text}`loss_fitted:.2f`) averages {glue:text}`coh_real:.2f`, peaking at
# {glue:text}`peak_real:.1f`: a step on one example helps that many of the
# {glue:text}`coherence_m`. With random labels it averages {glue:text}`coh_rand:.2f` over the same
# steps, as if the examples were orthogonal. Over the sweep ({glue:text}`noise_list` flipped) the
# learning-phase coherence is {glue:text}`coh_levels`. Split by example, the mean step serves the
# clean examples: at {glue:text}`mixed_list` noise they feel a coherence of
# {glue:text}`felt_clean` over the learning phase, the mislabelled ones {glue:text}`felt_noisy`
# (a gap of {glue:text}`felt_gap:.2f` on average over these levels; the same examples with their
# labels intact, in the real-label run, show a gap of {glue:text}`felt_gap_same:.2f`).
# The clean examples are fitted first: the fraction of clean examples fitted exceeds that of the
# mislabelled ones by at least {glue:text}`fit_gap_min:.2f` at its widest, at every
# intermediate noise level; the same examples with their labels intact (in the real-label run)
# are fitted alike (largest gap {glue:text}`fit_gap_same_max:.2f`).
#
# Once the real labels are fitted the coherence falls to {glue:text}`final_real:.2f`: the mean
# gradient vanishes at a minimum while single examples keep gradients of their own, so the
# coherence says something only while the network learns. With random labels it moves the other
# way: from {glue:text}`start_rand:.2f` at the start to {glue:text}`late_rand:.2f` over the last
# two snapshots, {glue:text}`rise_rand:.2f` times its learning-phase value, while the network
# memorizes (it fits {glue:text}`acc_rand_late:.2f` of its random labels by the end). That late
# rise is the "coherence out of nothing" that the authors study in a companion paper
# {cite:p}`chatterjee2020coherent`, which reads it as memorization building shared features even
# for random labels.

# %% [markdown]
# ## Robust averaging against noisy labels
#
# If memorizing a wrong label needs a direction that only that example supports, a gradient
# step that trusts only directions shared by many examples should memorize much less. The paper
# builds on two such steps, both *robust means* of the per-example gradients taken coordinate by
# coordinate (`overparam_utils.pergrad`):
#
# * **median of means**: split the batch into $k$ groups, average the gradients within each group,
#   and take the median of the $k$ group means in every coordinate; a direction pushed by one or
#   two examples of the batch moves only their groups' means, and the median ignores them;
# * **winsorized mean**: in every coordinate clip the $c$ largest and the $c$ smallest of the
#   per-example values to the next value inward, then average.
#
# A robust mean is shorter than the plain mean, so a robust run is also a slower run, and slower
# runs memorize later. Two comparisons take speed out. First, **at equal clean fit**: for each
# run we read the fraction of wrong labels memorized at the moment it first fits
# {glue:text}`clean_levels` of the correctly labelled examples. Second, against a **speed-matched
# control**: plain SGD with the step multiplied by each of {glue:text}`control_factors`, of which
# we keep the one whose clean-fit curve stays closest to the robust run's over the first quarter
# of training (the match is checked below, not assumed). If the robust step only slowed training
# down, its matched plain run would memorize as much as it does.
#
# The draws are those of the sweep's {glue:text}`noise_pct` % level (the same initialisations and
# flipped labels), trained for {glue:text}`robust_steps` steps: plain SGD, the plain runs with
# smaller steps, and median-of-means SGD ({glue:text}`mom_groups` groups per batch of
# {glue:text}`batch_size`) with the plain step. We record the fraction of flipped examples whose
# wrong label the network predicts, the fraction of clean examples fitted, and the test accuracy.

# %%
Y_noisy, flipped = flips(cfg.noise)
eval_steps = np.arange(0, cfg.robust_steps + 1, cfg.eval_every)
factors = list(cfg.control_factors)


def tracker(history, base, labels, mask):
    def record(step, params):
        with torch.no_grad():
            pred = pg.stacked_logits(base, params, X_t).argmax(-1).cpu().numpy()
            test = pg.stacked_logits(base, params, X_test_t).argmax(-1).cpu().numpy()
        hit = pred == labels
        history["noisy_fit"].append((hit & mask).sum(1) / mask.sum(1))
        history["clean_fit"].append((hit & ~mask).sum(1) / (~mask).sum(1))
        history["test_acc"].append((test == y_test).mean(1))
    return record


def train_arm(n_copies, desc, **kwargs):
    """n_copies x n_draws stacked runs on the noisy labels; histories (evals, runs)."""
    history = {"noisy_fit": [], "clean_fit": [], "test_acc": []}
    labels, mask = np.tile(Y_noisy, (n_copies, 1)), np.tile(flipped, (n_copies, 1))
    base, params = fresh_models(n_copies * S)
    pg.train_stacked(
        base, params, X, labels, steps=cfg.robust_steps, batch_size=cfg.batch_size,
        seed=robust_batches, callback=tracker(history, base, labels, mask),
        every=eval_steps,
        desc=desc, **kwargs,
    )
    return {k: np.array(v) for k, v in history.items()}


# plain SGD and the plain runs with smaller steps, trained as one stack
lrs = [cfg.lr * f for f in [1.0, *factors] for _ in range(S)]
stack = train_arm(1 + len(factors), "plain SGD, all steps", lr=lrs)
arms = {f: {k: v[:, i * S:(i + 1) * S] for k, v in stack.items()}
        for i, f in enumerate([1.0, *factors])}
groups, c = cfg.mom_groups, cfg.winsorize
mom = train_arm(1, "median of means", lr=cfg.lr, group_size=cfg.batch_size // groups,
                aggregate=lambda g: pg.median_of_means(g, groups, dim=1))
wins = (train_arm(1, "winsorized", lr=cfg.lr,
                  aggregate=lambda g: pg.winsorized_mean(g, c, dim=1)) if c else None)
plain = arms[1.0]
# the speed-matched control: the plain run whose clean-fit curve (mean over draws) stays
# closest to the robust run's over the first quarter of training
learning = (eval_steps > 0) & (eval_steps <= cfg.robust_steps // 4)


def clean_gap(f):
    return np.abs(arms[f]["clean_fit"].mean(1) - mom["clean_fit"].mean(1))[learning]


matched_f = min(factors, key=lambda f: clean_gap(f).mean())
matched = arms[matched_f]


def at_clean_fit(hist, level):
    """Per draw, the noisy fit when the clean fit first reaches `level` (linear between
    evaluations; nan if it never does)."""
    out = []
    for cf, nf in zip(hist["clean_fit"].T, hist["noisy_fit"].T, strict=True):
        i = int(np.argmax(cf >= level))
        if cf[i] < level:
            out.append(np.nan)
        elif i == 0:
            out.append(nf[0])
        else:
            w = (level - cf[i - 1]) / (cf[i] - cf[i - 1])
            out.append(nf[i - 1] + w * (nf[i] - nf[i - 1]))
    return np.array(out)


clean_levels = np.array([0.5, 0.6, 0.7, 0.8, 0.9])


def memorized_at_equal_fit(a, b):
    """Mean over clean-fit levels and draws of a's noisy fit minus b's, at equal
    clean fit."""
    return np.nanmean([at_clean_fit(a, q) - at_clean_fit(b, q) for q in clean_levels])


tail = slice(-5, None)  # the last five evaluations: where memorization has set in
late_of = {name: {k: v[tail].mean() for k, v in h.items()}
           for name, h in (("plain", plain), ("matched", matched), ("mom", mom))}

# %% tags=["hide-input", "remove-output"]
curves = {"plain SGD": (plain, OKABE_ITO["vermillion"]),
          f"plain SGD, step x {matched_f} (matched control)":
              (matched, OKABE_ITO["orange"]),
          "median of means": (mom, OKABE_ITO["blue"])}
if wins is not None:
    curves["winsorized"] = (wins, OKABE_ITO["green"])
titles = {"clean_fit": "clean labels fitted", "noisy_fit": "wrong labels memorized",
          "test_acc": "test accuracy"}
fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.4), sharex=True)
for ax, (key, title) in zip(axes, titles.items(), strict=True):
    for name, (hist, color) in curves.items():
        ax.plot(eval_steps, hist[key].mean(1), color=color, label=name)
        ax.fill_between(eval_steps, hist[key].min(1), hist[key].max(1),
                        color=color, alpha=0.18, lw=0)
    ax.set(xlabel="SGD step", title=title, ylim=(0, 1))
axes[0].set_ylabel("fraction")
axes[0].legend(fontsize=7.5)
ch.figure("fig-ch17-robust")

# %% [markdown]
# ```{glue:figure} fig-ch17-robust
# :name: fig-ch17-robust
#
# Training with half of the labels flipped (mean over draws; bands: lowest to highest draw).
# Left: fraction of correctly labelled training examples fitted, which sets the speed match.
# Middle: fraction of flipped examples whose wrong label the network has memorized. Right: test
# accuracy. Plain SGD, median-of-means SGD with the same step, and the speed-matched control
# (plain SGD with the step factor whose clean-fit curve is closest to the robust run's).
# ```

# %%
glued = dict(
    noise_pct=100 * cfg.noise, mom_groups=groups, robust_steps=cfg.robust_steps,
    control_factors=", ".join(str(f) for f in factors), matched_f=matched_f,
    clean_levels=", ".join(f"{q:.1f}" for q in clean_levels),
    speed_gap_mean=clean_gap(matched_f).mean(), speed_gap_max=clean_gap(matched_f).max(),
    eq_fit_mom=memorized_at_equal_fit(plain, mom),
    eq_fit_matched=memorized_at_equal_fit(plain, matched),
    noisy_plain=late_of["plain"]["noisy_fit"], noisy_mom=late_of["mom"]["noisy_fit"],
    noisy_matched=late_of["matched"]["noisy_fit"],
    clean_plain=late_of["plain"]["clean_fit"], clean_mom=late_of["mom"]["clean_fit"],
    clean_matched=late_of["matched"]["clean_fit"],
    test_plain=late_of["plain"]["test_acc"], test_mom=late_of["mom"]["test_acc"],
    test_matched=late_of["matched"]["test_acc"],
    best_test_plain=plain["test_acc"].mean(1).max(),
    noisy_at_90=np.nanmean(at_clean_fit(plain, 0.9)),
    noisy_by_factor=", ".join(f"{arms[f]['noisy_fit'][tail].mean():.2f}"
                              for f in factors),
)
avoided_noisy = 1 - late_of["mom"]["noisy_fit"] / late_of["matched"]["noisy_fit"]
avoided_clean = 1 - late_of["mom"]["clean_fit"] / late_of["matched"]["clean_fit"]
ch.glue(**glued, avoided_noisy=avoided_noisy, avoided_clean=avoided_clean)

# %% [markdown]
# Along the clean-fit axis the robust step buys nothing: at equal clean fit
# ({glue:text}`clean_levels` of the clean examples fitted) plain SGD has memorized
# {glue:text}`eq_fit_mom:.3f` more of the wrong labels than median-of-means SGD, on average, and
# {glue:text}`eq_fit_matched:.3f` more than its slower plain copy. Neither has memorized much by
# then (plain SGD: {glue:text}`noisy_at_90:.3f` of the wrong labels when it first fits 90 % of the
# clean ones): memorization starts once the clean fit levels off (plain SGD's ends at
# {glue:text}`clean_plain:.2f`), and from there the clean-fit axis no longer moves.
#
# After {glue:text}`robust_steps` steps (mean of the last five evaluations), plain SGD has
# memorized {glue:text}`noisy_plain:.2f` of the wrong labels and its test accuracy has fallen to
# {glue:text}`test_plain:.2f` from a best of {glue:text}`best_test_plain:.2f`. With the same step,
# median-of-means SGD has memorized {glue:text}`noisy_mom:.2f` and keeps {glue:text}`test_mom:.2f`.
# The speed-matched control (step × {glue:text}`matched_f`; its clean-fit curve differs from the
# robust run's by {glue:text}`speed_gap_mean:.3f` on average and at most
# {glue:text}`speed_gap_max:.3f` over the first quarter of training) memorizes
# {glue:text}`noisy_matched:.2f` and ends at {glue:text}`test_matched:.2f`. Relative to it, the
# robust run avoids a fraction {glue:text}`avoided_noisy:.2f` of the memorization and gives up a
# fraction {glue:text}`avoided_clean:.2f` of the clean fit ({glue:text}`clean_mom:.2f` against
# {glue:text}`clean_matched:.2f`).
#
# ## Claim checks
#
# All quantities are means over the {glue:text}`n_draws` draws. "Learning phase" is steps 1 to
# {glue:text}`fitted_at`, until the real-label networks fit 90 % of their labels; "late" is the
# last two snapshots of the sweep, or the last five evaluations of the noisy-label runs. Each
# claim's control is the same statistic where the paper's mechanism is absent: random labels,
# the real-label run (the same examples, labels intact), or plain SGD that is only slower. The
# thresholds were set on seeds 0 to 2 and confirmed on seeds 21 to 23.

# %%
ch.check(
    "coherence_real_above_random_while_loss_falls",
    "over the learning phase, a step on one example helps more than two others of the "
    "sample with real labels (m alpha > 2; the paper: random labels help only one or "
    "two)",
    coh_window[real].mean(), ">", 2.0,
    control=coh_window[rand].mean(), control_is="random labels (100 % flipped)",
)
ch.check(
    "clean_examples_feel_the_coherence",
    "over the learning phase the clean examples feel more coherence than the mislabelled "
    "ones (gap of felt coherence > 0.5, mean over the intermediate noise levels)",
    felt_gap.mean(), ">", 0.5,
    control=felt_gap_same.mean(),
    control_is="the same examples with their labels intact (real-label run)",
)
ch.check(
    "clean_labels_fitted_before_wrong_ones",
    "at every intermediate noise level the fraction of clean examples fitted exceeds "
    "that of mislabelled ones by over 0.2 at its widest (smallest level)",
    fit_gap.min(), ">", 0.2,
    control=fit_gap_same.max(),
    control_is="the same examples with their labels intact (real-label run)",
)
ch.check(
    "random_label_coherence_rises_when_memorizing",
    "with random labels the late coherence is over 1.25x its learning-phase value "
    "(memorizing builds coherence)",
    rise[rand].mean(), ">", 1.25,
    control=rise[real].mean(), control_is="real labels (fitted, not memorized)",
    known_miss="the smoke run is too short for random labels to be memorized"
    if scale == "smoke" else None,
)
ch.check(
    "robust_mean_memorizes_less_at_equal_clean_fit",
    "at equal clean fit (0.5 to 0.9), plain SGD has memorized over 0.05 more wrong "
    "labels than median-of-means SGD",
    memorized_at_equal_fit(plain, mom), ">", 0.05,
    control=memorized_at_equal_fit(plain, matched),
    control_is="a plain run that is only slower (the matched control)",
    known_miss="memorization starts only once the clean fit has levelled off, so at "
    "equal clean fit neither step has memorized much",
)
ch.check(
    "robust_mean_memorizes_less_than_its_speed_match",
    "late in training, median-of-means SGD avoids over 0.2 of the wrong labels that its "
    "speed-matched plain run memorizes (1 - noisy fit ratio)",
    avoided_noisy, ">", 0.2,
    control=avoided_clean,
    control_is="the same ratio for the clean labels (strong directions, nothing to "
    "avoid)",
    known_miss="matched on a fine grid of step factors, the plain run memorizes nearly "
    "as little as the robust one: most of the robust step's effect is its speed",
)
ch.check(
    "robust_mean_generalizes_better_than_its_speed_match",
    "late in training, median-of-means SGD has a higher test accuracy than its "
    "speed-matched plain run",
    late_of["mom"]["test_acc"] - late_of["matched"]["test_acc"], ">", 0.0,
    control=late_of["plain"]["test_acc"] - late_of["matched"]["test_acc"],
    control_is="plain SGD with the full step (faster, memorizes more)",
    known_miss="at this scale the robust step also damps hard clean examples, and a "
    "plain run of the same clean-learning speed generalizes as well",
)
ch.check(
    "real_labels_loss_falls_in_the_window",
    "over the learning phase the real-label training loss falls below half its start",
    loss[steps_c == fitted_at, real].mean() / loss[0, real].mean(), "<", 0.5,
    kind="setup",
)
ch.check(
    "random_labels_start_orthogonal",
    "at initialisation the random-label gradients are near orthogonal (m alpha in "
    "[0.5, 2])",
    coh[0, rand].mean(), "between", (0.5, 2.0), kind="setup",
)
ch.check(
    "control_speed_matched",
    "the matched control's clean-fit curve is within 0.03 of the robust run's on average "
    "over the first quarter of training",
    clean_gap(matched_f).mean(), "<", 0.03, kind="setup",
    known_miss="one draw of a short run is too noisy to match closely"
    if scale == "smoke" else None,
)
ch.check(
    "plain_sgd_memorizes",
    "plain SGD memorizes over a third of the wrong labels late in training (the regime "
    "in which robust averaging should help; not reached in the short smoke run)",
    late_of["plain"]["noisy_fit"], ">", 1 / 3, kind="setup",
    known_miss="the smoke run is too short to memorize" if scale == "smoke" else None,
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | coherence setting | ResNet-50 on ImageNet, $m$ = 50,000 examples | MLP ({glue:text}`n_params` weights) on {glue:text}`n_train` digits, $m$ = {glue:text}`coherence_m` |
# | real labels | $m\alpha$ peaks near 40 early, about 20 while the loss falls, back near 1 at the end | {glue:text}`coh_real:.2f` over the learning phase, peak {glue:text}`peak_real:.1f`, {glue:text}`final_real:.2f` at the end |
# | random labels | peak usually below 5: "one example helps only one or two others" | {glue:text}`coh_rand:.2f` over the learning phase, rising to {glue:text}`late_rand:.2f` late, while memorizing |
# | label-noise sweep | not in this paper (the Coherent Gradients paper sweeps noise on MNIST) | learning-phase coherence {glue:text}`coh_levels` at {glue:text}`noise_list`; clean examples feel {glue:text}`felt_clean`, mislabelled ones {glue:text}`felt_noisy` |
# | robust averaging | winsorized SGD (MNIST) and median of 3 group means (ImageNet models) greatly reduce memorization of noisy labels | median of {glue:text}`mom_groups` group means, same step: wrong labels memorized {glue:text}`noisy_mom:.2f` vs {glue:text}`noisy_plain:.2f`, test {glue:text}`test_mom:.2f` vs {glue:text}`test_plain:.2f` |
# | against speed | not reported (as far as we could read) | at equal clean fit no difference ({glue:text}`eq_fit_mom:.3f`); against the speed-matched plain run, {glue:text}`avoided_noisy:.2f` of its memorization avoided, test {glue:text}`test_mom:.2f` vs {glue:text}`test_matched:.2f`: **not reproduced** |
#
# What differs: the absolute coherence grows with the sample size $m$ for coherent gradients, so
# our values (a sample of hundreds) cannot be compared with the paper's (50,000); we compare real
# against random labels and along the sweep of label noise. The learning phase is read off the
# run (until the real-label networks fit 90 % of their labels), not set by hand, and excludes
# step 0. The paper's robust-averaging results come from its companion papers
# {cite:p}`chatterjee2020coherent,zielinski2020weak` (winsorized gradient descent on MNIST,
# median of three group means on ImageNet models); we could read their method descriptions but
# not their tables, so the group count, the noise level, the step size and the training length
# here are our own choices. Our median of means uses {glue:text}`mom_groups` groups of a
# mini-batch where the companion paper's M3 uses three. Winsorized SGD needs every per-example
# gradient at every step, which costs too much for this page's budget: `pergrad.winsorized_mean`
# is tested and the `paper` preset adds a winsorized run.
#
# The comparison at equal clean fit, which the referee asked for, cannot tell at this scale:
# the networks memorize only after the clean fit has levelled off, so along the clean-fit axis
# every run has memorized almost nothing (we keep it as a declared miss, not as evidence either
# way). The speed-matched control, its match checked, is the comparison that can tell, and it
# matters how finely it is matched. The step factor is picked from {glue:text}`control_factors`;
# against the closest one the robust step avoids a fraction {glue:text}`avoided_noisy:.2f` of
# the memorization (and fits a fraction {glue:text}`avoided_clean:.2f` fewer of the clean
# labels), and ends with a test accuracy of {glue:text}`test_mom:.2f` against
# {glue:text}`test_matched:.2f`. But the late memorization of the plain runs changes steeply with
# the factor ({glue:text}`noisy_by_factor` for the factors above), so the avoided fraction
# depends on where the closest match on the grid falls; we do not count it as evidence (the
# claim check is declared not reproduced, and shows as fragile on seeds where it passes). At
# this scale, then, what median-of-means SGD gains over plain SGD with the same step is mostly
# that it is slower, and both robust-averaging claims are recorded as not reproduced. The paper
# also argues from algorithmic stability; we did not test that part. The `paper` preset (128
# units, three draws, 4000 steps, coherence on 512 images, with the winsorized run) is cut to fit
# 30 minutes on one CPU core: with 256 units, five draws and 10,000 steps it did not finish
# there, and a tenth of the cut preset's steps took 87 s (its record is on the
# {doc}`/book/paper_scale` page). In that longer run both speed-matched robust-averaging checks
# held, declared misses here; the comparison at equal clean fit still could not tell.
#
# ## Try it
#
# - Set `scale = "paper"`: wider networks (128 units), coherence on 512 training images,
#   longer training and a winsorized run ($c$ = 4 of 32). Does the real-label coherence grow
#   with $m$ while the random-label value stays near 1 until memorization starts?
# - Change `mom_groups` in the `book` preset to 4 (groups of 8) or 16 (pairs). With fewer,
#   larger groups the median of means is closer to the plain mean: which speed-matched factor
#   would you expect, and does the robust run then still avoid part of the memorization?
#
# **Related chapters.**
# - {doc}`16_memorization_long_tail`: memorization that helps: the long tail of rare subpopulations.
# - {doc}`19_noisy_labels_compression`: other ways to memorize less: dropout and co-teaching.
# - {doc}`14_shortcut_learning`: which features gradient descent picks up first.
