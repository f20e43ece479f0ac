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
# # Memorization is necessary on a long tail
#
# **Paper.** {cite:t}`feldman2020does`; the memorization estimate is from
# {cite:t}`feldman2020neural`.
#
# **Claim.** Suppose the data are a mixture of many subpopulations whose frequencies are
# long-tailed. Then a training set contains many examples that are the only one of their kind
# (*singletons*). Nothing else in the sample says anything about their labels, yet together their
# subpopulations carry a real share of the test distribution. A learner that does not fit
# (memorize) those labels, noisy ones included, pays for it in test error: about $\tau_1$ per singleton, where $\tau_1$
# is the expected frequency of a subpopulation seen once, a number fixed by the frequency
# distribution. The heavier the tail, the larger the cost. The subsampled memorization score
# of {cite:t}`feldman2020neural` finds exactly these examples: it is high for rare examples and
# near zero for frequent ones.
#
# **What we test.** The bound itself, on a natural learner that can limit memorization (kernel
# ridge regression along a path of ridges), in a regime where it could fail: subpopulations that
# one example does not cover for the learner, and labels of which some are wrong. Against every claim stands a contrast: the same
# mixture with labels shared by neighbouring subpopulations, where the argument predicts that
# memorization is not needed. We redraw the long tail of one sample, the excess test error
# against Feldman's price along the ridge path, the memorization scores of
# {cite:t}`feldman2020neural` by how often an example's subpopulation occurs, and their
# marginal-utility test (removing the most memorized examples costs more than removing random
# ones).

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
from overparam_utils.memorization import (
    LongTailMixture,
    expected_singletons,
    feldman_tau1,
    kernel_fit_predict,
    one_hot,
    path_outputs,
    random_subsets,
    subsample_memorization,
)
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.progress import progress
from overparam_utils.ridge import relu_kernel

# n_subpops subpopulations with Zipf frequencies (exponent `tail`), centres in dim
# dimensions, n_classes classes, within-subpopulation noise sigma (spread out enough
# that one example does not cover its subpopulation for the learner), a fraction
# label_noise of labels redrawn at random; n_train / n_test examples; n_draws
# independent mixtures, each drawn twice (labels independent of the centre, or a linear
# function of it); ridges (relative to the kernel's mean diagonal) for the path;
# n_subsets models on random subsets of size subset_frac * n_train for the memorization
# scores; remove_frac of the training set removed in the marginal-utility test, against
# n_random random removals of the same size.
PRESETS = {
    "smoke": dict(
        n_subpops=200, n_train=200, n_test=600, dim=16, n_classes=4, sigma=0.4,
        label_noise=0.1, tail=1.0, n_draws=2, ridges=list(np.logspace(-6, 1, 15)),
        n_subsets=6, subset_frac=0.7, remove_frac=0.1, n_random=1,
    ),
    "book": dict(
        n_subpops=600, n_train=600, n_test=2000, dim=16, n_classes=4, sigma=0.4,
        label_noise=0.1, tail=1.0, n_draws=3, ridges=list(np.logspace(-6, 1, 15)),
        n_subsets=16, subset_frac=0.7, remove_frac=0.1, n_random=3,
    ),
    "paper": dict(
        n_subpops=3000, n_train=3000, n_test=10000, dim=16, n_classes=4, sigma=0.4,
        label_noise=0.1, tail=1.0, n_draws=5, ridges=list(np.logspace(-6, 1, 29)),
        n_subsets=64, subset_frac=0.7, remove_frac=0.1, n_random=5,
    ),
}
ch = chapter.setup(
    "16_memorization_long_tail",
    scale=scale, seed=seed, device=device, presets=PRESETS,
)
cfg = ch.cfg
k = cfg.n_classes
chance_miss = 1 - 1 / k  # error of a guess on a label the learner knows nothing about

# %% [markdown]
# ## Setup
#
# **Data.** There are $N$ = {glue:text}`n_subpops` subpopulations. Subpopulation $i$ has frequency
# $p_i \propto i^{-\gamma}$ (a Zipf law with tail exponent $\gamma$ = {glue:text}`tail`), a centre
# $c_i \sim \mathcal N(0, I_d)$ in $d$ = {glue:text}`dim` dimensions and a label among
# {glue:text}`n_classes` classes. An example from subpopulation $i$ is $x = c_i + \sigma\xi$ with
# $\sigma$ = {glue:text}`sigma`. By nearest centre the subpopulations barely overlap, but they do
# not stand apart for the learner below, so a memorized example need not settle its answer on
# the whole subpopulation (measured in the next section). A fraction
# {glue:text}`label_noise` of all labels, training and test, is redrawn uniformly at random, so
# some singletons carry a wrong label and fitting them is not obviously right.
#
# **Two labellings of the same mixture.** In **Feldman's world** each subpopulation's label is
# drawn independently of everything else: the only way to know the label of a rare
# subpopulation is to have seen one of its examples and fitted it. In the **contrast world**
# (the control of every claim below) the label is a linear function of the centre,
# $\arg\max_c (c_i^\top W)_c$ for a random $W$: neighbouring subpopulations share labels, a
# smooth learner can infer a rare subpopulation's label from the frequent ones, and Feldman's
# argument predicts that memorization is not needed. Both worlds share the frequencies, the
# centres and the samples' sizes; only the labelling differs.
#
# **Feldman's bound.** Draw $n$ = {glue:text}`n_train` training examples. A subpopulation seen
# exactly once is a singleton. Given that a subpopulation was seen once, its expected test
# frequency is
#
# $$\tau_1 = \frac{\sum_i p_i^2 (1-p_i)^{n-1}}{\sum_i p_i (1-p_i)^{n-1}}.$$
#
# The theorem (in our reconstruction, see "Paper vs here") says that any learner's test error
# exceeds the best achievable by at least $\tau_1$ times the expected number of singletons it
# does not fit: each unfitted singleton gives away, on average, its subpopulation's test mass.
# In the paper's model a subpopulation is a single point, so an unfitted singleton is a wrong
# answer on all of its mass; with spread-out subpopulations and noisy labels it need not be,
# and the bound can fail.
#
# **Learner.** Kernel ridge regression on one-hot labels with the arc-cosine kernel: a two-layer
# ReLU network with infinitely many random hidden units and a trained read-out (the
# random-feature models of the earlier chapters at infinite width). With a vanishing ridge it
# interpolates: it memorizes every training label. A growing ridge is the natural way this
# learner limits memorization: it fits fewer and fewer of the labels that only one example
# supports. We follow the whole ridge path and count, at every ridge, the singletons it leaves
# unfitted.

# %%
def one_world(labels, draw_seed):
    """One mixture and sample; labels "independent" (Feldman) or "linear" (contrast)."""
    rng = np.random.default_rng(draw_seed)
    mix = LongTailMixture.draw(rng, n_subpops=cfg.n_subpops, tail=cfg.tail, dim=cfg.dim,
                               n_classes=k, sigma=cfg.sigma, labels=labels)
    X, y, sub = mix.sample(cfg.n_train, rng, label_noise=cfg.label_noise)
    X_test, y_test, sub_test = mix.sample(cfg.n_test, rng, label_noise=cfg.label_noise)
    K, K_test = relu_kernel(X), relu_kernel(X, X_test)  # (n, n), (n_test, n)
    Y = one_hot(y, k)
    ridge_scale = np.mean(np.diag(K))
    ridges = np.asarray(cfg.ridges) * ridge_scale
    train_out, test_out = path_outputs(K, K_test, Y, ridges)
    counts = mix.counts(sub)
    single = counts[sub] == 1
    fitted = train_out.argmax(2) == y  # (R, n)
    right = test_out.argmax(2) == y_test  # (R, n_test)
    unfitted = np.sum(~fitted[:, single], axis=1)  # unfitted singletons per ridge
    n_single = int(single.sum())
    half = np.flatnonzero(unfitted > n_single / 2)
    # the first ridge that leaves more than half of the singletons unfitted
    i_half = int(half[0]) if len(half) else len(ridges) - 1
    # the learner that never sees the singletons (uses the generator's subpopulations)
    keep = np.flatnonzero(~single)
    out_drop = kernel_fit_predict(K, K_test, Y, ridges[0], subset=keep)
    right_drop = out_drop.argmax(1) == y_test
    sq_dist = (X_test**2).sum(1)[:, None] - 2 * X_test @ mix.centers.T
    sq_dist += (mix.centers**2).sum(1)[None, :]
    return dict(
        nearer_other=np.mean(sq_dist.argmin(1) != sub_test), right0=right[0],
        mix=mix, K=K, K_test=K_test, Y=Y, y=y, y_test=y_test, sub=sub, counts=counts,
        count_train=counts[sub], count_test=counts[sub_test], noisy=y != mix.labels[sub],
        ridge0=ridges[0], err=1 - right.mean(axis=1), unfitted=unfitted,
        fit_all=fitted[0].mean(), n_single=n_single, i_half=i_half,
        tau1=feldman_tau1(mix.freqs, cfg.n_train), err_drop=1 - right_drop.mean(),
    )


worlds = ("independent", "linear")
draw_seeds = ch.seeds(cfg.n_draws)
problems = {w: [one_world(w, s) for s in progress(draw_seeds, desc=f"{w} labels")]
            for w in worlds}
main, contrast = problems["independent"], problems["linear"]
ch.glue(**cfg.pick("n_subpops", "dim", "n_classes", "sigma", "label_noise", "n_train",
                   "n_test", "n_draws", "tail"))

# %% [markdown]
# ## The long tail in one sample
#
# The first sample has {glue:text}`n_single_0` singletons out of {glue:text}`n_train_again`
# examples (expected: {glue:text}`expected_single:.0f`), and the subpopulations they come from
# hold {glue:text}`singleton_mass_0:.3f` of the test distribution; $\tau_1 \times$
# #singletons = {glue:text}`tau1_times_single_0:.3f` estimates that mass from the frequencies
# alone. Another {glue:text}`unseen_mass_0:.3f` of the test mass belongs to subpopulations the
# sample never saw. {glue:text}`noisy_single_0` of the singletons carry a wrong label.
#
# Only {glue:text}`nearer_other:.4f` of the test points lie nearer another subpopulation's centre
# than their own (mean over draws), yet on test points of singleton subpopulations the
# interpolating learner, which fits every singleton, errs {glue:text}`err_single_interp:.2f` of
# the time, against {glue:text}`err_frequent_interp:.2f` on subpopulations seen more than ten
# times (a test label is wrong {glue:text}`noise_floor:.3f` of the time): one memorized example
# does not carry its whole subpopulation for this learner.

# %%
p0 = main[0]
ch.glue(
    n_single_0=p0["n_single"], n_train_again=cfg.n_train,
    expected_single=expected_singletons(p0["mix"].freqs, cfg.n_train),
    singleton_mass_0=p0["mix"].singleton_mass(p0["counts"]),
    tau1_times_single_0=p0["tau1"] * p0["n_single"],
    unseen_mass_0=p0["mix"].unseen_mass(p0["counts"]),
    noisy_single_0=int(np.sum(p0["noisy"] & (p0["count_train"] == 1))),
    nearer_other=np.mean([p["nearer_other"] for p in main]),
    err_single_interp=np.mean([1 - p["right0"][p["count_test"] == 1].mean()
                               for p in main]),
    noise_floor=cfg.label_noise * chance_miss,
    err_frequent_interp=np.mean([1 - p["right0"][p["count_test"] > 10].mean()
                                 for p in main]),
)

# %% tags=["hide-input", "remove-output"]
freqs, counts = p0["mix"].freqs, p0["counts"]
rank = np.arange(1, len(freqs) + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.4))
ax1.plot(rank[counts > 1], counts[counts > 1], ".", color=OKABE_ITO["blue"], ms=4,
         label="seen twice or more")
ax1.plot(rank[counts == 1], counts[counts == 1], ".", color=OKABE_ITO["orange"], ms=4,
         label="singletons")
ax1.plot(rank, cfg.n_train * freqs, color="black", lw=1, label="expected count $n p_i$")
ax1.set(xscale="log", yscale="log", xlabel="subpopulation rank", ylabel="count in sample",
        title=rf"tail exponent $\gamma$ = {cfg.tail:g}")
ax1.legend()
max_c = 6
mass = [freqs[counts == c].sum() for c in range(max_c)] + [freqs[counts >= max_c].sum()]
labels = [str(c) for c in range(max_c)] + [f"{max_c}+"]
colors = [OKABE_ITO["sky"]] * len(mass)
colors[1] = OKABE_ITO["orange"]
ax2.bar(labels, mass, color=colors)
ax2.set(xlabel="times the subpopulation occurs in the sample", ylabel="test mass",
        title="where the test distribution lives")
ch.figure("fig-ch16-tail")

# %% [markdown]
# ```{glue:figure} fig-ch16-tail
# :name: fig-ch16-tail
#
# One sample from the long-tailed mixture. Left: how often each subpopulation occurs in the
# training set, by frequency rank (log-log; orange: singletons); the expected count $n p_i$ is the
# line. Right: the test mass of the subpopulations seen 0, 1, 2, ... times; the singletons' share
# is what a learner that fits none of them puts at risk.
# ```

# %% [markdown]
# ## The bound along the ridge path
#
# At every ridge we compare two numbers: the **excess test error**, the error at that ridge minus
# the error of the interpolating learner (the smallest ridge, which fits all of its training
# labels), and **Feldman's price**, $\tau_1$ times the number of singletons the learner leaves
# unfitted beyond those the interpolant leaves. The bound says the first is at least the second.
# We pool both over the path up to the first ridge that leaves more than half of the singletons
# unfitted, or the whole path where no ridge does (we stop there because further along the ridge
# also acts on the examples of frequent subpopulations, which belong to the rest of Feldman's
# sum, not to its singleton term), and over the {glue:text}`n_draws_again` draws.
#
# In Feldman's world the excess error is {glue:text}`ratio_path:.2f` times Feldman's price; in
# the contrast world, with the same frequencies, centres and ridges, it is
# {glue:text}`ratio_path_ctrl:.2f` times. At the half-way ridge Feldman's world has lost
# {glue:text}`excess_half:.3f` of test accuracy, the contrast world {glue:text}`excess_half_ctrl:.3f`.
#
# Is fitting everything, the wrong labels included, near-optimal? The interpolant fits every
# training label of both worlds, and some labels are wrong. In Feldman's world the best ridge of
# the path beats it by only {glue:text}`gain_abs:.3f` of test error (mean over draws):
# {glue:text}`gain_best:.2f` of Feldman's price for leaving every singleton unfitted. In the
# contrast world, where neighbours vouch for a label and a wrong one can be outvoted, the best
# ridge beats the interpolant by {glue:text}`gain_abs_ctrl:.3f` ({glue:text}`gain_best_ctrl:.2f`
# of that price).

# %%
def path_ratio(group):
    """Excess test error over Feldman's price, pooled over ridges <= i_half and draws."""
    excess, price = 0.0, 0.0
    for p in group:
        sl = slice(0, p["i_half"] + 1)
        excess += np.sum(p["err"][sl] - p["err"][0])
        price += np.sum(p["tau1"] * (p["unfitted"][sl] - p["unfitted"][0]))
    return excess / price


def per_draw_ratios(group):
    return [path_ratio([p]) for p in group]


def excess_at_half(group):
    return np.mean([p["err"][p["i_half"]] - p["err"][0] for p in group])


def best_ridge_gain(group):
    """How much the best ridge of the path beats the interpolant, over Feldman's price of
    leaving every singleton unfitted (tau_1 x #singletons); pooled over draws."""
    gain = np.sum([p["err"][0] - p["err"].min() for p in group])
    return gain / np.sum([p["tau1"] * p["n_single"] for p in group])


ratio_path, ratio_path_ctrl = path_ratio(main), path_ratio(contrast)
gain_best, gain_best_ctrl = best_ridge_gain(main), best_ridge_gain(contrast)
ch.glue(gain_abs=np.mean([p["err"][0] - p["err"].min() for p in main]),
        gain_abs_ctrl=np.mean([p["err"][0] - p["err"].min() for p in contrast]),
        gain_best=gain_best, gain_best_ctrl=gain_best_ctrl)
ch.glue(n_draws_again=cfg.n_draws, ratio_path=ratio_path, ratio_path_ctrl=ratio_path_ctrl,
        excess_half=excess_at_half(main), excess_half_ctrl=excess_at_half(contrast))

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.5), sharex=True, sharey=True)
WORLD_COLORS = (OKABE_ITO["orange"], OKABE_ITO["blue"])
for ax, w, color in zip(axes, worlds, WORLD_COLORS, strict=True):
    for p in problems[w]:
        sl = slice(0, p["i_half"] + 1)
        price = p["tau1"] * (p["unfitted"][sl] - p["unfitted"][0])
        ax.plot(price, p["err"][sl] - p["err"][0], "-o", color=color, ms=3, lw=1)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set(xlabel=r"Feldman's price $\tau_1 \times$ extra unfitted singletons",
           title=f"labels {w} of the centre" if w == "linear" else "labels independent")
lim = max(max(p["tau1"] * p["unfitted"][p["i_half"]] for p in main + contrast), 1e-3)
for ax in axes:
    ax.plot([0, lim], [0, lim], "--", color=OKABE_ITO["vermillion"], lw=1,
            label="Feldman's bound")
axes[0].set_ylabel("excess test error")
axes[0].legend(loc="upper left")
ch.figure("fig-ch16-bound")

# %% [markdown]
# ```{glue:figure} fig-ch16-bound
# :name: fig-ch16-bound
#
# Along the ridge path (one line per draw, a dot per ridge up to the first ridge that leaves more
# than half of the singletons unfitted): the excess test error over the interpolating learner
# against Feldman's price, $\tau_1$ times the extra unfitted singletons. The diagonal is the
# bound; points above it satisfy it. Left: labels independent across subpopulations (Feldman's
# world). Right: labels a linear function of the centre (the contrast).
# ```

# %% [markdown]
# The same comparison without a ridge is less telling. A learner trained on the
# sample with its singletons removed (it uses the generator's subpopulations to find them) loses
# {glue:text}`ratio_drop:.2f` times $\tau_1 \times$ #singletons of test accuracy against the
# interpolant in Feldman's world, and {glue:text}`ratio_drop_ctrl:.2f` times in the contrast
# world: removing the singletons ({glue:text}`single_frac:.0%` of the training set on average)
# costs accuracy in both. Our guess, which this run does not test,
# is that at this sample size the frequent subpopulations do not cover the space of centres well
# enough to stand in for the rare ones once those are gone. So this is not a claim check here;
# the ridge path, which keeps every example and only limits how closely each is fitted, is.

# %%
def drop_ratio(group):
    """Test error lost by dropping the singletons, over tau_1 x #singletons (pooled)."""
    lost = np.sum([p["err_drop"] - p["err"][0] for p in group])
    return lost / np.sum([p["tau1"] * p["n_single"] for p in group])


ratio_drop, ratio_drop_ctrl = drop_ratio(main), drop_ratio(contrast)
ch.glue(ratio_drop=ratio_drop, ratio_drop_ctrl=ratio_drop_ctrl,
        single_frac=np.mean([p["n_single"] for p in main]) / cfg.n_train)

# %% [markdown]
# ## Memorization scores and their marginal utility
#
# {cite:t}`feldman2020neural` measure how much a trained model relies on memorizing example $i$:
#
# $$\mathrm{mem}(i) = \Pr[h(x_i) = y_i \mid i \in S'] - \Pr[h(x_i) = y_i \mid i \notin S'],$$
#
# where $h$ is trained on a random subset $S'$ of {glue:text}`subset_pct` of the training set.
# We train {glue:text}`n_subsets` such interpolating models per sample (their kernel systems
# solved as batched linear algebra). Singletons score {glue:text}`mem_single:.2f` on average in
# Feldman's world and {glue:text}`mem_single_ctrl:.2f` in the contrast world, where the frequent
# subpopulations vouch for the labels of their rare neighbours.
#
# Their **marginal-utility test**: remove the {glue:text}`n_removed` training examples with the
# highest scores and retrain; compare the test error with removing as many random examples
# ({glue:text}`n_random` random sets per sample). In Feldman's world, removing the top-scoring
# examples instead of random ones changes the test error by {glue:text}`mu_gap:+.3f` (mean over
# draws, {glue:text}`mu_z:.1f` standard errors); in the contrast world by
# {glue:text}`mu_gap_ctrl:+.3f` ({glue:text}`mu_z_ctrl:.1f` standard errors). Of the removed
# top-scoring examples, {glue:text}`top_single:.2f` are singletons and
# {glue:text}`top_noisy:.2f` carry a wrong label (Feldman's world): removing a singleton costs
# its subpopulation, removing a wrong label helps, and the test weighs the two.

# %%
n_keep = int(cfg.subset_frac * cfg.n_train)
n_removed = int(cfg.remove_frac * cfg.n_train)


def scores_and_utility(p, draw_seed):
    """Memorization scores; test error after removing top-scoring or random examples."""
    rng = np.random.default_rng(draw_seed)
    subsets = random_subsets(cfg.n_train, n_keep, cfg.n_subsets, rng)
    mem, _, _ = subsample_memorization(p["K"], p["y"], k, subsets, ridge=p["ridge0"])
    top = np.argsort(-np.nan_to_num(mem, nan=-np.inf))[:n_removed]

    def err_without(drop):
        keep = np.setdiff1d(np.arange(cfg.n_train), drop)
        out = kernel_fit_predict(p["K"], p["K_test"], p["Y"], p["ridge0"], subset=keep)
        return np.mean(out.argmax(1) != p["y_test"])

    err_rand = np.mean([err_without(rng.choice(cfg.n_train, n_removed, replace=False))
                        for _ in range(cfg.n_random)])
    return dict(mem=mem, gap=err_without(top) - err_rand,
                top_single=np.mean(p["count_train"][top] == 1),
                top_noisy=np.mean(p["noisy"][top]))


for w in worlds:
    for p, s in zip(problems[w], progress(draw_seeds, desc=f"scores, {w}"), strict=True):
        p.update(scores_and_utility(p, s))


def mean_over_draws(group, key, where=None):
    """Mean over draws of the per-draw mean of p[key] (only where(p) if given)."""
    return np.mean([np.nanmean(p[key] if where is None else p[key][where(p)])
                    for p in group])


def gap_z(group):
    """Mean gap over draws divided by its standard error (paired over draws)."""
    gaps = np.array([p["gap"] for p in group])
    return gaps.mean() / (gaps.std(ddof=1) / np.sqrt(len(gaps)))


def is_single(p):
    return p["count_train"] == 1


mem_single = mean_over_draws(main, "mem", is_single)
mem_single_ctrl = mean_over_draws(contrast, "mem", is_single)
mu_z, mu_z_ctrl = gap_z(main), gap_z(contrast)
ch.glue(subset_pct=f"{cfg.subset_frac:.0%}", n_subsets=cfg.n_subsets, n_removed=n_removed,
        n_random=cfg.n_random, mem_single=mem_single, mem_single_ctrl=mem_single_ctrl,
        mu_gap=np.mean([p["gap"] for p in main]),
        mu_gap_ctrl=np.mean([p["gap"] for p in contrast]), mu_z=mu_z, mu_z_ctrl=mu_z_ctrl,
        top_single=np.mean([p["top_single"] for p in main]),
        top_noisy=np.mean([p["top_noisy"] for p in main]))

# %% tags=["hide-input", "remove-output"]
c_max = 8
cs = np.arange(1, c_max + 1)
fig, ax = plt.subplots(figsize=(6.2, 3.5))
for w, color in zip(worlds, (OKABE_ITO["orange"], OKABE_ITO["blue"]), strict=True):
    for noisy, style in ((False, "-o"), (True, ":s")):
        means = []
        for c in cs:
            vals = [p["mem"][(np.minimum(p["count_train"], c_max) == c)
                             & (p["noisy"] == noisy)] for p in problems[w]]
            vals = np.concatenate(vals)
            means.append(np.nanmean(vals) if vals.size else np.nan)
        ax.plot(cs, means, style, color=color, ms=4,
                label=f"{'independent' if w == 'independent' else 'linear'} labels, "
                f"{'wrong' if noisy else 'clean'} label")
ax.set_xticks(cs, [str(c) for c in cs[:-1]] + [f"{c_max}+"])
ax.set(xlabel="times the example's subpopulation occurs in the training set",
       ylabel="memorization score", ylim=(-0.3, 1.05))
ax.legend(fontsize=7)
ch.figure("fig-ch16-mem")

# %% [markdown]
# ```{glue:figure} fig-ch16-mem
# :name: fig-ch16-mem
#
# Mean memorization score of the training examples against how often their subpopulation occurs in
# the sample (mean over draws), for clean and for wrong labels, in both worlds. Orange: labels
# independent across subpopulations (Feldman's world); blue: labels a linear function of the
# centre (the contrast).
# ```

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(5.0, 3.2))
for x, w, color in zip((0, 1), worlds, WORLD_COLORS, strict=True):
    gaps = [p["gap"] for p in problems[w]]
    ax.bar(x, np.mean(gaps), 0.5, color=color, alpha=0.6)
    ax.plot([x] * len(gaps), gaps, "o", color="black", ms=4)
ax.axhline(0, color="grey", lw=0.8)
ax.set_xticks([0, 1], ["labels independent", "labels linear in the centre"])
ax.set(ylabel="extra test error: top-scoring\nminus random removal")
ch.figure("fig-ch16-utility")

# %% [markdown]
# ```{glue:figure} fig-ch16-utility
# :name: fig-ch16-utility
#
# The marginal-utility test: the test error after removing the most memorized training examples
# minus the test error after removing as many random ones (bars: mean over draws; dots: draws).
# Above zero, the most memorized examples were worth more to the learner than random ones.
# ```

# %% [markdown]
# ## Claim checks
#
# Every claim is tested against the contrast world: the same frequencies, centres, sample
# sizes, noise, learner and ridges, with labels that neighbouring subpopulations share, where
# Feldman's argument predicts that not memorizing costs little. Ratios pool the
# {glue:text}`n_draws_checks` draws of this run; the marginal-utility statistic is the mean
# paired gap over draws divided by its standard error. The thresholds: the bound's own constant
# 1; "over half" of Feldman's price, because with our noise a memorized singleton label that
# carried its whole subpopulation would be worth {glue:text}`worth_single:.2f` of its mass (its
# label and a test label must both be clean, and a guess is right 1 time in
# {glue:text}`n_classes_again`), while the contrast predicts nothing or less; a tenth of that price
# for "near-optimal"; and a score of 0.6 for singletons, between the
# {glue:text}`chance_miss:.2f` of a learner that knows exactly the labels it saw and the lower
# score of a learner whose neighbours vouch for a label. They were set on seeds 0 to 2 and
# confirmed on seeds 21 to 23.

# %%
wrong = cfg.label_noise * chance_miss  # chance that a label is wrong
agree = (1 - wrong) ** 2 + wrong**2 / (k - 1)  # two labels of a subpopulation agree
ch.glue(n_draws_checks=cfg.n_draws, worth_single=agree - 1 / k, n_classes_again=k,
        chance_miss=chance_miss)
CONTRAST = (
    "labels a linear function of the centre (rare labels inferable from neighbours)"
)
# the smoke run (a few hundred examples, two draws) is a test of the code, too small to
# separate the worlds reliably: its claims are declared not reproduced
SMOKE = None
if scale == "smoke":
    SMOKE = "the smoke sample is too small to separate the two worlds"
ch.check(
    "bound_holds_along_ridge_path",
    "Feldman's bound as stated: along the ridge path, the excess test error over the "
    "interpolant is at least tau_1 x the extra unfitted singletons (pooled ratio >= 1)",
    ratio_path, ">=", 1.0,
    control=ratio_path_ctrl, control_is=CONTRAST,
    known_miss="with spread-out subpopulations and noisy labels an unfitted "
    "singleton need not cost its whole subpopulation's mass; at this scale the "
    "pooled ratio scatters around 1 and falls below it on some seeds",
)
ch.check(
    "unfitted_singletons_cost_test_error",
    "along the ridge path, the excess test error is over half of tau_1 x the extra "
    "unfitted singletons (pooled ratio > 0.5)",
    ratio_path, ">", 0.5,
    control=ratio_path_ctrl, control_is=CONTRAST,
    known_miss=SMOKE,
)
ch.check(
    "fitting_every_label_is_near_optimal",
    "no ridge beats the interpolant, which fits every label (wrong ones included), "
    "by more than 0.1 x Feldman's price tau_1 x #singletons (pooled over draws)",
    gain_best, "<", 0.1,
    control=gain_best_ctrl, control_is=CONTRAST,
    known_miss=SMOKE,
)
ch.check(
    "singletons_are_memorized",
    "the mean subsampled memorization score of singletons is above 0.6",
    mem_single, ">", 0.6,
    control=mem_single_ctrl, control_is=CONTRAST,
    known_miss=SMOKE,
)
ch.check(
    "top_memorized_examples_matter_most",
    f"removing the {n_removed} top-scoring examples raises the test error more than "
    "removing random ones, by over 2 standard errors (paired over draws)",
    mu_z, ">", 2.0,
    control=mu_z_ctrl, control_is=CONTRAST,
    known_miss=f"with {cfg.label_noise:.0%} of labels redrawn, "
    f"{np.mean([p['top_noisy'] for p in main]):.0%} of the top-scoring examples carry "
    "a wrong label, whose removal can only help: the gap over random removal is not "
    "beyond the draw-to-draw spread on every seed",
)
ch.check(
    "interpolant_fits_every_label",
    "the smallest ridge fits every training label, noisy ones included, in both worlds",
    min(p["fit_all"] for p in main + contrast), ">=", 1.0, kind="setup",
)
ch.check(
    "sample_has_a_long_tail",
    "at least 10% of the training examples are singletons (every draw)",
    min(p["n_single"] for p in main) / cfg.n_train, ">=", 0.1, kind="setup",
)

# %%
ch.glue(ratio_path_pv=ratio_path, ratio_path_ctrl_pv=ratio_path_ctrl,
        mem_single_pv=mem_single,
        mem_single_ctrl_pv=mem_single_ctrl, mu_gap_pv=np.mean([p["gap"] for p in main]),
        mu_z_pv=mu_z, mu_z_ctrl_pv=mu_z_ctrl, ratio_path_bound=ratio_path,
        n_subpops_pv=cfg.n_subpops, n_train_pv=cfg.n_train,
        label_noise_pv=cfg.label_noise,
        gain_abs_pv=np.mean([p["err"][0] - p["err"].min() for p in main]),
        gain_abs_ctrl_pv=np.mean([p["err"][0] - p["err"].min() for p in contrast]))

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | setting | a mixture of subpopulations with frequencies from a long-tailed prior, labels independent across subpopulations; theory only | {glue:text}`n_subpops_pv` Gaussian subpopulations (spread out, not overlapping by nearest centre) with Zipf frequencies, {glue:text}`n_train_pv` examples, {glue:text}`label_noise_pv` of labels redrawn at random; the same mixture with linearly shared labels as the contrast |
# | learner | any; the bound concerns the singletons it fails to fit | kernel ridge regression with the arc-cosine kernel (an infinitely wide two-layer ReLU network with a trained read-out), along a path of ridges |
# | the bound | excess error $\geq \tau_1 \times$ E[#unfitted singletons] | excess over the interpolant {glue:text}`ratio_path_pv:.2f` times $\tau_1 \times$ extra unfitted singletons (contrast world: {glue:text}`ratio_path_ctrl_pv:.2f`) |
# | memorization scores | high on rare and atypical examples (CIFAR-100, ImageNet; ResNets on 70% subsets) | {glue:text}`mem_single_pv:.2f` for singletons (contrast: {glue:text}`mem_single_ctrl_pv:.2f`) |
# | marginal utility | removing high-memorization examples costs more test accuracy than removing random ones | {glue:text}`mu_gap_pv:+.3f` test error against random removal ({glue:text}`mu_z_pv:.1f` standard errors; contrast: {glue:text}`mu_z_ctrl_pv:.1f`) |
#
# What differs. We could read only the abstracts of both papers, so the form of the bound is our
# reconstruction: the excess error of any learner over the optimum is at least
# $\tau_1$ times the expected number of singletons it does not fit. Two things make our test
# differ from the theorem. First, the optimum is not computable here, so we measure the excess
# over the interpolating learner, which is not exactly the best point of our path: in Feldman's
# world the best ridge beats it by {glue:text}`gain_abs_pv:.3f` of test error, in the contrast
# world by {glue:text}`gain_abs_ctrl_pv:.3f`. With the `paper` preset's 3000 examples that gain
# grew past the check's bar (0.1 of Feldman's price) in its recorded run, so there
# `fitting_every_label_is_near_optimal` fails: with more data, a ridge that gives up some labels
# beats fitting them all by more than that share of the price. Second, the theorem's subpopulations are points, so
# an unfitted singleton is wrong on its whole subpopulation; ours are spread out (one memorized
# example does not carry its whole subpopulation for this learner) and their labels are noisy,
# so the bound with constant 1 is a statement that can fail here. We declare it not
# reproduced at this scale (on this seed its pooled ratio is {glue:text}`ratio_path_bound:.2f`;
# the claim-check table says whether it held). What does hold against the contrast is its
# substance: limiting memorization costs
# test error in proportion to Feldman's price, over half of it, only when the rare labels cannot
# be inferred from the frequent ones. The noisy labels are part of it: the interpolant fits every
# one of them, and a learner that declines to fit the singletons it cannot corroborate pays for
# it, because nothing tells it which singleton labels are wrong. The marginal-utility test of
# Feldman and Zhang is declared not reproduced: with our label noise the most memorized examples
# mix singletons, whose removal costs, with wrong labels, whose removal helps. Feldman and Zhang
# estimate memorization for deep networks trained by SGD on image benchmarks; our learner is a kernel
# model, which makes hundreds of subset fits cheap and exact, but is not a trained deep network.
#
# The referee asked for the theorem along the ridge path in a regime where it could fail
# (overlapping subpopulations, label noise) and for the marginal-utility test; both are here, with
# one difference: by nearest centre our subpopulations hardly overlap. What makes the bound
# fallible here is that one memorized example does not carry its subpopulation for this learner,
# together with the label noise; subpopulations that overlap geometrically (a larger `sigma`)
# are a change we have not run, and the checks are not tuned for it. The
# earlier checks that were identities of the setting (the singleton mass equals $\tau_1$ times the
# expected number of singletons; a dropped singleton leaves its subpopulation to a guess) are
# gone: the first is a unit test of `overparam_utils.memorization`. The singleton-dropping
# learner stays as a comparison, not a check, since it does not separate the worlds. The
# `paper` preset (3000 examples, 64 subset fits per sample) draws 5 samples: with 10 it did not
# finish in 30 minutes on one CPU core, where one sample takes about 95 s (its record is on the
# {doc}`/book/paper_scale` page).
#
# ## Try it
#
# - Set `label_noise` to `0.3` in the `book` preset. The top-scoring examples then hold more
#   wrong labels: do you expect removing them to cost more or less than removing random
#   examples, in each world?
# - Set `sigma` to `0.2`, so that subpopulations are tighter. Does the pooled ratio of excess
#   error to Feldman's price move towards the bound's constant 1?
# - Set `sigma` to `1.0`, so that subpopulations overlap by nearest centre. Which of the claim
#   checks do you expect to survive, and does the contrast world still fail them?
# - Set `tail` to `2.0` (a light tail). How many singletons are left, and what happens to the
#   memorization score of the ones that remain?
#
# **Related chapters.**
# - {doc}`17_coherent_gradients`: why networks learn the common examples first and memorize the rest later.
# - {doc}`18_data_diet`: the same rare or atypical examples found by data-pruning scores.
# - {doc}`19_noisy_labels_compression`: memorization of wrong labels, and how compressing the features limits it.
