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
# # Benign overfitting and grokking on XOR clusters
#
# **Paper.** {cite:t}`xu2023benign`.
#
# **Claim.** Train the first layer of a two-layer ReLU network by gradient descent on XOR-shaped
# cluster data in a dimension far above the number of samples, with a constant fraction of the
# training labels flipped. After the **first step** the network already fits every training label,
# the flipped ones included, yet on test data it is no better than a coin: harmful overfitting.
# After one step it is in effect a linear classifier, and no linear classifier can solve XOR. Keep
# training and the network learns the directions of the cluster means. Test accuracy then becomes
# near-optimal, while the flipped training labels **stay fitted**: the overfitting has turned benign.
# The paper calls this late jump to good test accuracy grokking.
#
# **What we redraw.** The training picture the theorem describes: training accuracy, the share of
# flipped labels fitted and test accuracy over gradient-descent steps. We then check that the
# step-1 network agrees with a linear classifier, look at what the neurons have learned, and show
# what happens when the four clusters are drawn at random sizes.

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
from matplotlib.ticker import FixedLocator, NullLocator

from overparam_utils import chapter
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.xor import (
    CLUSTER_LABELS,
    sample_xor_problem,
    train_xor_network,
    xor_network_outputs,
)

# n_train samples (a multiple of 4), flip_rate of their labels flipped, inputs in dim
# dimensions with cluster means of squared norm mean_sq; width hidden ReLU units started
# at init_scale; steps of gradient descent with step lr; n_draws independent draws.
# The paper preset (a long run) is closer to the theory's limit: larger n, d and width.
PRESETS = {
    "smoke": dict(
        n_train=64, n_test=500, dim=10**6, mean_sq=5000.0, flip_rate=0.125, width=200,
        init_scale=1e-8, lr=1e-4, steps=300, n_draws=4,
    ),
    "book": dict(
        n_train=64, n_test=1000, dim=10**6, mean_sq=5000.0, flip_rate=0.125, width=400,
        init_scale=1e-8, lr=1e-4, steps=300, n_draws=8,
    ),
    "paper": dict(
        n_train=128, n_test=2000, dim=10**7, mean_sq=16000.0, flip_rate=0.125,
        width=1000, init_scale=1e-8, lr=1e-5, steps=1000, n_draws=8,
    ),
}
ch = chapter.setup("05_benign_overfitting_xor", scale=scale, seed=seed, presets=PRESETS)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Data.** Two orthogonal vectors $\mu_1 \perp \mu_2$ of equal norm define four clusters in
# $\mathbb{R}^d$, with means $+\mu_1$ and $-\mu_1$ (label $+1$) and $+\mu_2$ and $-\mu_2$ (label $-1$).
# An input is its cluster mean plus standard Gaussian noise, $x = \pm\mu_k + \xi$ with
# $\xi \sim \mathcal N(0, I_d)$. The labels form an XOR pattern, so every linear classifier is at
# chance level: $+\mu_1$ and $-\mu_1$ carry the same label, and a linear function takes opposite
# values on them. We use $d$ = {glue:text}`dim_text` dimensions,
# $\lVert\mu\rVert^2$ = {glue:text}`mean_sq_text`, $n$ = {glue:text}`n_train` training points and
# flip the labels of {glue:text}`flip_rate:.1%` of them. Test points have clean labels: a
# test accuracy near 1 is the paper's "near-optimal". On labels flipped at the same rate, the best
# possible accuracy would be 1 minus the flip rate.
#
# **Network.** $f(x) = \sum_{j=1}^{m} a_j\, \mathrm{ReLU}(\langle w_j, x\rangle)$ with
# $m$ = {glue:text}`width` hidden units. The output weights are fixed at
# $a_j = \pm 1/\sqrt m$, half of each sign. The first-layer weights start tiny,
# $w_j \sim \mathcal N(0, \omega^2 I_d)$ with $\omega$ = {glue:text}`init_scale_text`, and are
# trained by full-batch gradient descent on the mean logistic loss
# $\frac1n \sum_i \log\bigl(1 + e^{-y_i f(x_i)}\bigr)$.
#
# **Why a huge $d$ is cheap.** Each step adds a combination of training inputs to every $w_j$, so
# $W_t = W_0 + C_t X$ for an $m \times n$ matrix $C_t$. The network needs only inner products,
# $X W_t^\top = X W_0^\top + (X X^\top) C_t^\top$, so gradient descent runs on $C_t$ at a cost that
# does not depend on $d$. The data need not be drawn in $d$ dimensions either. Outside the plane of
# $\mu_1$ and $\mu_2$, the noise vectors of the $n$ inputs and the $m$ initial weights are i.i.d.
# Gaussian vectors. Their Gram matrix is Wishart, and its Bartlett factor writes all of them
# exactly in an $(n + m)$-dimensional basis of their span. A fresh test input only meets the
# weights through its projection onto that span, which is standard normal in that basis.
# `sample_xor_problem` in `overparam_utils.xor` draws every vector this way, in
# $2 + n + m$ coordinates, with the exact joint law of every inner product the network uses.
# `train_xor_network` runs gradient descent on $C_t$. Its unit test checks it against plain
# torch gradient descent on the full $d$-dimensional weights.
#
# **Balanced training sets.** In the main experiment every cluster gets exactly $n/4$ training
# points and the same number of flipped labels. At $n$ = {glue:text}`n_train`, i.i.d. cluster sizes
# differ by a lot, which changes the outcome; the last section shows how.

# %%
record_steps = np.unique(
    np.r_[0, np.round(np.logspace(0, np.log10(cfg.steps), 16)).astype(int)]
)


def run_draws(balanced, run_seeds, desc):
    """Train one network per draw (batched) and evaluate it at every recorded step."""
    problems = [
        sample_xor_problem(
            n_train=cfg.n_train, n_test=cfg.n_test, dim=cfg.dim,
            mean_norm=np.sqrt(cfg.mean_sq), flip_rate=cfg.flip_rate, width=cfg.width,
            init_scale=cfg.init_scale, rng=np.random.default_rng(s), balanced=balanced,
        )
        for s in run_seeds
    ]
    keys = ("X", "y", "W0", "X_test")
    X, y, W0, X_test = (np.stack([getattr(p, k) for p in problems]) for k in keys)
    a = problems[0].a
    C = train_xor_network(X, y, W0, a, lr=cfg.lr, steps=cfg.steps,
                          record_steps=record_steps, desc=desc)
    f_train = xor_network_outputs(C, X, W0, a, X)  # (steps, draws, n_train)
    f_test = xor_network_outputs(C, X, W0, a, X_test)  # (steps, draws, n_test)
    y_test = np.stack([p.y_test for p in problems])
    flipped = np.stack([p.flipped for p in problems])
    correct = np.sign(f_train) == y
    n_flipped = flipped.sum(axis=-1).astype(float)
    n_flipped[n_flipped == 0] = np.nan  # a draw without flipped labels: no share
    return dict(
        problems=problems, X=X, y=y, f_test=f_test,
        W=W0[None] + C[[i1, -1]] @ X[None],  # weights after step 1 and at the end
        train_acc=correct.mean(axis=-1),
        flipped_fit=(correct & flipped).sum(axis=-1) / n_flipped,
        test_acc=(np.sign(f_test) == y_test).mean(axis=-1),
    )


i1 = int(np.searchsorted(record_steps, 1))  # index of step 1
balanced = run_draws(True, ch.seeds(cfg.n_draws), "balanced draws")
flip_share = balanced["problems"][0].flipped.mean()
ch.glue("dim_text", f"{cfg.dim:,}")
ch.glue("init_scale_text", f"{cfg.init_scale:g}")
ch.glue("mean_sq_text", f"{cfg.mean_sq:,.0f}")
for key in ("n_train", "width", "n_draws", "steps"):
    ch.glue(key, cfg[key])
ch.glue("flip_rate", flip_share)
ch.glue("train_acc_1", balanced["train_acc"][i1].min())
ch.glue("flipped_fit_1", balanced["flipped_fit"][i1].min())
ch.glue("test_acc_1", balanced["test_acc"][i1].mean())
ch.glue("test_acc_end", balanced["test_acc"][-1].mean())
ch.glue("test_acc_end_min", balanced["test_acc"][-1].min())
ch.glue("flipped_fit_end", balanced["flipped_fit"][-1].min())
noisy_end = (1 - flip_share) * balanced["test_acc"][-1] + flip_share * (
    1 - balanced["test_acc"][-1])
ch.glue("noisy_acc_end", noisy_end.mean())
ch.glue("noisy_acc_best", 1 - flip_share)

# %% [markdown]
# ## From harmful to benign overfitting
#
# At step 0 the outputs are tiny and their signs are random. One step later, on
# every one of {glue:text}`n_draws` draws, the network classifies
# {glue:text}`train_acc_1:.0%` of its training points correctly. That includes
# {glue:text}`flipped_fit_1:.0%` of the flipped ones. Its test accuracy is
# {glue:text}`test_acc_1:.2f` (mean over draws): a coin flip. From the second step on, test accuracy
# climbs. At step {glue:text}`steps` it is {glue:text}`test_acc_end:.3f` (lowest draw
# {glue:text}`test_acc_end_min:.3f`). The network still fits every flipped training label: the
# lowest share over draws is {glue:text}`flipped_fit_end:.0%`. On test labels flipped at the
# training rate this would be an accuracy of {glue:text}`noisy_acc_end:.3f`; the best possible is
# {glue:text}`noisy_acc_best:.3f`.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch05-curves", "caption": "Accuracy over gradient-descent steps (mean over draws, band: lowest to highest draw; the step axis is linear below 1 and logarithmic above). After the first step the network fits every training label, flipped ones included, while test accuracy sits at chance. A few steps later test accuracy reaches nearly 1, and the flipped labels stay fitted throughout."}}
def step_axis(ax):
    """Symmetric-log step axis (linear below 1, so step 0 shows), plain tick labels."""
    ticks = [t for t in (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if t <= cfg.steps]
    ax.set_xscale("symlog", linthresh=1, linscale=0.4)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(lambda value, _pos: f"{value:g}")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set(xlim=(0, cfg.steps), xlabel="gradient-descent step")


def band(ax, values, color, label, **kwargs):
    ax.plot(record_steps, values.mean(axis=1), color=color, label=label, **kwargs)
    ax.fill_between(record_steps, values.min(axis=1), values.max(axis=1), color=color,
                    alpha=0.2, lw=0)


fig, ax = plt.subplots(figsize=(6.4, 3.6))
band(ax, balanced["train_acc"], OKABE_ITO["blue"], "training accuracy (noisy labels)",
     lw=2.6)
band(ax, balanced["flipped_fit"], OKABE_ITO["orange"], "flipped training labels fitted",
     ls="--")
band(ax, balanced["test_acc"], OKABE_ITO["vermillion"], "test accuracy (clean labels)")
ax.axhline(0.5, color="grey", lw=0.8, ls=":")
step_axis(ax)
ax.set(ylim=(0, 1.03), ylabel="accuracy",
       title=f"n = {cfg.n_train}, $d = 10^{{{np.log10(cfg.dim):.0f}}}$, "
       f"{flip_share:.1%} of the training labels flipped")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## After one step the network is a linear classifier
#
# Why is the first step so bad on test data? With tiny initial weights every output starts near
# zero, so the first gradient gives every training point the same weight. Unit $j$ moves by
# $\frac{\alpha}{2n} a_j \sum_i y_i\, \mathbb 1[\langle w_j^{(0)}, x_i\rangle > 0]\, x_i$, where
# $\alpha$ is the step size `lr`. In high dimension each $x_i$ is nearly orthogonal to the others
# and has a squared norm of about $d$, so each training point's own term dominates its output.
# Every label is fitted, flipped or not. On a fresh input no such term exists. The output is then close to
# the linear score $\sum_i y_i \langle x_i, x\rangle$. Along the cluster means that score cancels,
# since $+\mu_1$ and $-\mu_1$ carry the same label. What is left is noise.
#
# Here the step-1 network and the linear classifier $\operatorname{sign}\sum_i y_i\langle x_i,
# x\rangle$ agree on {glue:text}`agree_linear:.1%` of test points (mean over draws). The linear
# classifier's own test accuracy is {glue:text}`linear_acc:.2f`.

# %%
def linear_scores(run):
    """sum_i y_i <x_i, x> at every test point, (draws, n_test)."""
    X_test = np.stack([p.X_test for p in run["problems"]])
    return np.einsum("skn,sn->sk", X_test @ run["X"].transpose(0, 2, 1), run["y"])


lin_balanced = linear_scores(balanced)
y_test_bal = np.stack([p.y_test for p in balanced["problems"]])
agree_linear = (np.sign(balanced["f_test"][i1]) == np.sign(lin_balanced)).mean(axis=1)
linear_acc = (np.sign(lin_balanced) == y_test_bal).mean(axis=1)
ch.glue("agree_linear", agree_linear.mean())
ch.glue("linear_acc", linear_acc.mean())

# %% [markdown]
# ## What the neurons learn
#
# Later steps are different. After the first step a unit fires on the training points it has
# memorised with the label of the sign of $a_j$. Units with $a_j > 0$ fire on label-$(+1)$
# points, which (flips aside) lie in the clusters $\pm\mu_1$. Each step adds those points to the
# unit again. A unit that fires on a few more points of $+\mu_1$ than of $-\mu_1$, or the other
# way round, so gains a component along $+\mu_1$ or $-\mu_1$ that grows step after step. Units
# with $a_j < 0$ do the same along $\pm\mu_2$. The figure shows, for one draw,
# each unit's cosine with $\mu_1$ and $\mu_2$. At the end, {glue:text}`share_mu1:.1%` of the
# positive units' weight in the plane of the means lies along $\mu_1$, and
# {glue:text}`share_mu2:.1%` of the negative units' along $\mu_2$ (lowest over draws). After step 1
# these shares are {glue:text}`share_mu1_step1:.2f` and {glue:text}`share_mu2_step1:.2f`, about
# what random directions give. The cosines stay small, because most of each weight vector is the
# memorised noise of the training points. That part is what keeps the flipped labels fitted.

# %%
def axis_shares(W, a):
    """Share of the mu-plane weight of positive units on mu_1, of negative units on mu_2.

    W: (2, draws, width, D) weights after step 1 and at the end, in span coordinates
    (axes 0, 1 = mu_1, mu_2). Returns two (2, draws) arrays.
    """
    plane = W[..., :2] ** 2
    pos, neg = a > 0, a < 0
    share_1 = plane[..., pos, 0].sum(-1) / plane[..., pos, :].sum((-1, -2))
    share_2 = plane[..., neg, 1].sum(-1) / plane[..., neg, :].sum((-1, -2))
    return share_1, share_2


a_out = balanced["problems"][0].a
share_1, share_2 = axis_shares(balanced["W"], a_out)
ch.glue("share_mu1", share_1[-1].min())
ch.glue("share_mu2", share_2[-1].min())
ch.glue("share_mu1_step1", share_1[0].mean())
ch.glue("share_mu2_step1", share_2[0].mean())

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch05-neurons", "caption": "Each dot is one hidden unit of one network: its cosine with the cluster means $\\mu_1$ (horizontal) and $\\mu_2$ (vertical), after the first step (left) and at the end (right). Blue: output weight $a_j > 0$; red: $a_j < 0$. At the end the positive units point along $\\pm\\mu_1$ and the negative ones along $\\pm\\mu_2$: the XOR features."}}
W_one = balanced["W"][:, 0]  # (2, width, D): first draw, after step 1 and at the end
cosines = W_one[..., :2] / np.linalg.norm(W_one, axis=-1, keepdims=True)
fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.7))
for ax, k, title in zip(axes, (0, 1), ("after step 1", f"after step {cfg.steps}"),
                        strict=True):
    for sign, color, label in ((1, "blue", "$a_j > 0$"), (-1, "vermillion", "$a_j < 0$")):
        sel = np.sign(a_out) == sign
        ax.plot(cosines[k, sel, 0], cosines[k, sel, 1], "o", ms=2.5, alpha=0.6,
                color=OKABE_ITO[color], label=label)
    lim = 1.1 * np.abs(cosines[k]).max()
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", title=title,
           xlabel=r"cosine with $\mu_1$")
axes[0].set_ylabel(r"cosine with $\mu_2$")
axes[1].legend(loc="upper right", markerscale=2)
plt.show()

# %% [markdown]
# ## Clusters of random size
#
# The paper's training points are i.i.d., so the four clusters have random sizes. We repeat the
# experiment on {glue:text}`n_draws` such draws, with each label flipped independently at the same
# rate. The first step behaves exactly as before: all training labels are fitted (lowest draw
# {glue:text}`iid_train_acc_1:.0%`) at a test accuracy of {glue:text}`iid_test_acc_1:.2f`. The
# flipped labels again stay fitted at every step. But only {glue:text}`iid_good` of the
# {glue:text}`n_draws` draws reach a test accuracy of 0.95 by step {glue:text}`steps`. The others
# climb slowly or stall, some near 0.75, the accuracy of a network that gets three of the four
# clusters right. Look at the cluster each of these draws does worst on. In
# {glue:text}`lighter_lost` of the {glue:text}`iid_bad` draws it is the lighter one of its pair:
# its training labels add up to less than those of the opposite cluster on the same axis.
#
# Our reading of the mechanism: a unit fires on about half of the training points of its label.
# When one cluster of a pair holds more of them, most units fire on more points of that cluster
# and grow towards it, and few are left to grow towards the lighter one. This lean comes from the
# random cluster sizes and flips. The unit-to-unit differences that drive feature learning are
# random in the same way. Both grow like $\sqrt n$, so a larger $n$ does not obviously remove the
# lean. The balanced training sets above have none.

# %%
iid = run_draws(False, ch.seeds(2 * cfg.n_draws)[cfg.n_draws:], "i.i.d. draws")
iid_final = iid["test_acc"][-1]
bad = np.flatnonzero(iid_final < 0.95)
partner = np.array([1, 0, 3, 2])  # the opposite cluster on the same axis
lighter = 0
for s in bad:
    p = iid["problems"][s]
    net = [np.sum(p.y[p.cluster == c] * CLUSTER_LABELS[c]) for c in range(4)]
    per_cluster = [
        np.mean(np.sign(iid["f_test"][-1, s][p.cluster_test == c]) == CLUSTER_LABELS[c])
        for c in range(4)
    ]
    lost = int(np.argmin(per_cluster))
    lighter += int(net[lost] < net[partner[lost]])
ch.glue("iid_train_acc_1", iid["train_acc"][i1].min())
ch.glue("iid_test_acc_1", iid["test_acc"][i1].mean())
ch.glue("iid_good", int(np.sum(iid_final >= 0.95)))
ch.glue("iid_bad", len(bad))
ch.glue("lighter_lost", lighter)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-ch05-iid", "caption": "Test accuracy over training for clusters of random size (thin lines, one per draw) against the mean of the balanced draws (black). Every draw is at chance after step 1. Some then reach nearly 1; others climb slowly or stall, some near 0.75 (dotted), where one of the four clusters is not learned."}}
fig, ax = plt.subplots(figsize=(6.0, 3.4))
for s in range(iid["test_acc"].shape[1]):
    ax.plot(record_steps, iid["test_acc"][:, s], color=OKABE_ITO["orange"], lw=1,
            alpha=0.8, label="i.i.d. clusters, one draw" if s == 0 else None)
ax.plot(record_steps, balanced["test_acc"].mean(axis=1), color="black", lw=2.2,
        label="balanced clusters, mean")
ax.axhline(0.75, color="grey", lw=0.8, ls=":")
step_axis(ax)
ax.set(ylim=(0.4, 1.02), ylabel="test accuracy", title="Clusters of random size")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Claim checks
#
# The step-1 checks pool the balanced and the i.i.d. draws
# ({glue:text}`n_all` networks). The late-training checks use the balanced draws. The last check
# asks the same of the i.i.d. draws. It is declared not reproduced at this scale (see above and
# below).

# %%
def pooled(key):
    """(steps, all draws) values of both experiments."""
    return np.concatenate([balanced[key], iid[key]], axis=1)


ch.glue("n_all", 2 * cfg.n_draws)
ch.check(
    "step1_fits_every_label",
    "after the first step, every training label is fitted, flipped ones included "
    "(lowest training accuracy over all draws)",
    pooled("train_acc")[i1].min(), ">=", 1.0,
)
ch.check(
    "step1_test_at_chance",
    "after the first step, test accuracy is at chance (mean over all draws)",
    pooled("test_acc")[i1].mean(), "between", (0.45, 0.55),
)
agree_all = np.concatenate([
    agree_linear,
    (np.sign(iid["f_test"][i1]) == np.sign(linear_scores(iid))).mean(axis=1),
])
ch.check(
    "step1_network_is_linear",
    "after the first step, the network's test predictions agree with the linear "
    "classifier sign(sum_i y_i <x_i, x>) on over 90% of test points (mean over draws)",
    agree_all.mean(), ">", 0.9,
)
ch.check(
    "late_test_near_optimal",
    f"at step {cfg.steps}, clean test accuracy is at least 0.97 on every balanced draw",
    balanced["test_acc"][-1].min(), ">=", 0.97,
)
ch.check(
    "flipped_labels_stay_fitted",
    "at every step from the first on, every flipped training label stays fitted "
    "(lowest share over steps and all draws)",
    np.nanmin(pooled("flipped_fit")[i1:]), ">=", 1.0,
)
ch.check(
    "features_along_cluster_means",
    f"at step {cfg.steps}, over 95% of the mu-plane weight of units with a_j > 0 lies "
    "along mu_1, and of units with a_j < 0 along mu_2 (lowest over draws)",
    min(share_1[-1].min(), share_2[-1].min()), ">", 0.95,
)
ch.check(
    "iid_draws_near_optimal",
    "with clusters of random size, at least 90% of draws reach clean test accuracy "
    f"0.95 by step {cfg.steps}",
    np.mean(iid_final >= 0.95), ">=", 0.9,
    known_miss=f"at n = {cfg.n_train}, random cluster sizes make most units grow towards "
    "the heavier cluster of a pair, and the lighter one is often not learned",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | data | XOR clusters, noise $\mathcal N(0, I_d)$, a constant fraction of flipped labels, $d$ far above $n$ | the same with $n$ = {glue:text}`n_train`, $d$ = {glue:text}`dim_text`, $\lVert\mu\rVert^2$ = {glue:text}`mean_sq_text`, {glue:text}`flip_rate:.1%` flipped |
# | model | two-layer ReLU network, fixed $\pm 1/\sqrt m$ output weights, first layer trained by full-batch gradient descent on the logistic loss from a small start | the same, $m$ = {glue:text}`width`, run exactly in the span of data and initial weights |
# | after step 1 | 100% training accuracy, flipped labels included; near-random test accuracy | training accuracy {glue:text}`train_acc_1:.0%`, test accuracy {glue:text}`test_acc_1:.2f` |
# | mechanism | the step-1 network is a linear classifier; features along $\pm\mu_1, \pm\mu_2$ are learned later | agreement with the linear classifier {glue:text}`agree_linear:.1%`; at the end, axis shares of at least {glue:text}`share_mu1:.1%` and {glue:text}`share_mu2:.1%` |
# | later | near-optimal test accuracy while the flipped labels stay fitted | test accuracy {glue:text}`test_acc_end:.3f` at step {glue:text}`steps`, all flipped labels fitted (balanced clusters) |
# | i.i.d. clusters | the theorem holds with high probability over the sample | only {glue:text}`iid_good` of {glue:text}`n_draws` draws reach 0.95: **not reproduced** at this $n$ |
#
# What differs: we could read only the paper's abstract. The theorem's assumptions on $d$, $n$,
# $\lVert\mu\rVert$, the step size and the initial scale were not checked, and neither were its
# own simulations. Our constants are our own. They put the training points nearly orthogonal to
# each other ($d \gg n$) and the signal $\lVert\mu\rVert^2$ at a few times $\sqrt d$. With a much
# weaker signal, test accuracy stops well short of 1. The late-training claim holds on every
# balanced draw. On i.i.d. draws it fails often, through the lean described above. We take that as
# a sign that the theorem needs a larger $n$, or conditions on the sample, that we could not read.
# It does not show the theorem false. The "grokking" here takes a few steps, not thousands: the
# transition is sharp in steps, and the paper's claim is about the first step versus later ones.
#
# ## Try it
#
# - Lower `mean_sq` to `2000.0` (signal about $2\sqrt d$): the first step still overfits
#   harmfully, but test accuracy now stalls far below 1. There is too little signal for the noise
#   that the weights carry.
# - Set `flip_rate=0.25` in the `book` preset: every flipped label is still fitted after the first
#   step. Test accuracy still climbs, more slowly.
#
# **Related chapters.**
# - {doc}`02_double_descent_optimization`: double descent: the harmful side of fitting label noise.
# - {doc}`06_generalization_bounds_not_tight`: why bounds computed from the training set cannot explain such generalization.
# - {doc}`13_grokking_feature_emergence`: grokking in a network trained on modular addition.
