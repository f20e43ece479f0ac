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
# # No generalization bound is uniformly tight
#
# **Paper.** {cite:t}`gastpar2023fantastic`.
#
# **Claim.** Many generalization bounds are computed from the training set $S$ and the hypothesis
# $h$ that was learned from it: margin bounds, norm bounds, sharpness measures. None of them can be
# *uniformly tight*, that is, close to the true population loss for every learning algorithm and
# every data distribution, once the learner is over-parameterized (it can fit many different
# labellings of points it has not seen). The reason is that two distributions can produce the same
# $(S, h)$ with the same probability while $h$'s population loss differs widely between them. A
# number computed from $(S, h)$ cannot be right for both, so it misses one of them by at least half
# the gap. Bounds that may also use the algorithm escape this argument, but at a price: an algorithm
# that learns well on many distributions cannot have a bound that is tight for all of them.
#
# **What we redraw.** The paper is theoretical and has no figure to redraw. We run its argument. A
# real network trained on digits gets a second data distribution under which its training set and
# its weights are exactly as likely, yet its population loss is many times higher. Then comes the
# randomised version, in which the law of $(S, h)$ is identical in the two worlds. There, even a
# bound *fitted* to predict the loss from $(S, h)$ misses one world by about half the gap, while an
# estimator that knows the algorithm separates the worlds at once.

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
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.neural_network import MLPClassifier

from overparam_utils import chapter
from overparam_utils.bounds import (
    expected_distinct_fraction,
    off_sample_relabel,
    random_target_worlds,
)
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.progress import progress

# Part A: n_train digits drawn from the pool, a ReLU network of the given width trained
# with Adam (lr, steps) on each of n_draws samples. Part B: trials runs per world of the
# memorise-then-default learner on n_train points; sweep_sizes for the sample-size sweep.
PRESETS = {
    "smoke": dict(
        n_train=300, width=256, lr=1e-2, steps=100, n_draws=2, trials=600,
        sweep_sizes=[30, 300, 1000, 3000, 10000],
    ),
    "book": dict(
        n_train=300, width=256, lr=1e-2, steps=200, n_draws=4, trials=1000,
        sweep_sizes=[30, 100, 300, 1000, 2000, 3000, 5000, 10000],
    ),
    "paper": dict(
        n_train=300, width=1024, lr=1e-3, steps=1000, n_draws=10, trials=10000,
        sweep_sizes=[10, 30, 100, 300, 1000, 2000, 3000, 5000, 10000, 20000],
    ),
}
ch = chapter.setup(
    "06_generalization_bounds_not_tight", scale=scale, seed=seed, presets=PRESETS
)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **What a bound is here.** A learning algorithm $A$ maps a training set
# $S = ((x_1, y_1), \dots, (x_m, y_m))$, drawn i.i.d. from a distribution $\mathcal D$, to a
# hypothesis $h = A(S)$. Its population loss is
# $L_{\mathcal D}(h) = \Pr_{(x, y) \sim \mathcal D}[h(x) \neq y]$. A bound *of the first type* is
# any number $B(S, h)$ computed from the training set and the hypothesis (and from anything fixed in
# advance, such as the model class). It is *uniformly tight* if, for every algorithm and every
# distribution, $\lvert B(S, h) - L_{\mathcal D}(h)\rvert$ is small with high probability. The
# paper calls the underlying property *estimability*: can $L_{\mathcal D}(h)$ be estimated from
# $(S, h)$ at all?
#
# **The domain.** To make distributions concrete we use a finite domain: the
# {glue:text}`n_pool` images of scikit-learn's handwritten digits (8 by 8 pixels, ten classes),
# with the uniform distribution over them. A data distribution is then a labelling of the pool. The
# real digit classes are one labelling; any other is another distribution with the same inputs.
#
# **Why two distributions are enough.** If two distributions $\mathcal D_1, \mathcal D_2$ make the
# pair $(S, h)$ equally likely, a bound sees the same input in both cases and returns the same
# number $b$. But $\lvert b - L_1\rvert + \lvert b - L_2\rvert \ge \lvert L_1 - L_2\rvert$, so
# $b$ is off by at least $\lvert L_1 - L_2\rvert / 2$ for one of them. The work is in finding two
# such distributions with a large gap. Over-parameterization is what makes that possible: the
# learner fits $S$ whatever the labels outside $S$ are, so those labels are free.

# %%
digits = load_digits()
X_pool = digits.data / 16.0
y_pool = digits.target
n_pool, n_classes = len(y_pool), 10
ch.glue("n_pool", n_pool)
ch.glue("n_train", cfg.n_train)

# %% [markdown]
# ## Part A: one training set, one network, two distributions
#
# Draw $m$ = {glue:text}`n_train` training images uniformly from the pool (with replacement),
# labelled by their digit class: that is $\mathcal D_1$. Train a ReLU network with one hidden layer
# of {glue:text}`width` units ({glue:text}`n_params` weights) by full-batch Adam until it fits them
# (scikit-learn's `MLPClassifier`, {glue:text}`steps` steps).
# Then build $\mathcal D_2$ from the result. It keeps the uniform marginal and the labels of the
# training images, and gives every other image the label $(h(x) + 1) \bmod 10$, which $h$ gets
# wrong by construction. The training set, images and labels, has the same probability
# $n_{\text{pool}}^{-m}$ under both distributions. The training run is deterministic given $S$ and
# its seed, so it returns the same network. Under $\mathcal D_1$ that network is a good digit
# classifier; under $\mathcal D_2$ it is wrong on every image it has not seen.
#
# We repeat this for {glue:text}`n_draws` independent training sets, and evaluate two natural
# estimates of the loss that use only $(S, h)$. One is the training error. The other is the
# disagreement between $h$ and a 1-nearest-neighbour classifier built from $S$, measured over the
# pool: a label-free stand-in for a test set.

# %%
def train_network(X, y, run_seed):
    """A one-hidden-layer ReLU network trained by full-batch Adam for cfg.steps steps."""
    net = MLPClassifier(
        hidden_layer_sizes=(cfg.width,), alpha=0.0, batch_size=len(y), shuffle=False,
        learning_rate_init=cfg.lr, max_iter=cfg.steps, tol=0.0,
        n_iter_no_change=cfg.steps + 1, random_state=run_seed,
    )
    with warnings.catch_warnings():  # it runs all cfg.steps steps, as intended
        warnings.simplefilter("ignore", ConvergenceWarning)
        return net.fit(X, y)


def part_a(run_seed):
    """One sample, one network, its loss under D1 and D2, and two (S, h) estimates."""
    rng = np.random.default_rng(run_seed)
    sample = rng.integers(0, n_pool, size=cfg.n_train)
    h = train_network(X_pool[sample], y_pool[sample], run_seed).predict(X_pool)
    y_2 = off_sample_relabel(y_pool, h, sample, n_classes)
    assert np.array_equal(y_2[sample], y_pool[sample]), "S must be as likely under D2"
    nn = KNeighborsClassifier(1).fit(X_pool[sample], y_pool[sample])
    return dict(
        train_error=np.mean(h[sample] != y_pool[sample]),
        loss_1=np.mean(h != y_pool), loss_2=np.mean(h != y_2),
        nn_disagreement=np.mean(nn.predict(X_pool) != h),
    )


runs_a = [part_a(s) for s in progress(ch.seeds(cfg.n_draws), desc="networks")]
res_a = {key: np.array([r[key] for r in runs_a]) for key in runs_a[0]}
gap_a = res_a["loss_2"] - res_a["loss_1"]
ch.glue("width", cfg.width)
ch.glue("steps", cfg.steps)
ch.glue("n_params", 64 * cfg.width + cfg.width + n_classes * (cfg.width + 1))
ch.glue("n_draws", cfg.n_draws)
for key in ("train_error", "loss_1", "loss_2", "nn_disagreement"):
    ch.glue(f"a_{key}", res_a[key].mean())
ch.glue("a_nn_miss", np.mean(res_a["loss_2"] - res_a["nn_disagreement"]))
ch.glue("a_gap_min", gap_a.min())
ch.glue("a_miss", gap_a.min() / 2)

# %% [markdown]
# Every network fits its training set (mean training error {glue:text}`a_train_error:.3f`). Its
# population loss is {glue:text}`a_loss_1:.3f` under the digit labels $\mathcal D_1$ and
# {glue:text}`a_loss_2:.3f` under $\mathcal D_2$, the share of the pool that the sample missed.
# The nearest-neighbour disagreement is {glue:text}`a_nn_disagreement:.3f`: an excellent estimate
# in the world of real digits, and off by {glue:text}`a_nn_miss:.2f` in the other. Whatever
# number a bound computes from $(S, h)$, it is the same in both worlds, so for every draw it misses
# one of them by at least {glue:text}`a_miss:.2f` (half of the smallest gap).

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch06-two-worlds", "caption": "The same training set and the same trained network, evaluated under two distributions that make both equally likely. Dots: population loss per draw. Lines: what two estimates computed from $(S, h)$ report; they are the same in both columns by construction. Any such number is at least half the gap away from one of the two columns."}}
fig, ax = plt.subplots(figsize=(6.0, 3.8))
jitter = np.linspace(-0.08, 0.08, cfg.n_draws)
ax.plot(0 + jitter, res_a["loss_1"], "o", color=OKABE_ITO["blue"], ms=6,
        label=r"$L_{\mathcal{D}_1}(h)$: digit labels")
ax.plot(1 + jitter, res_a["loss_2"], "o", color=OKABE_ITO["vermillion"], ms=6,
        label=r"$L_{\mathcal{D}_2}(h)$: relabelled off the sample")
for key, color, label in (
    ("train_error", OKABE_ITO["green"], "estimate: training error"),
    ("nn_disagreement", OKABE_ITO["purple"], "estimate: 1-NN disagreement"),
):
    ax.axhline(res_a[key].mean(), color=color, ls="--", lw=1.4, label=label)
ax.axhline(0.5 * (res_a["loss_1"].mean() + res_a["loss_2"].mean()), color="grey", lw=1,
           ls=":", label="the best single number: the midpoint")
ax.set(xticks=[0, 1], xticklabels=[r"$\mathcal{D}_1$", r"$\mathcal{D}_2$"],
       xlim=(-0.5, 1.5), ylim=(-0.03, 1.0), ylabel="population loss of the same $h$",
       title=f"m = {cfg.n_train} digits, {cfg.n_draws} networks")
ax.legend(fontsize=7.5, loc="upper left")
plt.show()

# %% [markdown]
# This pair of distributions was built *after* seeing $S$ and $h$. For a single sample that is
# allowed. A uniformly tight bound must be right for every distribution, and $\mathcal D_2$ is a
# perfectly good one. But under $\mathcal D_2$ this particular $S$ is as unlikely as under
# $\mathcal D_1$, so one might hope that bounds are tight "with high probability" after all. The
# paper's theorem closes that gap with random targets.
#
# ## Part B: random targets make $(S, h)$ identical in law
#
# Take any learner that fits its sample and, off the sample, predicts a reference labelling $g$
# that it was built with (its inductive bias). Let $g$ be uniformly random, one draw per run: we do
# not know which algorithm of this family we face. Compare two worlds:
#
# * **world 1**: the data are labelled by $g$ itself. The learner is right everywhere, $L = 0$.
# * **world 2**: the data are labelled by an independent uniform labelling $f$. The learner copies
#   $f$ on the sample and predicts $g$ elsewhere, so it errs on about a fraction $1 - 1/k$ of the
#   unseen points ($k$ = 10 classes).
#
# In both worlds the sample is uniform, and $h$ is a uniformly random labelling that agrees with the
# sample's labels. So $(S, h)$ has *exactly* the same law in both worlds, and so does any
# $B(S, h)$. The losses are 0 against about {glue:text}`b_loss_2:.2f`. The averaging argument then
# says that for every $B$ there is one world, and one fixed algorithm $g$, where $B$ misses on
# average by half the gap. The algorithm is unnatural, but that is allowed: the claim is about
# bounds that hold for *all* algorithms. Part A shows that an ordinary network is just as exposed.
#
# We run {glue:text}`trials` trials per world with $m$ = {glue:text}`n_train` on the same pool. Then
# we go looking for a bound that works anyway. We describe each $(S, h)$ by
# {glue:text}`n_features` statistics: how much of the pool the sample covers, the label histograms
# of $h$ and of the sample, $h$'s agreement with the digit classes, how smooth $h$ is between
# nearest-neighbour images, and $h$ on a few fixed images. Gradient-boosted trees then learn to
# (a) tell the worlds apart and (b) predict the loss, both trained on half of the trials, with
# the labels of both worlds, and scored on the other half.

# %%
worlds = random_target_worlds(n_pool, cfg.n_train, n_classes, cfg.trials, ch.rng)
nearest = NearestNeighbors(n_neighbors=2).fit(X_pool).kneighbors(X_pool)[1][:, 1]


def label_histogram(labels):
    """Share of each class in every row of labels, (trials, n_classes)."""
    return np.stack([(labels == c).mean(axis=1) for c in range(n_classes)], axis=1)


def features(w, algorithm_aware=False):
    """Statistics of (S, h) for each trial of world w, (trials, n_features)."""
    h, inside = worlds.h[w], worlds.in_sample[w]
    sample_labels = np.take_along_axis(worlds.target[w], worlds.sample[w], axis=1)
    cols = [
        inside.mean(axis=1, keepdims=True),  # share of the pool the sample covers
        label_histogram(h),
        label_histogram(sample_labels),
        (h == y_pool).mean(axis=1, keepdims=True),  # agreement with the digit classes
        (h == h[:, nearest]).mean(axis=1, keepdims=True),  # smoothness between neighbours
        h[:, :8],  # h on eight fixed images
    ]
    if algorithm_aware:  # needs the learner's reference labelling g: a type-2 statistic
        agree = (h == worlds.reference[w]) & inside
        cols.append((agree.sum(axis=1) / inside.sum(axis=1))[:, None])
    return np.hstack(cols).astype(float)


half = cfg.trials // 2  # trials [:half] of each world train the trees, [half:] score them
world_of = np.r_[np.zeros(cfg.trials - half), np.ones(cfg.trials - half)]


def fit_and_score(algorithm_aware):
    """Held-out accuracy at telling the worlds apart; the fitted bound's errors."""
    F = {w: features(w, algorithm_aware) for w in (1, 2)}
    train = np.vstack([F[1][:half], F[2][:half]])
    test = np.vstack([F[1][half:], F[2][half:]])
    world_train = np.r_[np.zeros(half), np.ones(half)]
    clf = HistGradientBoostingClassifier(random_state=0).fit(train, world_train)
    loss_train = np.r_[worlds.loss[1][:half], worlds.loss[2][:half]]
    reg = HistGradientBoostingRegressor(random_state=0).fit(train, loss_train)
    bound = reg.predict(test)
    miss = {w: np.mean(np.abs(bound[world_of == w - 1] - worlds.loss[w][half:]))
            for w in (1, 2)}
    return dict(accuracy=clf.score(test, world_of), miss=miss, bound=bound)


blind = fit_and_score(algorithm_aware=False)
aware = fit_and_score(algorithm_aware=True)
b_gap = worlds.loss[2].mean() - worlds.loss[1].mean()
ch.glue("trials", f"{cfg.trials:,}")
ch.glue("n_features", features(1).shape[1])
ch.glue("b_loss_2", worlds.loss[2].mean())
ch.glue("b_loss_1", worlds.loss[1].mean())
ch.glue("b_half_gap", b_gap / 2)
ch.glue("blind_accuracy", blind["accuracy"])
ch.glue("blind_miss", max(blind["miss"].values()))
ch.glue("aware_accuracy", aware["accuracy"])
ch.glue("aware_miss", max(aware["miss"].values()))

# %% [markdown]
# The trees tell the worlds apart with a held-out accuracy of
# {glue:text}`blind_accuracy:.3f`, which is chance. The fitted bound does what any function of
# $(S, h)$ must do: it predicts about the same loss in both worlds. Its mean error is
# {glue:text}`blind_miss:.3f` in the world it serves worse, against a half gap of
# {glue:text}`b_half_gap:.3f`. The world-1 losses are all exactly
# {glue:text}`b_loss_1:.0f`; the world-2 losses average {glue:text}`b_loss_2:.3f`.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch06-random-targets", "caption": "Random targets, held-out trials. Left: the population loss of $h$ in the two worlds. Right: what the bound fitted on $(S, h)$ predicts in the same trials. Its predictions have one distribution for both worlds, halfway between two losses that do not overlap."}}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.2))
bins = np.linspace(-0.02, 0.9, 47)
for w, color in ((1, OKABE_ITO["blue"]), (2, OKABE_ITO["vermillion"])):
    ax1.hist(worlds.loss[w][half:], bins=bins, color=color, alpha=0.75,
             label=f"world {w}")
    ax2.hist(blind["bound"][world_of == w - 1], bins=bins, color=color, lw=1.8,
             histtype="step", label=f"world {w}")
ax1.set(xlabel="population loss of $h$", ylabel="trials", title="The truth")
ax2.set(xlabel="fitted bound $B(S, h)$", ylabel="trials", title="What $(S, h)$ can tell")
ax1.legend()
plt.show()

# %% [markdown]
# ## Bounds that know the algorithm
#
# The second half of the paper asks about bounds of the second type, which may also use the
# algorithm. Give the trees one more statistic that needs the algorithm: does $h$ agree with the
# learner's own reference labelling $g$ on the sample? In world 1 it always does; in world 2 only
# by chance. With it, the held-out accuracy jumps to {glue:text}`aware_accuracy:.3f`, and the
# fitted bound's worse mean error falls to {glue:text}`aware_miss:.3f`.
#
# This escape has a price, and that price is the paper's trade-off. A bound that knows $g$ is tight
# here because this algorithm learns only one distribution, the one labelled by $g$, and fails
# everywhere else. The more distributions an algorithm learns well, the more it behaves like the
# randomised family above from the bound's point of view. If it learns well on a rich enough
# family in the over-parameterized regime, no bound, even one that knows the algorithm, is
# uniformly tight for it. Good performance and certifiable performance pull against each other.
#
# ## The gap needs over-parameterization
#
# The argument needs labels that the sample leaves free. Once the sample covers the domain, the two
# worlds agree on nearly every point and the gap closes. With the same learner, the world-2 loss is
# $(1 - 1/k)$ times the unseen share, which falls like $(1 - 1/n_{\text{pool}})^m$.

# %%
sweep_rng = np.random.default_rng(ch.seeds(cfg.n_draws + 1)[-1])  # unused by Part A
sweep = {m: random_target_worlds(n_pool, m, n_classes, 50, sweep_rng).loss[2].mean()
         for m in progress(cfg.sweep_sizes, desc="sample sizes")}
sizes = np.array(cfg.sweep_sizes)
theory = (1 - 1 / n_classes) * (1 - expected_distinct_fraction(n_pool, sizes))
ch.glue("sweep_max_dev", np.max(np.abs(np.array(list(sweep.values())) - theory)))

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch06-coverage", "caption": "The gap between the two worlds against the sample size $m$ (world-2 loss; world 1 is always 0). Dots: simulation; line: $(1 - 1/k)(1 - 1/n_{\\text{pool}})^m$. The gap, and with it the guaranteed miss of every $(S, h)$-bound, is large while the sample covers little of the domain, and vanishes once it covers nearly all."}}
fig, ax = plt.subplots(figsize=(5.4, 3.3))
grid = np.logspace(np.log10(sizes.min()), np.log10(sizes.max()), 200)
ax.plot(grid, (1 - 1 / n_classes) * (1 - expected_distinct_fraction(n_pool, grid)),
        color="black", lw=1.2, label="closed form")
ax.plot(sizes, list(sweep.values()), "o", color=OKABE_ITO["vermillion"],
        label="simulation")
ax.axvline(n_pool, color="grey", lw=0.8, ls=":")
ax.text(n_pool * 1.08, 0.8, "m = pool size", color="grey", fontsize=8)
ax.set(xscale="log", xlabel="training-set size m", ylabel="gap between the worlds",
       title=f"pool of {n_pool} digits, k = {n_classes}")
ax.legend()
plt.show()

# %% [markdown]
# ## Claim checks
#
# Part A's checks use all {glue:text}`n_draws` networks (the worst one counts). Part B's use the
# held-out half of the trials. A classifier that cannot tell the worlds apart scores a binomial
# accuracy around 0.5 with standard error $0.5/\sqrt{n}$ on $n$ held-out trials, so we allow
# 4 standard errors.

# %%
ch.check(
    "network_fits_its_sample",
    "the trained network fits every training label (largest training error over draws)",
    res_a["train_error"].max(), "<=", 0.0,
)
ch.check(
    "network_generalizes_on_digits",
    "under the digit labels the same network generalizes (largest population loss over "
    "draws below 0.15)",
    res_a["loss_1"].max(), "<", 0.15,
)
ch.check(
    "same_sample_two_losses",
    "under a second distribution that makes S and h equally likely, h's loss is higher "
    "by over 0.6 (smallest gap over draws), so every B(S, h) misses one by over 0.3",
    gap_a.min(), ">", 0.6,
)
n_heldout = len(world_of)
chance_limit = 0.5 + 4 * 0.5 / np.sqrt(n_heldout)  # 4 standard errors above a coin
ch.check(
    "random_targets_indistinguishable",
    "with random targets, no classifier on (S, h) statistics tells the worlds apart "
    f"(held-out accuracy on {n_heldout} trials within 4 standard errors of chance)",
    blind["accuracy"], "<", chance_limit,
)
ch.check(
    "fitted_bound_misses_half_the_gap",
    "a bound fitted to predict the loss from (S, h) still errs by over 0.3 on average "
    f"in one world (the gap between the worlds is {b_gap:.2f})",
    max(blind["miss"].values()), ">", 0.3,
)
ch.check(
    "algorithm_aware_bound_can_be_tight",
    "an estimator that may also use the algorithm (its reference labelling) separates "
    "the worlds: held-out accuracy over 0.95",
    aware["accuracy"], ">", 0.95,
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | claim | no bound $B(S, h)$ is uniformly tight for over-parameterized learners; a proof | a demonstration on a finite domain of {glue:text}`n_pool` digit images |
# | construction | distributions that make $(S, h)$ (nearly) equally likely but differ in $L_{\mathcal D}(h)$; quantitative versions with linear functions over finite fields | Part A: one real network, relabelled off its sample (gap at least {glue:text}`a_gap_min:.2f`); Part B: memorise-then-default learner with random targets, law of $(S, h)$ identical (gap {glue:text}`b_loss_2:.2f`) |
# | consequence | every such bound misses by at least half the gap in some world | a fitted bound misses by {glue:text}`blind_miss:.3f` on average in one world; the worlds are told apart at accuracy {glue:text}`blind_accuracy:.3f` (chance) |
# | algorithm-dependent bounds | a learnability–estimability trade-off | knowing the algorithm separates the worlds (accuracy {glue:text}`aware_accuracy:.3f`), for a learner that learns only one distribution |
#
# What differs: we could read only the paper's abstract and table of contents. The theorems'
# exact statements, constants and the definition of "over-parameterized" (in terms of how many
# labellings the class can fit, compared with the sample size) were not checked. Our constructions
# are the standard indistinguishability argument in our own words, not the paper's proofs. Its
# quantitative results use linear functions over finite fields (parities), which we did not
# implement. The relabelled distribution of Part A depends on the sample it was built from. That
# is legitimate for uniform tightness but weaker than the theorem, which is why Part B exists.
# Nothing here says that bounds are useless. It says that a tight bound needs assumptions on the
# distribution, or on the algorithm, that rule out the second world.
#
# ## Try it
#
# - Raise `n_train` to `3000` in the `book` preset (more draws than the pool has images): the
#   sample now covers most digits. Part A's second distribution differs from the first only on the
#   images the sample missed, now a minority, and the gap falls below the 0.6 of the check.
# - Set `trials` to `10000`: ten times more examples of $(S, h)$ to fit the bound on, and the
#   fitted bound still misses one world by about half the gap. No amount of data about $(S, h)$
#   helps, because the two worlds produce exactly the same data.
#
# **Related chapters.**
# - {doc}`05_benign_overfitting_xor`: a network that fits flipped labels and still generalizes, the case bounds must cover.
# - {doc}`17_coherent_gradients`: an explanation of generalization from the training dynamics rather than a bound.
# - {doc}`20_universality_lens`: a bound on regret set by the prior weight of the truth.
