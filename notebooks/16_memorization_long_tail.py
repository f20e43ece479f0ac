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
# (memorize) those labels pays for it in test error: about $\tau_1$ per singleton, where $\tau_1$
# is the expected frequency of a subpopulation seen once, a number fixed by the frequency
# distribution. The heavier the tail, the larger the cost. The subsampled memorization score
# of {cite:t}`feldman2020neural` finds exactly these examples: it is high for rare examples and
# near zero for frequent ones.
#
# **What we redraw.** The long tail of one sample; the test error a learner loses by not
# memorizing singletons, against Feldman's prediction, for several tail exponents; the uneven cost
# of limiting memorization by regularization (rare subpopulations pay, frequent ones do not); and
# memorization scores against how often an example's subpopulation occurs (the long-tail
# signature of {cite:t}`feldman2020neural`).

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

from overparam_utils import chapter
from overparam_utils.memorization import (
    LongTailMixture,
    arccos_kernel,
    expected_singletons,
    feldman_tau1,
    kernel_fit_predict,
    loo_memorization,
    one_hot,
    random_subsets,
    ridge_path,
    subsample_memorization,
)
from overparam_utils.plotting import OKABE_ITO, sweep_colors
from overparam_utils.progress import progress

# n_subpops subpopulations with Zipf frequencies (exponent `tail`, and `tails` for the
# sweep), centres in dim dimensions, n_classes random labels, noise sigma; n_train /
# n_test examples; n_draws independent mixtures per tail exponent; n_subsets models on
# random subsets of size subset_frac * n_train for the memorization scores; ridges
# (relative to the kernel's mean diagonal) for the regularization path.
PRESETS = {
    "smoke": dict(
        n_subpops=300, n_train=300, n_test=2000, dim=32, n_classes=10, sigma=0.3,
        tail=1.0, tails=[0.5, 1.0, 2.0], n_draws=2, n_subsets=16, subset_frac=0.7,
        ridges=[1e-6, 1e-3, 1e-1, 1.0, 10.0],
    ),
    "book": dict(
        n_subpops=1000, n_train=1000, n_test=5000, dim=32, n_classes=10, sigma=0.3,
        tail=1.0, tails=[0.5, 0.75, 1.0, 1.5, 2.0], n_draws=3, n_subsets=32,
        subset_frac=0.7, ridges=list(np.logspace(-6, 2, 17)),
    ),
    "paper": dict(
        n_subpops=5000, n_train=5000, n_test=20000, dim=64, n_classes=10, sigma=0.3,
        tail=1.0, tails=[0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5], n_draws=10,
        n_subsets=200, subset_frac=0.7, ridges=list(np.logspace(-6, 2, 33)),
    ),
}
ch = chapter.setup("16_memorization_long_tail", scale=scale, seed=seed, presets=PRESETS)
cfg = ch.cfg
k = cfg.n_classes
chance_miss = 1 - 1 / k  # error of a guess on a label the learner knows nothing about

# %% [markdown]
# ## Setup
#
# **Data.** There are $N$ = {glue:text}`n_subpops` subpopulations. Subpopulation $i$ has frequency
# $p_i \propto i^{-\gamma}$ (a Zipf law with *tail exponent* $\gamma$), a centre
# $c_i \sim \mathcal N(0, I_d)$ in $d$ = {glue:text}`dim` dimensions and a label drawn uniformly
# from {glue:text}`n_classes` classes, independently of everything else. An example from
# subpopulation $i$ is $x = c_i + \sigma\xi$ with $\sigma$ = {glue:text}`sigma`, small enough that
# the subpopulations do not overlap. Because labels are independent across subpopulations, the
# only way to know the label of a subpopulation is to have seen one of its examples and
# remembered it: this is Feldman's setting in its starkest form.
#
# **Feldman's accounting.** Draw $n$ = {glue:text}`n_train` training examples. A subpopulation
# seen exactly once is a singleton. Given that a subpopulation was seen once, its expected test
# frequency is
#
# $$\tau_1 = \frac{\sum_i p_i^2 (1-p_i)^{n-1}}{\sum_i p_i (1-p_i)^{n-1}},$$
#
# and the expected test mass of all singleton subpopulations is exactly $\tau_1$ times the
# expected number of singletons. A learner that does not fit a singleton's label can only guess
# on its subpopulation and loses $(1 - 1/k)$ of its mass. So the predicted cost of not memorizing
# is $(1 - 1/k)\,\tau_1 \times \#\text{singletons}$, computable from the frequencies alone.
#
# **Learners.** Kernel ridge regression on one-hot labels with the arc-cosine kernel, which is a
# two-layer ReLU network with infinitely many random hidden units and a trained read-out (the
# random-feature models of the earlier chapters at infinite width). With a vanishing ridge it
# interpolates: it **memorizes** every training label. The **non-memorizing** learner is the same
# method trained on the sample with its singletons removed: it cannot fit what it does not see.
# It uses the subpopulation labels of the generator to find the singletons, so it stands in for
# any learner that declines to fit examples nothing corroborates; a natural learner of that kind,
# a strong ridge, comes later.

# %%
def one_problem(tail, draw_seed):
    """One mixture and sample; test errors of the two learners (memorizing or not)."""
    rng = np.random.default_rng(draw_seed)
    mix = LongTailMixture.draw(rng, n_subpops=cfg.n_subpops, tail=tail, dim=cfg.dim,
                               n_classes=k, sigma=cfg.sigma)
    X, y, sub = mix.sample(cfg.n_train, rng)
    X_test, y_test, sub_test = mix.sample(cfg.n_test, rng)
    K, K_test = arccos_kernel(X, X), arccos_kernel(X_test, X)
    counts = mix.counts(sub)
    ridge = 1e-6 * np.mean(np.diag(K))
    Y = one_hot(y, k)
    keep = np.flatnonzero(counts[sub] > 1)  # drop the singletons
    right_mem = kernel_fit_predict(K, K_test, Y, ridge).argmax(1) == y_test
    right_drop = kernel_fit_predict(K, K_test, Y, ridge, subset=keep).argmax(1) == y_test
    n_single = int(np.sum(counts == 1))
    return dict(
        mix=mix, X=X, y=y, sub=sub, K=K, K_test=K_test, y_test=y_test, counts=counts,
        count_test=counts[sub_test], ridge=ridge, right_mem=right_mem,
        right_drop=right_drop, err_mem=1 - right_mem.mean(),
        err_drop=1 - right_drop.mean(), n_single=n_single,
        tau1=feldman_tau1(mix.freqs, cfg.n_train),
        predicted=chance_miss * feldman_tau1(mix.freqs, cfg.n_train) * n_single,
        optimum=chance_miss * mix.unseen_mass(counts),
        singleton_mass=mix.singleton_mass(counts),
    )


draw_seeds = ch.seeds(cfg.n_draws)
problems = {tail: [one_problem(tail, [s, int(100 * tail)]) for s in draw_seeds]
            for tail in progress(cfg.tails, desc="tail exponents")}
main = problems[cfg.tail]
ch.glue(**cfg.pick("n_subpops", "dim", "n_classes", "sigma", "n_train", "n_draws"))

# %% [markdown]
# ## The long tail in one sample
#
# With tail exponent $\gamma$ = {glue:text}`tail` the first sample has
# {glue:text}`n_single_0` singletons out of {glue:text}`n_train` examples (expected:
# {glue:text}`expected_single:.0f`), and the subpopulations
# they come from hold {glue:text}`singleton_mass_0:.3f` of the test distribution; Feldman's
# $\tau_1 \times \#\text{singletons}$ = {glue:text}`tau1_times_single_0:.3f` predicts that mass
# from the frequencies alone. Another {glue:text}`unseen_mass_0:.3f` of the test mass belongs to
# subpopulations the sample never saw: no learner can do better than guess there.

# %%
p0 = main[0]
ch.glue("tail", cfg.tail)
ch.glue("n_single_0", p0["n_single"])
ch.glue("expected_single", expected_singletons(p0["mix"].freqs, cfg.n_train))
ch.glue("singleton_mass_0", p0["singleton_mass"])
ch.glue("tau1_times_single_0", p0["tau1"] * p0["n_single"])
ch.glue("unseen_mass_0", p0["mix"].unseen_mass(p0["counts"]))

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch16-tail", "caption": "One sample from the long-tailed mixture. Left: how often each subpopulation occurs in the training set, by frequency rank (log-log; orange: singletons); the expected count $n p_i$ is the line. Right: the test mass of the subpopulations seen 0, 1, 2, ... times; the singletons' share is what a non-memorizing learner gives away."}}
freqs, counts = p0["mix"].freqs, p0["counts"]
rank = np.arange(1, len(freqs) + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.4))
seen = counts > 0
ax1.plot(rank[seen & (counts > 1)], counts[seen & (counts > 1)], ".",
         color=OKABE_ITO["blue"], ms=4, label="seen twice or more")
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
plt.show()

# %% [markdown]
# ## What memorizing buys
#
# The memorizing learner fits every training label; the other never sees the singletons. On test
# points from subpopulations seen once, the memorizing learner errs {glue:text}`err_single_mem:.2f`
# of the time and the other {glue:text}`err_single_drop:.2f` (chance is
# {glue:text}`chance_miss:.2f`). Everywhere else they agree. Overall, not memorizing costs
# {glue:text}`cost_main:.3f` of test error (mean over {glue:text}`n_draws` draws), against the
# predicted $(1 - 1/k)\,\tau_1 \times \#\text{singletons}$ = {glue:text}`pred_main:.3f`. The
# memorizing learner is close to the best possible here: its error
# {glue:text}`err_mem_main:.3f` against {glue:text}`opt_main:.3f` for guessing on unseen
# subpopulations and being right everywhere else.

# %%
groups = {"0": (0, 0), "1": (1, 1), "2-3": (2, 3), "4-10": (4, 10), ">10": (11, 10**9)}


def error_by_group(problem, key):
    c = problem["count_test"]
    return [1 - problem[key][(c >= lo) & (c <= hi)].mean() for lo, hi in groups.values()]


err_groups = {key: np.mean([error_by_group(p, key) for p in main], axis=0)
              for key in ("right_mem", "right_drop")}
cost_main = np.mean([p["err_drop"] - p["err_mem"] for p in main])
pred_main = np.mean([p["predicted"] for p in main])
ch.glue("err_single_mem", err_groups["right_mem"][1])
ch.glue("err_single_drop", err_groups["right_drop"][1])
ch.glue("chance_miss", chance_miss)
ch.glue("cost_main", cost_main)
ch.glue("pred_main", pred_main)
ch.glue("err_mem_main", np.mean([p["err_mem"] for p in main]))
ch.glue("opt_main", np.mean([p["optimum"] for p in main]))

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch16-groups", "caption": "Test error by how often the test point's subpopulation occurs in the training set (mean over draws). The two learners differ only on subpopulations seen once: the memorizing learner gets them right, the other one guesses. Neither can do anything about unseen subpopulations (count 0)."}}
x = np.arange(len(groups))
fig, ax = plt.subplots(figsize=(5.6, 3.3))
ax.bar(x - 0.2, err_groups["right_mem"], 0.4, color=OKABE_ITO["blue"],
       label="memorizes every label")
ax.bar(x + 0.2, err_groups["right_drop"], 0.4, color=OKABE_ITO["orange"],
       label="does not fit singletons")
ax.axhline(chance_miss, color="grey", ls=":", lw=1, label="random guess")
ax.set_xticks(x, list(groups))
ax.set(xlabel="times the test point's subpopulation occurs in the training set",
       ylabel="test error", ylim=(0, 1))
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# ## The cost across tails
#
# Now the tail exponent varies from {glue:text}`tail_min` (heavy tail: many rare
# subpopulations) to {glue:text}`tail_max` (light tail: a few frequent ones carry almost all the
# mass). For every draw we compare the measured cost of not memorizing with the prediction. The
# cost falls from {glue:text}`cost_heavy:.3f` to {glue:text}`cost_light:.3f` as the tail lightens,
# and over all tails and draws the measured cost is {glue:text}`cost_ratio:.2f` times the
# prediction.

# %%
tails = cfg.tails
cost = np.array([[p["err_drop"] - p["err_mem"] for p in problems[t]] for t in tails])
pred = np.array([[p["predicted"] for p in problems[t]] for t in tails])
cost_ratio = cost.sum() / pred.sum()
ch.glue("tail_min", min(tails))
ch.glue("tail_max", max(tails))
ch.glue("cost_heavy", cost[0].mean())
ch.glue("cost_light", cost[-1].mean())
ch.glue("cost_ratio", cost_ratio)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch16-cost", "caption": "Left: the test error lost by not memorizing singletons (dots: draws; line: mean) and Feldman's prediction $(1-1/k)\\,\\tau_1 \\times$ #singletons (dashed), against the tail exponent. Right: measured against predicted cost, one point per draw; the diagonal is equality."}}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.4))
tail_colors = sweep_colors(len(tails))
for t, color, c_row, p_row in zip(tails, tail_colors, cost, pred, strict=True):
    ax1.plot([t] * len(c_row), c_row, "o", color=color, ms=4)
    ax2.plot(p_row, c_row, "o", color=color, ms=5, label=rf"$\gamma$ = {t:g}")
ax1.plot(tails, cost.mean(axis=1), color="black", lw=1.2, label="measured (mean)")
ax1.plot(tails, pred.mean(axis=1), "--", color=OKABE_ITO["vermillion"],
         label=r"$(1-1/k)\,\tau_1 \times$ #singletons")
ax1.set(xlabel=r"tail exponent $\gamma$", ylabel="cost of not memorizing (test error)",
        yscale="log")
ax1.legend()
top = 1.1 * max(cost.max(), pred.max())
ax2.plot([0, top], [0, top], color="grey", lw=0.8)
ax2.set(xlabel="predicted cost", ylabel="measured cost", xlim=(0, top), ylim=(0, top))
ax2.legend(fontsize=7.5)
plt.show()

# %% [markdown]
# ## Limiting memorization by regularization
#
# A learner need not drop examples to avoid memorizing them: a large ridge does it on its own,
# because a label that only one training example supports moves the fit too little to win the
# arg-max. Along a path of ridges (one eigendecomposition of the kernel for all of them), the
# fraction of singleton labels the learner fits falls, and the test error on singleton
# subpopulations rises with it, while subpopulations seen more than ten times stay right. At the
# first ridge that fits fewer than half of the singletons, the error on singleton subpopulations
# has grown by {glue:text}`tail_damage:.2f` and on frequent ones by {glue:text}`head_damage:.3f`:
# the uneven cost of limiting memorization that Feldman points out for privacy and compression.

# %%
K, K_test, y, y_test = p0["K"], p0["K_test"], p0["y"], p0["y_test"]
count_train, count_test = p0["counts"][p0["sub"]], p0["count_test"]
scale_K = np.mean(np.diag(K))
ridges = np.asarray(cfg.ridges)
train_out, test_out = ridge_path(K, K_test, one_hot(y, k), ridges * scale_K)
fit_single = np.array([np.mean(o.argmax(1)[count_train == 1] == y[count_train == 1])
                       for o in train_out])
test_right = np.array([o.argmax(1) == y_test for o in test_out])
err_single = 1 - test_right[:, count_test == 1].mean(axis=1)
err_head = 1 - test_right[:, count_test > 10].mean(axis=1)
err_all = 1 - test_right.mean(axis=1)
below = np.flatnonzero(fit_single < 0.5)
i_half = int(below[0]) if len(below) else len(ridges) - 1
tail_damage = err_single[i_half] - err_single[0]
head_damage = err_head[i_half] - err_head[0]
ch.glue("tail_damage", tail_damage)
ch.glue("head_damage", head_damage)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch16-ridge", "caption": "One sample, a path of ridges (relative to the kernel's mean diagonal). As the ridge grows the learner stops fitting singleton labels (dashed), and its test error on singleton subpopulations rises in step; on subpopulations seen more than ten times it stays at zero until the ridge is far larger. The dotted line marks the first ridge that fits fewer than half of the singletons."}}
fig, ax = plt.subplots(figsize=(5.8, 3.5))
ax.plot(ridges, fit_single, "--", color=OKABE_ITO["orange"],
        label="singleton labels fitted (train)")
ax.plot(ridges, err_single, "-o", ms=3, color=OKABE_ITO["orange"],
        label="test error, singleton subpopulations")
ax.plot(ridges, err_head, "-o", ms=3, color=OKABE_ITO["blue"],
        label="test error, subpopulations seen > 10 times")
ax.plot(ridges, err_all, "-", color="black", lw=1.2, label="test error, all")
ax.axvline(ridges[i_half], color="grey", ls=":", lw=1)
ax.set(xscale="log", xlabel="ridge (relative)", ylabel="fraction", ylim=(-0.02, 1.02))
ax.legend(fontsize=7.5)
plt.show()

# %% [markdown]
# ## Memorization scores
#
# {cite:t}`feldman2020neural` measure how much a trained model relies on memorizing example $i$:
#
# $$\mathrm{mem}(i) = \Pr[h(x_i) = y_i \mid i \in S'] - \Pr[h(x_i) = y_i \mid i \notin S'],$$
#
# where $h$ is trained on a random subset $S'$ of the training set. They estimate both
# probabilities from models trained on many random subsets of 70% of the data. We train
# {glue:text}`n_subsets` such models (their kernel systems solved as batched linear algebra) on
# the first sample. Singletons get a mean score of {glue:text}`mem_single:.2f`, examples of
# subpopulations seen more than ten times {glue:text}`mem_frequent:.3f`. For a subpopulation seen
# $c$ times the score should be about $(1-1/k)$ times the chance that none of its other $c-1$
# examples made it into a subset that left $i$ out; the figure draws that curve. The
# leave-one-out version (exact, in closed form for kernel ridge) flags only the singletons: a
# second copy always stands in for the first.

# %%
m = int(cfg.subset_frac * cfg.n_train)
subsets = random_subsets(cfg.n_train, m, cfg.n_subsets,
                         np.random.default_rng(draw_seeds[0]))
mem, n_in, n_out = subsample_memorization(K, y, k, subsets, ridge=p0["ridge"])
loo = loo_memorization(K, y, k, ridge=p0["ridge"])
mem_single = np.nanmean(mem[count_train == 1])
mem_frequent = np.nanmean(mem[count_train > 10])
ch.glue("n_subsets", cfg.n_subsets)
ch.glue("mem_single", mem_single)
ch.glue("mem_frequent", mem_frequent)


def mem_expected(c, n=cfg.n_train):
    """(1 - 1/k) * P(none of the other c - 1 copies is in a subset that leaves i out)."""
    return chance_miss * np.prod([(n - m - j) / (n - j) for j in range(1, c)])


# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch16-mem", "caption": "Memorization scores of the training examples against how often their subpopulation occurs in the sample (dots: examples, jittered; black: mean per count). High for singletons, small for pairs, zero for frequent subpopulations. Dashed: the score expected if the learner simply knew every label it had seen. Squares: the exact leave-one-out score, which only singletons get."}}
c_max = 12
fig, ax = plt.subplots(figsize=(6.2, 3.5))
rng_jitter = np.random.default_rng(0)
c_clip = np.minimum(count_train, c_max)
ax.plot(c_clip + rng_jitter.uniform(-0.25, 0.25, len(c_clip)), mem, ".",
        color=OKABE_ITO["sky"], ms=3, alpha=0.5)
cs = np.arange(1, c_max + 1)
means = [np.nanmean(mem[c_clip == c]) if np.any(c_clip == c) else np.nan for c in cs]
ax.plot(cs, means, "-o", color="black", ms=4,
        label=f"mean score (subsets of {cfg.subset_frac:.0%})")
ax.plot(cs, [mem_expected(c) for c in cs], "--", color=OKABE_ITO["vermillion"],
        label="expected for a learner that knows every label it saw")
loo_means = [loo[c_clip == c].mean() if np.any(c_clip == c) else np.nan for c in cs]
ax.plot(cs, loo_means, "s", color=OKABE_ITO["green"], ms=5, label="leave-one-out score")
ax.set_xticks(cs, [str(c) for c in cs[:-1]] + [f"{c_max}+"])
ax.set(xlabel="times the example's subpopulation occurs in the training set",
       ylabel="memorization score", ylim=(-0.3, 1.05))
ax.legend(fontsize=7.5)
plt.show()

# %% [markdown]
# ## Claim checks
#
# Costs and errors are means over the {glue:text}`n_draws` draws; the cost-versus-prediction
# ratio pools every tail exponent and draw.

# %%
opt_gap = np.mean([p["err_mem"] - p["optimum"] for p in main])
ch.check(
    "memorizer_near_optimal",
    "the memorizing learner's test error is within 0.02 of the best possible "
    "(a guess on unseen subpopulations, right elsewhere)",
    opt_gap, "<", 0.02,
)
ch.check(
    "singletons_need_memorization",
    "on test points of subpopulations seen once, not memorizing raises the error by "
    "more than 0.6",
    err_groups["right_drop"][1] - err_groups["right_mem"][1], ">", 0.6,
)
ch.check(
    "cost_matches_feldman",
    "the cost of not memorizing, pooled over tails and draws, is (1 - 1/k) tau_1 "
    "x #singletons within 20%",
    cost_ratio, "between", (0.8, 1.2),
)
ch.check(
    "heavier_tail_costs_more",
    f"the cost at tail exponent {min(tails):g} is over 4x the cost at {max(tails):g}",
    cost[0].mean() / cost[-1].mean(), ">", 4,
)
ch.check(
    "regularization_hurts_the_tail",
    "at the first ridge that fits fewer than half of the singletons, the error on "
    "singleton subpopulations has grown by more than 0.4",
    tail_damage, ">", 0.4,
)
ch.check(
    "regularization_spares_the_head",
    "at that ridge, the error on subpopulations seen more than ten times has grown by "
    "less than 0.02",
    head_damage, "<", 0.02,
)
ch.check(
    "mem_high_for_singletons",
    "the mean subsampled memorization score of singletons is above 0.7",
    mem_single, ">", 0.7,
)
ch.check(
    "mem_low_for_frequent",
    "the mean memorization score of examples whose subpopulation occurs more than ten "
    "times is below 0.05",
    mem_frequent, "<", 0.05,
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | setting | a mixture of subpopulations with frequencies from a long-tailed prior; theory only | {glue:text}`n_subpops` Gaussian subpopulations with Zipf frequencies and independent random labels, {glue:text}`n_train` examples |
# | learner | any; the bound concerns what it fails to fit | kernel ridge regression with the arc-cosine kernel (an infinitely wide two-layer ReLU network with a trained read-out); interpolating vs trained without singletons |
# | cost of not memorizing | about $\tau_1$ per unfitted singleton (times the error made on its subpopulation) | {glue:text}`cost_ratio:.2f` times $(1-1/k)\,\tau_1 \times$ #singletons, pooled over tails |
# | tail | heavier tail, larger cost | {glue:text}`cost_heavy:.3f` at $\gamma$ = {glue:text}`tail_min` down to {glue:text}`cost_light:.3f` at $\gamma$ = {glue:text}`tail_max` |
# | limiting memorization | hurts rare subgroups most (privacy, compression) | a large ridge: +{glue:text}`tail_damage:.2f` error on singleton subpopulations, +{glue:text}`head_damage:.3f` on frequent ones |
# | memorization scores | high on atypical examples (CIFAR-100, ImageNet; ResNets on 70% subsets) | {glue:text}`mem_single:.2f` for singletons, {glue:text}`mem_frequent:.3f` for frequent subpopulations |
#
# What differs. Feldman's results are theorems about any learner under a prior over frequencies;
# we test their quantitative core on one concrete over-parameterized learner, where subpopulations
# are well separated and labels carry no structure, so the effect is as clean as it can be. We
# could read only the abstracts of both papers, so the exact form of the bound is our
# reconstruction (checked here in expectation: the singleton mass is exactly $\tau_1$ times the
# expected number of singletons, a unit test of `overparam_utils.memorization`). Feldman and Zhang
# estimate memorization for deep networks trained by SGD on image benchmarks; our learner is a
# kernel model, which makes thousands of subset fits cheap and exact but is not a trained deep
# network. The singleton-dropping learner uses the generator's subpopulation labels; the ridge
# path shows the same cost for a learner that never sees them.
#
# ## Try it
#
# - Raise `sigma` to `1.0` in the `book` preset: subpopulations start to overlap, memorized
#   singletons generalize less well to the rest of their subpopulation, and the measured cost
#   falls below the prediction (the prediction assumes a memorized label is right for its whole
#   subpopulation).
# - Give the labels structure, for instance by making a subpopulation's label a function of its
#   centre's first coordinate: then neighbouring subpopulations predict each other, a smooth
#   learner needs no memorization for the tail, and the cost of dropping singletons shrinks.
#
# **Related chapters.**
# - {doc}`17_coherent_gradients`: why networks learn the common examples first and memorize the rest later.
# - {doc}`18_data_diet`: the same rare or atypical examples found by data-pruning scores.
# - {doc}`19_noisy_labels_compression`: memorization of wrong labels, and how compressing the features limits it.
