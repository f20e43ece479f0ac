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
# labellings of its sample). The reason is that two distributions can produce the same $(S, h)$
# with the same probability while $h$'s population loss differs widely between them. A number
# computed from $(S, h)$ cannot be right for both, so it misses one of them by at least half the
# gap, and with random targets it does so with high probability, not only for an unlucky sample.
# Bounds that may also use the algorithm escape this argument, but at a price: if the algorithm
# learns well on certain distributions in the over-parameterized regime, no bound is uniformly
# tight for it either.
#
# **What we redraw.** The paper is theoretical and has no figure to redraw. We run its argument on
# a finite domain of digit images, and we run it twice: once with an over-parameterized learner,
# and once with a learner of low capacity (least squares on the 64 pixels) that cannot fit random
# labels. The argument should work for the first and fail for the second: for the low-capacity
# learner the two worlds become distinguishable and a bound fitted to $(S, h)$ becomes tight.
# For the trade-off we use one fixed algorithm that any bound may know, polynomial interpolation
# over a finite field, and compare a family that can fit every labelling of the sample with one
# that has a single coefficient fewer. These contrasts are what the claim checks test.

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
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import NearestNeighbors
from sklearn.neural_network import MLPClassifier

from overparam_utils import chapter
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.progress import progress
from overparam_utils.worlds import (
    expected_distinct_fraction,
    least_squares_toward_reference,
    linear_learner_worlds,
    off_sample_relabel,
    polynomial_worlds,
    random_target_worlds,
)

# Part A: n_draws samples of n_train digits, a ReLU network of the given width trained
# with Adam (lr, steps) on each. Part B: trials runs per world and per learner on
# n_train points; sweep_sizes for the sample-size sweep.
PRESETS = {
    "smoke": dict(
        n_train=300, width=256, lr=1e-2, steps=100, n_draws=1, trials=200,
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
    "06_generalization_bounds_not_tight",
    scale=scale, seed=seed, device=device, presets=PRESETS,
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
# such distributions with a large gap, and in making them equally likely for typical samples, not
# only for one.

# %%
digits = load_digits()
X_pool = digits.data / 16.0
y_pool = digits.target
n_pool, n_classes = len(y_pool), 10
ch.glue(n_pool=n_pool, n_train=cfg.n_train)

# %% [markdown]
# ## Part A: one training set, one network, two distributions
#
# Draw $m$ = {glue:text}`n_train` training images uniformly from the pool (with replacement),
# labelled by their digit class: that is $\mathcal D_1$. Train a ReLU network with one hidden layer
# of {glue:text}`width` units ({glue:text}`n_params` weights) by full-batch Adam
# (scikit-learn's `MLPClassifier`, {glue:text}`steps` steps).
# Then build $\mathcal D_2$ from the result. It keeps the uniform marginal and the labels of the
# training images, and gives every other image the label $(h(x) + 1) \bmod 10$, which $h$ gets
# wrong by construction. The training set, images and labels, has the same probability
# $n_{\text{pool}}^{-m}$ under both distributions. The training run is deterministic given $S$ and
# its seed, so it returns the same network.
#
# We repeat this for {glue:text}`n_draws` independent training sets, and do the same with a
# learner of low capacity: least-squares classification on the 64 pixels (650 weights). We also
# train each network once more on *random* labels of the same images, to see whether it is
# over-parameterized in the paper's sense: able to fit labellings other than the true one.

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
    """One sample; its network and linear learner under D1 and D2; random-label fit."""
    rng = np.random.default_rng(run_seed)
    sample = rng.integers(0, n_pool, size=cfg.n_train)
    net = train_network(X_pool[sample], y_pool[sample], run_seed)
    h = net.predict(X_pool)
    y_2 = off_sample_relabel(y_pool, h, sample, n_classes)
    assert np.array_equal(y_2[sample], y_pool[sample]), "S must be as likely under D2"
    h_lin = least_squares_toward_reference(  # pull=0: plain least squares on S
        X_pool, sample[None], y_pool[sample][None], np.zeros((1, n_pool), int),
        n_classes, pull=0.0,
    )[0]
    y_2_lin = off_sample_relabel(y_pool, h_lin, sample, n_classes)
    random_labels = rng.integers(0, n_classes, size=n_pool)  # one label per image
    net_r = train_network(X_pool[sample], random_labels[sample], run_seed)
    return dict(
        train_error=np.mean(h[sample] != y_pool[sample]),
        loss_1=np.mean(h != y_pool),
        loss_2=np.mean(h != y_2),
        lin_loss_1=np.mean(h_lin != y_pool),
        lin_loss_2=np.mean(h_lin != y_2_lin),
        random_train_error=np.mean(
            net_r.predict(X_pool[sample]) != random_labels[sample]
        ),
    )


runs_a = [part_a(s) for s in progress(ch.seeds(cfg.n_draws), desc="networks")]
res_a = {key: np.array([r[key] for r in runs_a]) for key in runs_a[0]}
gap_a = res_a["loss_2"] - res_a["loss_1"]
gap_a_lin = res_a["lin_loss_2"] - res_a["lin_loss_1"]
ch.glue(
    width=cfg.width, steps=cfg.steps, n_draws=cfg.n_draws,
    n_params=64 * cfg.width + cfg.width + n_classes * (cfg.width + 1),
)
for key in res_a:
    ch.glue(f"a_{key}", res_a[key].mean())
ch.glue(a_gap_min=gap_a.min(), a_gap_lin_min=gap_a_lin.min())

# %% [markdown]
# Every network fits its training set (mean training error {glue:text}`a_train_error:.3f`), and
# it fits random labels of the same images too (training error
# {glue:text}`a_random_train_error:.3f`). Its population loss is {glue:text}`a_loss_1:.3f` under
# the digit labels $\mathcal D_1$ and {glue:text}`a_loss_2:.3f` under $\mathcal D_2$: whatever a
# bound computes from $(S, h)$, it misses one of the two by half the gap or more.
#
# But this construction does not need over-parameterization. The least-squares learner, which
# has far fewer weights than the network, shows the same picture: loss
# {glue:text}`a_lin_loss_1:.3f` under $\mathcal D_1$ and {glue:text}`a_lin_loss_2:.3f` under
# its own $\mathcal D_2$ (smallest gap {glue:text}`a_gap_lin_min:.2f`, against
# {glue:text}`a_gap_min:.2f` for the network). The reason is that $\mathcal D_2$ was built
# *after* seeing $S$. A bound only has to be right with high probability over samples from a
# fixed distribution, and for the fixed $\mathcal D_2$ this $S$ is one sample among very many,
# on almost all of which the learner would see some of the relabelled images. Part A is
# therefore an illustration, not evidence, and carries no claim check.

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(6.0, 3.6))
jitter = np.linspace(-0.06, 0.06, cfg.n_draws)
for offset, marker, prefix, name in ((-0.12, "o", "", "network"),
                                     (0.12, "s", "lin_", "least squares")):
    ax.plot(0 + offset + jitter, res_a[f"{prefix}loss_1"], marker,
            color=OKABE_ITO["blue"], ms=6, label=f"{name}, $\\mathcal{{D}}_1$")
    ax.plot(1 + offset + jitter, res_a[f"{prefix}loss_2"], marker,
            color=OKABE_ITO["vermillion"], ms=6, label=f"{name}, $\\mathcal{{D}}_2$")
ax.set(xticks=[0, 1], xticklabels=[r"$\mathcal{D}_1$: digit labels",
                                   r"$\mathcal{D}_2$: relabelled off $S$"],
       xlim=(-0.5, 1.5), ylim=(-0.03, 1.0), ylabel="population loss of the same $h$",
       title=f"m = {cfg.n_train} digits, {cfg.n_draws} draws")
ax.legend(fontsize=7.5, loc="center left", ncol=2)
ch.figure("fig-ch06-two-worlds")

# %% [markdown]
# ```{glue:figure} fig-ch06-two-worlds
# :name: fig-ch06-two-worlds
#
# The same training set and the same trained model, evaluated under two distributions that make the training
# set equally likely. Circles: the network; squares: least squares on the pixels; one marker per draw. Both
# learners show a large gap, which is why this construction alone says nothing about over-parameterization.
# ```

# %% [markdown]
# ## Part B: random targets make $(S, h)$ identical in law
#
# The paper's theorem closes that gap with random targets. Take a learner that fits its sample
# and, where the sample leaves it free, follows a reference labelling $g$ it was built with (its
# inductive bias). Let $g$ be drawn at random from the learner's own class, one draw per run: we do
# not know which algorithm of this family we face. Compare two worlds:
#
# * **world 1**: the data are labelled by $g$ itself, the world this learner is built for.
# * **world 2**: the data are labelled by an independent, uniformly random labelling $f$.
#
# We run this recipe for two learners. Both minimise the squared error on the sample plus a small
# pull toward $g$ on the whole pool, and predict the class with the largest score:
#
# * **over-parameterized**: one weight per image and class, so it can fit any labelling of the
#   pool. Its class is every labelling, so $g$ is uniformly random. It returns the sample's labels
#   on the sample and $g$ elsewhere (we use this closed form; a unit test checks it against the
#   least-squares solve). In world 1 it is right everywhere. In world 2 it errs on about
#   a fraction $1 - 1/k$ of the unseen images ($k$ = 10 classes), yet in both worlds $h$ is a
#   uniformly random labelling that agrees with the sample. So $(S, h)$ has *exactly* the same law
#   in both worlds, and so does any $B(S, h)$. The network of Part A fits random labels, so it is
#   in the regime this construction needs; the one-weight-per-image learner makes the construction
#   exact.
# * **low capacity (the control)**: the same learner on the 64 pixels and a bias (650 weights).
#   Its $g$ is a random linear labelling of the pixels. It cannot fit random labels, so in world 2
#   its training error is large. This removes over-parameterization and keeps everything else.
#
# We run {glue:text}`trials` trials per world and per learner with $m$ = {glue:text}`n_train` on
# the same pool. Then we go looking for a bound that works anyway. We describe each $(S, h)$ by
# {glue:text}`n_features` statistics: how much of the pool the sample covers, the training error,
# the label histograms of $h$ and of the sample, $h$'s agreement with the digit classes, how
# smooth $h$ is between nearest-neighbour images, and $h$ on a few fixed images. Gradient-boosted
# trees then learn to (a) tell the worlds apart and (b) predict the loss, both trained on half of
# the trials, with the labels of both worlds, and scored on the other half.

# %%
learners = {
    "over": random_target_worlds(n_pool, cfg.n_train, n_classes, cfg.trials, ch.rng),
    "linear": linear_learner_worlds(X_pool, cfg.n_train, n_classes, cfg.trials, ch.rng),
}
nearest = NearestNeighbors(n_neighbors=2).fit(X_pool).kneighbors(X_pool)[1][:, 1]


def label_histogram(labels):
    """Share of each class in every row of labels, (trials, n_classes)."""
    return np.stack([(labels == c).mean(axis=1) for c in range(n_classes)], axis=1)


def features(worlds, w):
    """Statistics of (S, h) for each trial of world w, (trials, n_features)."""
    h, sample = worlds.h[w], worlds.sample[w]
    sample_labels = np.take_along_axis(worlds.target[w], sample, axis=1)
    cols = [
        worlds.in_sample[w].mean(axis=1, keepdims=True),  # share of the pool covered
        (np.take_along_axis(h, sample, axis=1) != sample_labels).mean(  # training error
            axis=1, keepdims=True),
        label_histogram(h),
        label_histogram(sample_labels),
        (h == y_pool).mean(axis=1, keepdims=True),  # agreement with the digit classes
        (h == h[:, nearest]).mean(axis=1, keepdims=True),  # smoothness between neighbours
        h[:, :8],  # h on eight fixed images
    ]
    return np.hstack(cols).astype(float)


half = cfg.trials // 2  # trials [:half] of each world train the trees, [half:] score them
world_of = np.r_[np.ones(cfg.trials - half), 2 * np.ones(cfg.trials - half)]


def fit_and_score(F, losses):
    """Trees trained on half the trials, scored on the other half: accuracy at telling
    the worlds apart from the statistics F[w], and the misses of the fitted bound."""
    train = np.vstack([F[1][:half], F[2][:half]])
    test = np.vstack([F[1][half:], F[2][half:]])
    world_train = np.r_[np.ones(half), 2 * np.ones(half)]
    clf = HistGradientBoostingClassifier(random_state=0).fit(train, world_train)
    loss_train = np.r_[losses[1][:half], losses[2][:half]]
    reg = HistGradientBoostingRegressor(random_state=0).fit(train, loss_train)
    bound = reg.predict(test)
    loss = {w: losses[w][half:] for w in (1, 2)}
    miss = {w: np.abs(bound[world_of == w] - loss[w]) for w in (1, 2)}
    gap = loss[2].mean() - loss[1].mean()
    worse = max((1, 2), key=lambda w: miss[w].mean())  # the world the bound serves worse
    return dict(
        accuracy=clf.score(test, world_of), bound=bound, loss=loss, gap=gap,
        miss=miss[worse].mean(), miss_ratio=miss[worse].mean() / (gap / 2),
        share_missed=np.mean(miss[worse] > gap / 4),
    )


scores = {}
for name, worlds in learners.items():
    F = {w: features(worlds, w) for w in (1, 2)}
    scores[name] = fit_and_score(F, worlds.loss)
    scores[name]["train_error"] = {w: F[w][:, 1].mean() for w in (1, 2)}
over, lin = scores["over"], scores["linear"]
ch.glue(trials=f"{cfg.trials:,}", n_features=features(learners["over"], 1).shape[1])
for name, sc in scores.items():
    ch.glue(**{
        f"{name}_loss_1": sc["loss"][1].mean(), f"{name}_loss_2": sc["loss"][2].mean(),
        f"{name}_half_gap": sc["gap"] / 2, f"{name}_accuracy": sc["accuracy"],
        f"{name}_miss": sc["miss"], f"{name}_miss_ratio": sc["miss_ratio"],
        f"{name}_share_missed": sc["share_missed"],
        f"{name}_train_error_1": sc["train_error"][1],
        f"{name}_train_error_2": sc["train_error"][2],
    })

# %% [markdown]
# **Over-parameterized learner.** The world-1 losses average {glue:text}`over_loss_1:.3f`, the
# world-2 losses {glue:text}`over_loss_2:.3f`, and the training error is
# {glue:text}`over_train_error_2:.3f` in world 2 as in world 1. The trees tell the worlds apart
# with a held-out accuracy of {glue:text}`over_accuracy:.3f`, which is chance. The fitted bound
# does what any function of $(S, h)$ must do: it predicts about the same loss in both worlds. Its
# mean error is {glue:text}`over_miss:.3f` in the world it serves worse, which is
# {glue:text}`over_miss_ratio:.2f` times half the gap, and it misses by more than a quarter of
# the gap in a share {glue:text}`over_share_missed:.2f` of that world's trials.
#
# **Low-capacity learner.** Its losses are {glue:text}`linear_loss_1:.3f` in world 1 and
# {glue:text}`linear_loss_2:.3f` in world 2, a gap of similar size. But its training error gives
# the world away: {glue:text}`linear_train_error_1:.3f` in world 1 against
# {glue:text}`linear_train_error_2:.3f` in world 2. The trees tell the worlds apart with accuracy
# {glue:text}`linear_accuracy:.3f`, and the fitted bound's mean error in its worse world is
# {glue:text}`linear_miss:.3f`, that is {glue:text}`linear_miss_ratio:.2f` times half the gap:
# for this learner a bound computed from $(S, h)$ can be tight.

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(2, 2, figsize=(8.4, 5.6), sharex=True)
bins = np.linspace(-0.02, 1.0, 52)
for row, (name, sc) in zip(
    axes, (("over-parameterized", over), ("low capacity", lin)), strict=True
):
    for w, color in ((1, OKABE_ITO["blue"]), (2, OKABE_ITO["vermillion"])):
        row[0].hist(sc["loss"][w], bins=bins, color=color, alpha=0.75,
                    label=f"world {w}")
        row[1].hist(sc["bound"][world_of == w], bins=bins, color=color, lw=1.8,
                    histtype="step", label=f"world {w}")
    row[0].set(ylabel=f"{name}\ntrials", title="The truth" if name[0] == "o" else None)
    row[1].set(title="What $(S, h)$ can tell" if name[0] == "o" else None)
axes[1, 0].set(xlabel="population loss of $h$")
axes[1, 1].set(xlabel="fitted bound $B(S, h)$")
axes[0, 0].legend()
ch.figure("fig-ch06-random-targets")

# %% [markdown]
# ```{glue:figure} fig-ch06-random-targets
# :name: fig-ch06-random-targets
#
# Random targets, held-out trials; top: the over-parameterized learner, bottom: the low-capacity control.
# Left: the population loss of $h$ in the two worlds. Right: what the bound fitted on $(S, h)$ predicts in the
# same trials. For the over-parameterized learner the predictions have one distribution for both worlds,
# halfway between two losses that do not overlap; for the control they follow the truth.
# ```

# %% [markdown]
# ## Bounds that know the algorithm
#
# The second half of the paper is about bounds of the second type, which may also use the
# algorithm. In Part B such a bound would know $g$ and could check whether $h$ agrees with $g$ on
# the sample, which separates the two worlds by construction. The paper's answer is a trade-off:
# if an algorithm learns well on certain distributions in the over-parameterized regime, no bound
# is uniformly tight for it, even one that knows the algorithm. Its quantitative examples use
# linear functions over finite fields, and so do we, in a version of our own.
#
# The domain is now the finite field GF($q$) with $q$ = {glue:text}`field_q` elements, each
# labelled by one of its $q$ elements, with the uniform marginal. The algorithm is one fixed
# procedure, which any bound may know: draw $m$ = {glue:text}`field_m` distinct points, take the
# polynomial of degree below $r$ through the first $r$ of them (Lagrange interpolation in GF($q$),
# a linear function of $1, x, \dots, x^{r-1}$) and predict with it. It learns every distribution
# labelled by such a polynomial exactly, from any sample: that is its learnability. Compare again
# two worlds, world 1 labelled by a uniformly random polynomial of degree below $r$, world 2 by
# uniformly random labels, for two choices of $r$:
#
# * $r = m$: the family fits *every* labelling of the sample; the algorithm is over-parameterized.
#   A uniformly random polynomial of degree below $m$ takes independent uniform values on $m$
#   distinct points, so the labelled sample, and with it $(S, h)$, has the same law in both worlds.
# * $r = m - 1$ (the control): one coefficient fewer. The algorithm still learns a family of
#   $q^{m-1}$ distributions exactly, but random labels now leave a training error on the last
#   sample point, except by chance (probability $1/q$).
#
# The same trees as in Part B, trained on the runs of this one algorithm (so they know it), look
# at the training error, the mean and spread of $h$ and of the sample labels, and $h$ on eight
# fixed points.

# %%
field_q, field_m = 101, 20  # a prime field and the number of distinct sample points


def field_features(worlds, w):
    """Statistics of (S, h) for the polynomial learner, (trials, 13)."""
    h = worlds.h[w] / field_q
    labels = np.take_along_axis(worlds.target[w], worlds.sample[w], axis=1) / field_q
    return np.column_stack([
        worlds.train_error[w], h.mean(axis=1), h.std(axis=1),
        labels.mean(axis=1), labels.std(axis=1), h[:, :8],
    ])


field_scores = {}
for name, degree_below in (("field_over", field_m), ("field_control", field_m - 1)):
    worlds = polynomial_worlds(field_q, field_m, degree_below, cfg.trials, ch.rng)
    F = {w: field_features(worlds, w) for w in (1, 2)}
    field_scores[name] = fit_and_score(F, worlds.loss)
    field_scores[name]["max_loss_1"] = worlds.loss[1].max()
    field_scores[name]["train_error_2"] = np.mean(worlds.train_error[2] > 0)
f_over, f_lin = field_scores["field_over"], field_scores["field_control"]
ch.glue(field_q=field_q, field_m=field_m)
for name, sc in field_scores.items():
    ch.glue(**{
        f"{name}_loss_2": sc["loss"][2].mean(), f"{name}_accuracy": sc["accuracy"],
        f"{name}_miss_ratio": sc["miss_ratio"], f"{name}_max_loss_1": sc["max_loss_1"],
        f"{name}_share_fit_2": 1 - sc["train_error_2"],
    })

# %% [markdown]
# Both algorithms learn their family: the largest world-1 loss is
# {glue:text}`field_over_max_loss_1:.3f` for $r = m$ and {glue:text}`field_control_max_loss_1:.3f`
# for $r = m - 1$. Under random labels their losses are {glue:text}`field_over_loss_2:.3f` and
# {glue:text}`field_control_loss_2:.3f`. With $r = m$ the trees tell the worlds apart at accuracy
# {glue:text}`field_over_accuracy:.3f` and the fitted bound misses by
# {glue:text}`field_over_miss_ratio:.2f` times half the gap. With one coefficient fewer, random
# labels are fitted in a share {glue:text}`field_control_share_fit_2:.3f` of the trials only, the
# accuracy is {glue:text}`field_control_accuracy:.3f` and the miss
# {glue:text}`field_control_miss_ratio:.2f` times half the gap. That is the trade-off in its
# sharpest form: the same kind of learner, learning a family of distributions that can fit every
# labelling of its sample, loses the estimability that the slightly smaller family keeps.
#
# ## The gap needs labels that the sample leaves free
#
# Once the sample covers the domain, the two worlds agree on nearly every point and the gap
# closes. For the over-parameterized learner the world-2 loss is $(1 - 1/k)$ times the unseen
# share, which falls like $(1 - 1/n_{\text{pool}})^m$.

# %%
sweep = {
    m: random_target_worlds(n_pool, m, n_classes, 50, ch.rng).loss[2].mean()
    for m in progress(cfg.sweep_sizes, desc="sample sizes")
}
sizes = np.array(cfg.sweep_sizes)
theory = (1 - 1 / n_classes) * (1 - expected_distinct_fraction(n_pool, sizes))
ch.glue(sweep_max_dev=np.max(np.abs(np.array(list(sweep.values())) - theory)))
ch.glue(sweep_m_big=sizes.max(), sweep_gap_big=sweep[sizes.max()])

# %% tags=["hide-input", "remove-output"]
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
ch.figure("fig-ch06-coverage")

# %% [markdown]
# ```{glue:figure} fig-ch06-coverage
# :name: fig-ch06-coverage
#
# The gap between the two worlds for the over-parameterized learner against the sample size $m$ (world-2 loss;
# world 1 is always 0). Dots: simulation; line: $(1 - 1/k)(1 - 1/n_{\text{pool}})^m$. The gap, and with it the
# guaranteed miss of every $(S, h)$-bound, is large while the sample covers little of the domain and small
# once it covers nearly all.
# ```

# %% [markdown]
# The simulation stays within {glue:text}`sweep_max_dev:.3f` of the closed form; at
# $m$ = {glue:text}`sweep_m_big` the gap is down to {glue:text}`sweep_gap_big:.3f`.
#
# ## Claim checks
#
# Every claim check is measured on the held-out half of the over-parameterized learner's trials.
# Its control is the same statistic for the learner with over-parameterization removed: least
# squares on the pixels in Part B, the polynomial family with one coefficient fewer over GF($q$).
# Neither control can fit every labelling of its sample. A check holds only if the
# over-parameterized learner meets the threshold and the control does not. The thresholds come
# from the argument, not from the data:
#
# * a classifier that cannot tell the worlds apart scores a binomial accuracy around 0.5 with
#   standard error $0.5/\sqrt{n}$ on $n$ held-out trials; we allow 4 standard errors;
# * for every $B$, the mean misses in the two worlds add up to at least the gap, so the worse one
#   is at least half the gap; we require 0.8 of that, to allow for the finite held-out set;
# * with world-2 losses concentrated near their mean, a $B$ with one law in both worlds has
#   $\Pr(B > \text{gap}/4) + \Pr(B < 3\,\text{gap}/4) \ge 1$, so in one world it misses by more
#   than a quarter of the gap in at least half of the trials.
#
# The setup checks confirm the regime: the network of Part A fits its sample and random labels
# (it is over-parameterized), it generalizes on the real digits, the control learner of Part B
# cannot fit random labels, and both polynomial learners learn their own family exactly.

# %%
control_is = "least squares on the 64 pixels (650 weights): cannot fit random labels"
n_heldout = len(world_of)
chance_limit = 0.5 + 4 * 0.5 / np.sqrt(n_heldout)  # 4 standard errors above a coin
ch.check(
    "network_fits_its_sample",
    "the trained network fits every training label (largest training error over draws)",
    res_a["train_error"].max(), "<=", 0.0, kind="setup",
)
ch.check(
    "network_fits_random_labels",
    "the same network fits random labels of its sample: it is over-parameterized "
    "(largest training error over draws below 0.05)",
    res_a["random_train_error"].max(), "<", 0.05, kind="setup",
)
ch.check(
    "network_generalizes_on_digits",
    "under the digit labels the network generalizes (largest population loss over draws "
    "below 0.15)",
    res_a["loss_1"].max(), "<", 0.15, kind="setup",
)
ch.check(
    "polynomial_learner_learns_its_family",
    "over GF(q) both polynomial learners (r = m and r = m - 1) learn their own family "
    "exactly (largest world-1 loss over trials is 0)",
    max(f_over["max_loss_1"], f_lin["max_loss_1"]), "<=", 0.0, kind="setup",
)
ch.check(
    "control_cannot_fit_random_labels",
    "the low-capacity learner's training error on random labels (world 2) exceeds 0.3",
    lin["train_error"][2], ">", 0.3, kind="setup",
)
ch.check(
    "random_targets_indistinguishable",
    "with random targets, no classifier on (S, h) statistics tells the worlds apart "
    f"(held-out accuracy on {n_heldout} trials within 4 standard errors of chance)",
    over["accuracy"], "<", chance_limit, control=lin["accuracy"], control_is=control_is,
)
ch.check(
    "fitted_bound_misses_half_the_gap",
    "a bound fitted to predict the loss from (S, h) misses, on average in the world it "
    "serves worse, by at least 0.8 times half the gap between the worlds",
    over["miss_ratio"], ">", 0.8, control=lin["miss_ratio"], control_is=control_is,
)
ch.check(
    "miss_is_likely_not_rare",
    "the miss happens with high probability: in the worse-served world, the fitted "
    "bound misses by over a quarter of the gap in more than half of the trials",
    over["share_missed"], ">", 0.5, control=lin["share_missed"], control_is=control_is,
)

field_control_is = (
    "one polynomial coefficient fewer (r = m - 1): cannot fit every labelling"
)
ch.check(
    "algorithm_aware_bound_not_tight",
    "a fixed algorithm that learns a family of distributions able to fit every labelling "
    "of its sample (polynomials of degree below m over GF(q)): even knowing the "
    "algorithm, no classifier on (S, h) tells its world from random labels (held-out "
    "accuracy within 4 standard errors of chance)",
    f_over["accuracy"], "<", chance_limit,
    control=f_lin["accuracy"], control_is=field_control_is,
)
ch.check(
    "algorithm_aware_fitted_bound_misses",
    "for the same algorithm, a bound fitted to its runs misses, in the world it serves "
    "worse, by at least 0.8 times half the gap",
    f_over["miss_ratio"], ">", 0.8,
    control=f_lin["miss_ratio"], control_is=field_control_is,
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | claim | no bound $B(S, h)$ is uniformly tight for over-parameterized learners; a proof | a demonstration on a finite domain of {glue:text}`n_pool` digit images, with a low-capacity control |
# | construction | distributions that make $(S, h)$ (nearly) equally likely but differ in $L_{\mathcal D}(h)$; quantitative versions with linear functions over finite fields | random targets: a learner that fits its sample and follows a random reference labelling elsewhere, in a world labelled by that reference and in one labelled at random |
# | consequence | every such bound misses by at least half the gap in some world | a fitted bound misses by {glue:text}`over_miss_ratio:.2f` times half the gap; the worlds are told apart at accuracy {glue:text}`over_accuracy:.3f` (chance) |
# | without over-parameterization | uniform convergence: bounds can be tight | the control is told apart at accuracy {glue:text}`linear_accuracy:.3f` and its fitted bound misses by {glue:text}`linear_miss_ratio:.2f` times half its gap |
# | algorithm-dependent bounds | a learnability–estimability trade-off; quantitative results with linear functions over finite fields | polynomials over GF({glue:text}`field_q`) through {glue:text}`field_m` points: worlds told apart at accuracy {glue:text}`field_over_accuracy:.3f`; with one coefficient fewer at {glue:text}`field_control_accuracy:.3f` |
#
# What differs: we could read only the paper's abstract and table of contents. The theorems'
# exact statements, constants and the definition of "over-parameterized" (in terms of how many
# labellings the class can fit, compared with the sample size) were not checked. Our
# construction is the standard indistinguishability argument in our own words, not the paper's
# proof, and for the over-parameterized learner its outcome is guaranteed: the law of $(S, h)$ is
# the same in both worlds by design. What the run can get wrong is the contrast: the same
# recipe, the same statistics and the same trees, with only the learner's capacity changed,
# must give a bound that works. The control also changes world 1, because world 1 is by
# definition labelled from the learner's own class: random labellings for the
# over-parameterized learner, random linear labellings for the control. Part A uses a real
# network, but its second distribution is built from the sample, which works for any learner
# (the control learner shows it too), so it carries no claim. The finite-field example is our
# own, in the spirit of the paper's linear functions over finite fields: its indistinguishability
# for $r = m$ is again exact by design, and the check is whether one coefficient fewer restores
# it. It shows the trade-off at its sharpest point (a family that fits every labelling against
# one that does not), not the paper's quantitative version. Nothing here says that bounds are
# useless. It says that a tight bound needs assumptions on the distribution, or on the
# algorithm, that rule out the second world.
#
# ## Try it
#
# - Replace the control's 64 pixels by 500 random ReLU features of them
#   (`np.maximum(X_pool @ W, 0)` with a Gaussian `W` of shape (64, 500)), and set `trials` to
#   `200` to keep it quick. The control now has more weights than its sample has images. What do
#   you expect of its training error in world 2, its held-out accuracy and its fitted-bound miss?
# - Set `trials` to `10000`: ten times more examples of $(S, h)$ to fit the bound on. Does the
#   over-parameterized learner's miss shrink? Think about what the trees see in each world
#   before you run it.
#
# **Related chapters.**
# - {doc}`05_benign_overfitting_xor`: a network that fits flipped labels and still generalizes, the case bounds must cover.
# - {doc}`17_coherent_gradients`: an explanation of generalization from the training dynamics rather than a bound.
# - {doc}`20_universality_lens`: a bound on regret set by the prior weight of the truth.
