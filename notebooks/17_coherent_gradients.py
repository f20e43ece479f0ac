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
# ResNet-50 on ImageNet there, a small MLP on the digits here), and the robust-averaging experiment
# with noisy labels that the paper builds on: median-of-means gradient descent against plain
# gradient descent, with the fraction of wrong labels fitted and the test accuracy.

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
import torch

from overparam_utils import chapter
from overparam_utils import pergrad as pg
from overparam_utils.data import digits_split, flip_labels
from overparam_utils.plotting import OKABE_ITO, log_ticks
from overparam_utils.training import mlp

# Both halves: an MLP 64 -> width -> width -> 10 trained by SGD (lr, batch_size) on
# n_train digits (500 more for testing), n_draws independent runs. Coherence half:
# real vs random labels for `steps`, coherence over a fixed sample of coherence_m
# training examples at the `snapshots`.
# Robust half: `noise` of the labels flipped, robust_steps of plain SGD, plain SGD with
# lr * control_lr_factor (the speed-matched control) and median-of-means SGD over
# mom_groups groups per batch. `winsorize` (the number c clipped at each end of a batch,
# 0 = off) adds winsorized SGD from per-example gradients: slow, so only in `paper`.
PRESETS = {
    "smoke": dict(
        n_train=300, width=64, lr=0.1, batch_size=32, n_draws=2, steps=600,
        coherence_m=300, snapshots=[0, 10, 30, 100, 300, 600],
        noise=0.5, robust_steps=500, control_lr_factor=0.5, mom_groups=8, winsorize=0,
        eval_every=50,
    ),
    "book": dict(
        n_train=1297, width=64, lr=0.1, batch_size=32, n_draws=3, steps=3000,
        coherence_m=512, snapshots=[0, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000],
        noise=0.5, robust_steps=2000, control_lr_factor=0.5, mom_groups=8, winsorize=0,
        eval_every=100,
    ),
    "paper": dict(
        n_train=1297, width=256, lr=0.1, batch_size=32, n_draws=5, steps=10000,
        coherence_m=1297,
        snapshots=[0, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
        noise=0.5, robust_steps=6000, control_lr_factor=0.5, mom_groups=8, winsorize=4,
        eval_every=200,
    ),
}
ch = chapter.setup("17_coherent_gradients", scale=scale, seed=seed, presets=PRESETS)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Data and model.** scikit-learn's 8×8 digits ({glue:text}`n_train` training and 500 test
# images, standardised pixels) and a fully connected ReLU network with two hidden layers of
# {glue:text}`width` units: {glue:text}`n_params` weights, several times the number of training
# examples, enough to fit the training set even with random labels. Training is plain
# mini-batch SGD on the cross-entropy (step {glue:text}`lr`, batch {glue:text}`batch_size`). We
# train {glue:text}`n_draws` independent runs of every configuration at
# once, as one stacked network (`overparam_utils.pergrad`).
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

# %%
X, y, X_test, y_test = digits_split(n_train=cfg.n_train, n_test=500, seed=ch.seed)
n_train, n_classes = len(y), 10
run_seeds = ch.seeds(cfg.n_draws)
S = cfg.n_draws


def fresh_models(count, offset=0):
    """`count` stacked MLPs; run k starts from the initialisation of seed k mod n_draws
    (`offset` picks another set): real and random labels start from the same weights."""
    nets = [mlp(X.shape[1], cfg.width, n_classes, depth=2, seed=run_seeds[k % S] + offset)
            for k in range(count)]
    return pg.stack_models(nets)


net = mlp(X.shape[1], cfg.width, n_classes, depth=2)
n_params = sum(p.numel() for p in net.parameters())
ch.glue(**cfg.pick("n_train", "width", "lr", "batch_size", "n_draws", "coherence_m"))
ch.glue("n_params", f"{n_params:,}")
X_t, X_test_t = torch.as_tensor(X), torch.as_tensor(X_test)

# %% [markdown]
# ## Coherence with real and with random labels
#
# We train {glue:text}`n_draws` networks on the real labels and {glue:text}`n_draws` on labels
# drawn uniformly at random (a fresh draw per run), all with the same recipe, and measure the
# coherence of the same {glue:text}`coherence_m` training images at log-spaced steps, together with
# the training accuracy on the labels each network is given.

# %%
rng = np.random.default_rng(ch.seed)
random_labels = rng.integers(0, n_classes, size=(S, n_train))
# runs 0 .. S-1 get the real labels, runs S .. 2S-1 random ones
Y_coh = np.concatenate([np.tile(y, (S, 1)), random_labels])
sample = rng.choice(n_train, size=cfg.coherence_m, replace=False)
coh_hist = {"step": [], "coherence": [], "train_acc": [], "train_loss": []}


def record_coherence(step, params):
    coh = pg.coherence_of_sample(base, params, X[sample], Y_coh[:, sample])
    with torch.no_grad():
        logits = pg.stacked_logits(base, params, X_t)
        labels = torch.as_tensor(Y_coh)
        loss = torch.nn.functional.cross_entropy(
            logits.transpose(1, 2), labels, reduction="none").mean(dim=1)
        acc = (logits.argmax(-1) == labels).float().mean(dim=1)
    for key, value in zip(("step", "coherence", "train_acc", "train_loss"),
                          (step, coh.numpy(), acc.numpy(), loss.numpy()), strict=True):
        coh_hist[key].append(value)


base, params = fresh_models(2 * S)
pg.train_stacked(
    base, params, X, Y_coh, steps=cfg.steps, lr=cfg.lr, batch_size=cfg.batch_size,
    seed=ch.seed, callback=record_coherence, every=cfg.snapshots, desc="real vs random",
)
steps_c = np.array(coh_hist["step"])
coh = np.array(coh_hist["coherence"])  # (snapshots, 2S)
acc_c = np.array(coh_hist["train_acc"])
coh_real, coh_rand = coh[:, :S].mean(axis=1), coh[:, S:].mean(axis=1)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch17-coherence", "caption": "Left: coherence of per-example gradients relative to orthogonal gradients, $m\\alpha$, during training (thick: mean over runs; thin: each run). With real labels a step on one example helps many others while the training accuracy climbs; with random labels the gradients start out nearly orthogonal ($m\\alpha \\approx 1$, dotted line) and gain only a little coherence late, while the network memorizes. Right: training accuracy on the labels each network is given."}}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.5))
x_plot = np.maximum(steps_c, 1)
for cols, label, color in ((slice(0, S), "real labels", OKABE_ITO["blue"]),
                           (slice(S, 2 * S), "random labels", OKABE_ITO["vermillion"])):
    ax1.plot(x_plot, coh[:, cols], color=color, lw=0.7, alpha=0.6)
    ax1.plot(x_plot, coh[:, cols].mean(axis=1), "-o", color=color, lw=2.2, ms=3.5,
             label=label)
    ax2.plot(x_plot, acc_c[:, cols].mean(axis=1), "-o", color=color, ms=3.5, label=label)
ax1.axhline(1.0, color="grey", lw=0.8, ls=":")
ax1.set(xscale="log", yscale="log", xlabel="SGD step (step 0 drawn at 1)",
        ylabel=r"coherence $m\alpha$", title=f"m = {cfg.coherence_m} training examples")
ax2.set(xscale="log", xlabel="SGD step (step 0 drawn at 1)", ylabel="training accuracy",
        title="fit of the given labels", ylim=(0, 1.02))
log_ticks(ax1, [0.5, 1, 2, 5, 10, 20, 50, 100], axis="y")
ax1.legend()
plt.show()

# %% [markdown]
# With real labels the coherence peaks at {glue:text}`peak_real:.1f` (mean over runs) at step
# {glue:text}`peak_real_step` while the accuracy climbs: a step on one example helps that many
# of the {glue:text}`coherence_m`. Over the first 100 steps it is on average
# {glue:text}`early_ratio:.1f` times the random-label value. Once the training set is fitted it
# falls back to {glue:text}`final_real:.2f`, because the mean gradient vanishes while single
# examples still have gradients of their own. With random labels the coherence stays at {glue:text}`early_rand:.2f`
# on average over the first {glue:text}`early_steps` steps, as if the examples were orthogonal,
# and its peak over the whole run is {glue:text}`peak_rand:.1f`, reached late, while the network
# memorizes. That late rise is the "coherence out of nothing" that the authors study in a
# companion paper {cite:p}`chatterjee2020coherent`: the network builds shared features even for random labels, but far weaker ones.

# %%
early = steps_c <= 100
peak_real, peak_rand = coh_real.max(), coh_rand.max()
glued = dict(
    peak_real=peak_real, peak_real_step=int(steps_c[np.argmax(coh_real)]),
    final_real=coh_real[-1], early_rand=coh_rand[early].mean(), early_steps=100,
    peak_rand=peak_rand, peak_ratio=peak_real / peak_rand,
    early_ratio=coh_real[early].mean() / coh_rand[early].mean(),
)
ch.glue(**glued)

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
# Here {glue:text}`noise_pct` % of the training labels are replaced by a different class at
# random. We train three stacks of {glue:text}`n_draws` runs from the same initialisations and on
# the same batches: plain SGD, median-of-means SGD ({glue:text}`mom_groups` groups per batch of
# {glue:text}`batch_size`) with the same step, and a **control**: plain SGD with the step
# multiplied by {glue:text}`control_factor`. A robust mean is shorter than the plain mean, so a
# robust run is also a slower run, and slower runs memorize later. The control separates the two:
# it fits the correctly labelled examples about as fast as the median-of-means run (checked below),
# so whatever it memorizes beyond the robust run is not explained by speed alone. We record the
# fraction of flipped examples whose wrong label the network predicts, the fraction of clean
# examples fitted, and the test accuracy.

# %%
draws = [flip_labels(y, cfg.noise, n_classes, np.random.default_rng(s))
         for s in run_seeds]
noisy_labels, flipped = zip(*draws, strict=True)
Y_noisy, flipped = np.stack(noisy_labels), np.stack(flipped)
eval_steps = list(range(0, cfg.robust_steps + 1, cfg.eval_every))


def tracker(history):
    def record(step, params):
        with torch.no_grad():
            pred = pg.stacked_logits(base, params, X_t).argmax(-1).numpy()
            test = pg.stacked_logits(base, params, X_test_t).argmax(-1).numpy()
        fit = pred == Y_noisy
        history["noisy_fit"].append((fit & flipped).sum(1) / flipped.sum(1))
        history["clean_fit"].append((fit & ~flipped).sum(1) / (~flipped).sum(1))
        history["test_acc"].append((test == y_test).mean(1))
    return record


groups, c = cfg.mom_groups, cfg.winsorize
methods = {
    "plain SGD": dict(lr=cfg.lr),
    "plain SGD, smaller step (control)": dict(lr=cfg.lr * cfg.control_lr_factor),
    "median of means": dict(
        lr=cfg.lr, aggregate=lambda g: pg.median_of_means(g, groups, dim=1),
        group_size=cfg.batch_size // groups),
}
if c:
    methods["winsorized"] = dict(
        lr=cfg.lr, aggregate=lambda g: pg.winsorized_mean(g, c, dim=1))
robust = {}
for name, kwargs in methods.items():
    history = {"noisy_fit": [], "clean_fit": [], "test_acc": []}
    base, params = fresh_models(S, offset=1)
    pg.train_stacked(
        base, params, X, Y_noisy, steps=cfg.robust_steps, batch_size=cfg.batch_size,
        seed=ch.seed + 1, callback=tracker(history), every=eval_steps, desc=name,
        **kwargs,
    )
    robust[name] = {k: np.array(v) for k, v in history.items()}  # (evals, S)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch17-robust", "caption": "Training with half of the labels flipped (mean over runs; bands: lowest to highest run). Left: fraction of flipped examples whose wrong label the network has memorized. Middle: fraction of correctly labelled training examples fitted. Right: test accuracy. Median-of-means SGD memorizes far fewer wrong labels than plain SGD with the same step and keeps a higher test accuracy; the control (plain SGD with a smaller step) learns the clean examples at about the robust run's pace, memorizes more than it, yet ends with a similar or better test accuracy."}}
colors = {"plain SGD": OKABE_ITO["vermillion"],
          "plain SGD, smaller step (control)": OKABE_ITO["orange"],
          "median of means": OKABE_ITO["blue"], "winsorized": OKABE_ITO["green"]}
titles = {"noisy_fit": "wrong labels memorized", "clean_fit": "clean labels fitted",
          "test_acc": "test accuracy"}
fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.4), sharex=True)
for ax, (key, title) in zip(axes, titles.items(), strict=True):
    for name, hist in robust.items():
        ax.plot(eval_steps, hist[key].mean(1), color=colors[name], label=name)
        ax.fill_between(eval_steps, hist[key].min(1), hist[key].max(1),
                        color=colors[name], alpha=0.18, lw=0)
    ax.set(xlabel="SGD step", title=title, ylim=(0, 1))
axes[0].set_ylabel("fraction")
axes[0].legend(fontsize=7.5)
plt.show()

# %%
plain, control, mom = (robust[k] for k in methods if k != "winsorized")
late = slice(-3, None)  # the last three evaluations: where memorization has set in
# the first quarter of training, while the clean labels are being learned
learning = np.array(eval_steps) <= cfg.robust_steps // 4
glued = dict(
    noise_pct=100 * cfg.noise, mom_groups=groups, control_factor=cfg.control_lr_factor,
    robust_steps=cfg.robust_steps,
    noisy_plain=plain["noisy_fit"][late].mean(), noisy_mom=mom["noisy_fit"][late].mean(),
    noisy_control=control["noisy_fit"][late].mean(),
    test_plain=plain["test_acc"][late].mean(), test_mom=mom["test_acc"][late].mean(),
    test_control=control["test_acc"][late].mean(),
    best_test_plain=plain["test_acc"].mean(1).max(),
    control_vs_mom=("above" if control["test_acc"][late].mean()
                    > mom["test_acc"][late].mean() else "below"),
    clean_speed_gap=np.abs(mom["clean_fit"][learning].mean(1)
                           - control["clean_fit"][learning].mean(1)).max(),
)
ch.glue(**glued)

# %% [markdown]
# After {glue:text}`robust_steps` steps (mean of the last three evaluations), plain SGD has
# memorized {glue:text}`noisy_plain:.2f` of the wrong labels and its test accuracy has fallen to
# {glue:text}`test_plain:.2f` from a best of {glue:text}`best_test_plain:.2f`. With the same step,
# median-of-means SGD has memorized only {glue:text}`noisy_mom:.2f` and keeps
# {glue:text}`test_mom:.2f`: the paper's claim, at our scale.
#
# The control tells the rest. It fits the clean examples at the robust run's pace (their
# clean-fit curves differ by at most {glue:text}`clean_speed_gap:.2f` over the first quarter of
# training, while they are being learned) yet memorizes {glue:text}`noisy_control:.2f` of the
# wrong labels, more than the robust run: the median of means is *selective*, it slows
# memorization more than it slows learning. Its test accuracy, though, ends at
# {glue:text}`test_control:.2f`, {glue:text}`control_vs_mom` the robust run's. At book scale
# the robust step does not beat the slower plain run: it also damps the weaker directions of
# correctly labelled but unusual examples (its clean-label fit sags as training goes on), and at
# this scale that costs about as much test accuracy as the lower memorization saves.
#
# ## Claim checks
#
# All quantities are means over the {glue:text}`n_draws` runs; "late" means the mean of the last
# three evaluations of the noisy-label runs.

# %%
ch.check(
    "coherence_real_far_above_random_while_loss_falls",
    "over the first 100 steps, while the real-label loss falls, the mean coherence with "
    "real labels is over 5x that with random labels",
    coh_real[early].mean() / coh_rand[early].mean(), ">", 5,
)
ch.check(
    "random_peak_below_real_peak",
    "over the whole run, the peak coherence with random labels (reached while "
    "memorizing) stays under half the peak with real labels",
    peak_real / peak_rand, ">", 2,
)
ch.check(
    "random_labels_start_orthogonal",
    "with random labels the coherence over the first 100 steps is that of "
    "near-orthogonal gradients (m alpha within [0.5, 2])",
    coh_rand[early].mean(), "between", (0.5, 2.0),
)
ch.check(
    "real_coherence_fades_once_fit",
    "with real labels the coherence at the end of training is under a quarter of its "
    "peak",
    coh_real[-1] / peak_real, "<", 0.25,
)
ch.check(
    "robust_mean_memorizes_less",
    "median-of-means SGD memorizes at least 0.3 fewer of the wrong labels (late "
    "fraction) than plain SGD with the same step",
    plain["noisy_fit"][late].mean() - mom["noisy_fit"][late].mean(), ">", 0.3,
)
ch.check(
    "robust_mean_generalizes_better",
    "median-of-means SGD ends with a test accuracy at least 0.05 above plain SGD with "
    "the same step",
    mom["test_acc"][late].mean() - plain["test_acc"][late].mean(), ">", 0.05,
)
ch.check(
    "robust_mean_is_selective",
    "median-of-means SGD memorizes fewer wrong labels than the speed-matched control "
    "(plain SGD with a smaller step)",
    control["noisy_fit"][late].mean() - mom["noisy_fit"][late].mean(), ">", 0.0,
)
ch.check(
    "robust_mean_beats_speed_matched_control",
    "median-of-means SGD ends with a higher test accuracy than the speed-matched control",
    mom["test_acc"][late].mean() - control["test_acc"][late].mean(), ">", 0.0,
    known_miss="at this scale the robust step also slows the fit of hard clean examples, "
    "and a plain run with a smaller step generalizes as well",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | coherence setting | ResNet-50 on ImageNet, $m$ = 50,000 examples | MLP ({glue:text}`n_params` weights) on {glue:text}`n_train` digits, $m$ = {glue:text}`coherence_m` |
# | real labels | $m\alpha$ peaks near 40 early, about 20 while the loss falls, back near 1 at the end | peak {glue:text}`peak_real:.1f`, back to {glue:text}`final_real:.2f` |
# | random labels | stays below about 5 | about {glue:text}`early_rand:.2f` early, peak {glue:text}`peak_rand:.1f` late; real/random peak ratio {glue:text}`peak_ratio:.1f` |
# | robust averaging | winsorized SGD (MNIST) and median of 3 group means (ImageNet models) greatly reduce memorization of noisy labels | median of {glue:text}`mom_groups` group means: wrong labels memorized {glue:text}`noisy_mom:.2f` vs {glue:text}`noisy_plain:.2f`, test {glue:text}`test_mom:.2f` vs {glue:text}`test_plain:.2f` |
# | against a slower plain run | not reported (as far as we could read) | fewer wrong labels memorized ({glue:text}`noisy_mom:.2f` vs {glue:text}`noisy_control:.2f`), but no better test accuracy ({glue:text}`test_mom:.2f` vs {glue:text}`test_control:.2f`): **not reproduced** |
#
# What differs: the absolute coherence grows with the sample size $m$ for coherent gradients, so
# our peak (hundreds of examples) cannot be compared with the paper's (50,000); we compare real
# against random labels. The paper's robust-averaging results come from its companion papers
# {cite:p}`chatterjee2020coherent,zielinski2020weak` (winsorized gradient descent on MNIST, median of three group means on ImageNet models); we could
# read their method descriptions but not their tables, so the group count, the 50 % noise level, the
# step size and the training length here are our own choices. Our median of means uses
# {glue:text}`mom_groups` groups of a mini-batch where the companion paper's M3 uses three; with
# fewer, larger groups (we tried four groups of eight) the effect is weaker at our batch size. Winsorized SGD needs every per-example
# gradient at every step and coordinate-wise order statistics, which costs too much for this
# page's budget: `pergrad.winsorized_mean` is tested and the `paper` preset adds a winsorized run.
# The paper also argues from algorithmic stability; we did not test that part. The speed-matched
# control is our addition: it shows that at this scale the robust step's advantage in test accuracy
# over plain SGD comes mostly from fitting more slowly, even though it is genuinely selective about
# what it fits.
#
# ## Try it
#
# - Set `scale = "paper"`: wider networks (256 units), coherence on all 1297 training images,
#   longer training and a winsorized run ($c$ = 4 of 32). The real-label peak grows with $m$ (in
#   a trial with all 1297 images and 128 units it was about 25), while the random-label values
#   stay near 1 until memorization starts.
# - Change `mom_groups` in the `book` preset to 4 (groups of 8) or 16 (pairs): fewer, larger
#   groups make the median of means closer to plain SGD; more, smaller groups memorize less but
#   learn the clean examples more slowly too.
#
# **Related chapters.**
# - {doc}`16_memorization_long_tail`: memorization that helps: the long tail of rare subpopulations.
# - {doc}`19_noisy_labels_compression`: other ways to memorize less: dropout and co-teaching.
# - {doc}`14_shortcut_learning`: which features gradient descent picks up first.
