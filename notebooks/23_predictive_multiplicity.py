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
# # Predictive multiplicity: how far risks move among near-optimal models
#
# **Paper.** {cite:t}`watsondaniels2023multiplicity`.
#
# **Claim.** A risk model is one choice among many that fit the training data almost equally
# well. Among all models whose training loss is within $\epsilon$ of the best one (the
# $\epsilon$-Rashomon set), the predicted risk of one and the same person can range widely,
# although the models have nearly the same accuracy. This spread, the *viable prediction
# range*, is largest for people whose risk is uncertain, and it grows when the data hold label
# outliers or a minority group that follows its own rule.
#
# **What we redraw.** The paper's per-point ranges of predicted risk across the Rashomon set of
# a convex (logistic) model, computed exactly, and its analysis of data characteristics
# (outliers, majority and minority groups), on scikit-learn's breast-cancer data and two small
# synthetic tasks.

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
from sklearn.datasets import load_breast_cancer

from overparam_utils import chapter
from overparam_utils import multiplicity as mp
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.progress import progress

# n_train breast-cancer patients to fit, n_points test patients whose ranges are
# computed, tolerances eps (absolute, on the mean penalised log-loss), penalty lam;
# n_draws synthetic data sets per structure (minority group, label outliers) with
# n_synth training points; n_slsqp test points re-solved by SLSQP as a cross-check.
PRESETS = {
    "smoke": dict(n_train=400, n_points=20, eps=[0.001, 0.01], lam=0.01,
                  n_draws=1, n_synth=300, n_slsqp=1),
    "book": dict(n_train=400, n_points=100, eps=[0.001, 0.005, 0.01, 0.02], lam=0.01,
                 n_draws=3, n_synth=500, n_slsqp=2),
    "paper": dict(n_train=400, n_points=169,
                  eps=[0.001, 0.002, 0.005, 0.01, 0.02, 0.05], lam=0.01,
                  n_draws=10, n_synth=500, n_slsqp=5),
}
ch = chapter.setup(
    "23_predictive_multiplicity", scale=scale, seed=seed, device=device, presets=PRESETS
)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Model.** Logistic regression with an intercept $b$ on standardised features, fitted by
# minimising the penalised mean log-loss
#
# $$L(w, b) = \frac1n \sum_{i=1}^n \log\bigl(1 + e^{-(2y_i - 1)(w^\top x_i + b)}\bigr)
#   + \frac{\lambda}{2}\lVert w \rVert^2,$$
#
# with $\lambda$ = {glue:text}`lam` and minimum $L^*$. The **$\epsilon$-Rashomon set** is
# $\{(w, b) : L(w, b) \le L^* + \epsilon\}$.
# For a test point $x$ the lowest and highest predicted risks over that set are
# $\sigma(z_{\min})$ and $\sigma(z_{\max})$, where $z_{\min}$, $z_{\max}$ are the extremes of the
# logit $w^\top x + b$ over the set (the sigmoid $\sigma$ is increasing). The **viable prediction
# range** is $\sigma(z_{\max}) - \sigma(z_{\min})$.
#
# **Solver.** Each extreme is a convex program: a linear objective over a convex set. We solve it
# exactly through its Lagrangian (`overparam_utils.multiplicity.extreme_logits`). For a tilt
# $t \ge 0$, $\theta(t) = \arg\min_\theta L(\theta) + t\, s^\top\theta$ with $s = \pm(x, 1)$ is a
# smooth, strictly convex problem that Newton's method solves to machine precision in a few steps;
# $L(\theta(t))$ increases with $t$, and a safeguarded 1-D Newton search on
# $\sqrt{L(\theta(t)) - L^*} - \sqrt{\epsilon}$ (nearly linear in $t$) finds the $t$ at which the
# constraint is active. By convex duality that $\theta(t)$ is the exact optimum. We chose this over
# a general constrained solver (SLSQP) because it is exact, has no step that can stop early and
# solves all points and both directions in one batch; SLSQP serves as a cross-check.
#
# **Data.** scikit-learn's breast-cancer data ({glue:text}`n_features` features): a random
# {glue:text}`n_train` patients to fit (the split changes with the seed), and the ranges of
# {glue:text}`n_points` held-out patients. We quote $\epsilon$ in absolute terms and relative to
# $L^*$.

# %%
X_all, y_all = load_breast_cancer(return_X_y=True)
order = ch.rng.permutation(len(y_all))
train, test = order[: cfg.n_train], order[cfg.n_train :]
mean, sd = X_all[train].mean(0), X_all[train].std(0)
X1 = mp.add_intercept((X_all[train] - mean) / sd)
y = y_all[train]
T1 = mp.add_intercept((X_all[test] - mean) / sd)
y_test = y_all[test]
P1 = T1[: cfg.n_points]  # the test points whose ranges we compute
theta_star, L_star = mp.fit_logistic(X1, y, cfg.lam)
p_star = mp.sigmoid(P1 @ theta_star)
acc_star = np.mean((T1 @ theta_star > 0) == y_test)
ch.glue(**cfg.pick("n_train", "n_points", "lam"))
ch.glue(n_features=X_all.shape[1], L_star=L_star, acc_star=acc_star)

# %% [markdown]
# The fitted model has $L^*$ = {glue:text}`L_star:.4f` and test accuracy
# {glue:text}`acc_star:.3f`. Now the extremes, for every tolerance.

# %%
sweep = {}
for eps in progress(cfg.eps, desc="tolerances"):
    sweep[eps] = mp.extreme_logits(X1, y, cfg.lam, P1, eps, theta_star)
vpr = {eps: mp.viable_prediction_range(r["lo"], r["hi"]) for eps, r in sweep.items()}
EPS = 0.01  # the tolerance of the main comparison, about 10 % of L*
v = vpr[EPS]
# the test accuracy of each model that attains an extreme: all near-optimal
extreme_models = np.vstack([sweep[EPS]["theta_lo"], sweep[EPS]["theta_hi"]])
accs = np.mean((T1 @ extreme_models.T > 0) == y_test[:, None], axis=0)
acc_range = accs.max() - accs.min()
ch.glue(eps_main=EPS, eps_rel_pct=100 * EPS / L_star, vpr_mean=v.mean(),
        frac_01=np.mean(v > 0.1), acc_lo=accs.min(), acc_hi=accs.max(),
        acc_range=acc_range, eps_min=min(cfg.eps), eps_max=max(cfg.eps),
        frac_01_min=np.mean(vpr[min(cfg.eps)] > 0.1),
        frac_01_max=np.mean(vpr[max(cfg.eps)] > 0.1))

# %% [markdown]
# At $\epsilon$ = {glue:text}`eps_main` ({glue:text}`eps_rel_pct:.1f` % of $L^*$) the mean range
# is {glue:text}`vpr_mean:.3f` and {glue:text}`frac_01:.2f` of the test patients have a range
# above 0.1, while the test accuracy of the {glue:text}`n_extreme` models that attain the
# extremes lies between {glue:text}`acc_lo:.3f` and {glue:text}`acc_hi:.3f`. The share above 0.1
# goes from {glue:text}`frac_01_min:.2f` at $\epsilon$ = {glue:text}`eps_min` to
# {glue:text}`frac_01_max:.2f` at {glue:text}`eps_max` (the sets are nested, so it cannot fall).
#
# **Who has a wide range?** We call a patient *uncertain* when the best model's risk $p^*$ lies in
# (0.1, 0.9), and compare the mean range of the uncertain patients with that of the others. The
# control asks the same of random subsets of the same size.

# %%
uncertain = np.abs(p_star - 0.5) < 0.4
n_unc = int(uncertain.sum())
ratio_unc = v[uncertain].mean() / v[~uncertain].mean()
ratios_random = []
for _ in range(200):
    pick = np.zeros(len(v), bool)
    pick[ch.rng.choice(len(v), n_unc, replace=False)] = True
    ratios_random.append(v[pick].mean() / v[~pick].mean())
ratio_random = float(np.mean(ratios_random))
logit_range = sweep[EPS]["hi"] - sweep[EPS]["lo"]
ratio_logit = logit_range[uncertain].mean() / logit_range[~uncertain].mean()
ch.glue(n_extreme=len(accs), n_unc=n_unc, ratio_unc=ratio_unc,
        ratio_random=ratio_random, ratio_logit=ratio_logit,
        vpr_unc=v[uncertain].mean(), vpr_conf=v[~uncertain].mean())

# %% [markdown]
# {glue:text}`n_unc` of the {glue:text}`n_points` patients are uncertain; their mean range is
# {glue:text}`vpr_unc:.3f`, against {glue:text}`vpr_conf:.3f` for the others (ratio
# {glue:text}`ratio_unc:.1f`; random subsets: {glue:text}`ratio_random:.2f`). Part of this is
# the slope of the sigmoid, steepest at 0.5: measured on the logit instead of the risk, the
# ratio of the ranges is {glue:text}`ratio_logit:.2f`.

# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.4, 3.6))
shown = np.argsort(p_star)[:: max(1, len(p_star) // 50)]
xs = np.arange(len(shown))
for eps, color in [(max(cfg.eps), OKABE_ITO["sky"]), (min(cfg.eps), OKABE_ITO["blue"])]:
    lo, hi = mp.sigmoid(sweep[eps]["lo"][shown]), mp.sigmoid(sweep[eps]["hi"][shown])
    ax1.vlines(xs, lo, hi, color=color, lw=3, label=f"ε = {eps:g}")
ax1.plot(xs, p_star[shown], ".", color=OKABE_ITO["vermillion"], label="best model p*")
ax1.set(xlabel="test patient (sorted by p*)", ylabel="predicted risk",
        title="range of risk over the Rashomon set")
ax1.legend(fontsize=8)
ax2.scatter(p_star, v, s=12, color=OKABE_ITO["blue"])
ax2.axvspan(0.1, 0.9, color=OKABE_ITO["orange"], alpha=0.15,
            label="uncertain: p* in (0.1, 0.9)")
ax2.set(xlabel="best model's risk p*", ylabel="viable prediction range",
        title=f"range vs p* (ε = {EPS:g})")
ax2.legend(fontsize=8)
ch.figure("fig-23_predictive_multiplicity-ranges")

# %% [markdown]
# ```{glue:figure} fig-23_predictive_multiplicity-ranges
# :name: fig-23_predictive_multiplicity-ranges
#
# Left: for test patients sorted by the best model's risk, the lowest and highest risk that any
# model in the Rashomon set assigns, for the largest and smallest tolerance of this run. Right:
# the range against the best model's risk; the wide ranges sit at uncertain patients.
# ```

# %% [markdown]
# ## Data characteristics: outliers and a minority group
#
# Two synthetic tasks with five standard-normal features and labels drawn from a logistic model,
# {glue:text}`n_synth` training points, {glue:text}`n_draws` draws per seed, $\epsilon$ =
# {glue:text}`eps_main` and the same $\lambda$; ranges on fresh test points.
#
# * **Label outliers.** Rule $w = (3, -2, 1, 0, 0)$. We flip the labels of the 10 % of training
#   points the rule is surest of. Control: the same points are *dropped* instead, the same change
#   of the data without outliers.
# * **Minority group.** 94 % of the points follow $w = (2, 1, 0, 0, 0)$; a minority of 6 %, shifted
#   by 3 along the fifth feature, follows its own rule $w = (0, 0, 2, -1, 0)$. We compare the mean
#   range of minority and majority test points (100 each). Control: the same shifted minority
#   follows the majority rule.

# %%
def mean_vpr(X, y, X_test):
    """Mean viable prediction range of the test points at EPS (own fit and L*)."""
    Xa = mp.add_intercept(X)
    th, _ = mp.fit_logistic(Xa, y, cfg.lam)
    r = mp.extreme_logits(Xa, y, cfg.lam, mp.add_intercept(X_test), EPS, th)
    return mp.viable_prediction_range(r["lo"], r["hi"])


W_OUT = np.array([3.0, -2.0, 1.0, 0.0, 0.0])
W_MAJOR = np.array([2.0, 1.0, 0.0, 0.0, 0.0])
W_MINOR = np.array([0.0, 0.0, 2.0, -1.0, 0.0])
SHIFT = np.array([0.0, 0.0, 0.0, 0.0, 3.0])
n_minor = round(0.06 * cfg.n_synth)
outl = {"none": [], "flipped": [], "dropped": []}
group_gap = {"own rule": [], "majority rule": []}
group_vpr = {"own rule": ([], []), "majority rule": ([], [])}
for s in progress(ch.seeds(cfg.n_draws), desc="synthetic draws"):
    rng = np.random.default_rng(s)
    X = rng.standard_normal((cfg.n_synth, 5))
    y = mp.logistic_labels(X, W_OUT, rng)
    X_test = rng.standard_normal((100, 5))
    far = mp.farthest(X, W_OUT, 0.1)
    outl["none"].append(mean_vpr(X, y, X_test).mean())
    outl["flipped"].append(mean_vpr(X, np.where(far, 1 - y, y), X_test).mean())
    outl["dropped"].append(mean_vpr(X[~far], y[~far], X_test).mean())
    for arm, w_minor in [("own rule", W_MINOR), ("majority rule", W_MAJOR)]:
        args = (W_MAJOR, w_minor, SHIFT, rng)
        X, y, _ = mp.minority_task(cfg.n_synth - n_minor, n_minor, *args)
        X_test, _, minor = mp.minority_task(100, 100, *args)
        vv = mean_vpr(X, y, X_test)
        group_vpr[arm][0].append(vv[minor].mean())
        group_vpr[arm][1].append(vv[~minor].mean())
        group_gap[arm].append(vv[minor].mean() - vv[~minor].mean())
outl = {k: np.array(val) for k, val in outl.items()}
flip_gain = np.mean(outl["flipped"] - outl["none"])
drop_gain = np.mean(outl["dropped"] - outl["none"])
gap_own = np.mean(group_gap["own rule"])
gap_shared = np.mean(group_gap["majority rule"])
ch.glue(n_synth=cfg.n_synth, n_draws=cfg.n_draws, flip_gain=flip_gain,
        drop_gain=drop_gain,
        vpr_none=outl["none"].mean(), vpr_flip=outl["flipped"].mean(),
        gap_own=gap_own, gap_shared=gap_shared,
        vpr_minor=np.mean(group_vpr["own rule"][0]),
        vpr_major=np.mean(group_vpr["own rule"][1]))

# %% [markdown]
# Flipping the outliers' labels raises the mean range from {glue:text}`vpr_none:.3f` to
# {glue:text}`vpr_flip:.3f` (paired gain {glue:text}`flip_gain:.3f`; dropping the same points:
# {glue:text}`drop_gain:.3f`). Minority test points have a mean range of
# {glue:text}`vpr_minor:.3f` against {glue:text}`vpr_major:.3f` for the majority (gap
# {glue:text}`gap_own:.3f`), but the gap is {glue:text}`gap_shared:.3f` when the minority follows
# the majority rule.

# %% tags=["hide-input", "remove-output"]
fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(10.5, 3.4))
rel = np.array(cfg.eps) / L_star
ax1.plot(rel, [vpr[e].mean() for e in cfg.eps], "o-", color=OKABE_ITO["blue"],
         label="mean range")
ax1.plot(rel, [np.mean(vpr[e] > 0.1) for e in cfg.eps], "s--",
         color=OKABE_ITO["orange"], label="share with range > 0.1")
ax1.set(xscale="log", xlabel="ε / L*", ylabel="value", title="breast cancer")
ax1.legend(fontsize=8)
names = ["none", "flipped", "dropped"]
ax2.bar(["unchanged", "labels flipped", "dropped"], [outl[k].mean() for k in names],
        color=[OKABE_ITO["green"], OKABE_ITO["vermillion"], OKABE_ITO["sky"]])
ax2.set(ylabel="mean range", title="surest 10 % of training points")
arms = ["own rule", "majority rule"]
xs = np.arange(2)
ax3.bar(xs - 0.2, [np.mean(group_vpr[a][1]) for a in arms], 0.4,
        color=OKABE_ITO["blue"], label="majority")
ax3.bar(xs + 0.2, [np.mean(group_vpr[a][0]) for a in arms], 0.4,
        color=OKABE_ITO["orange"], label="minority")
ax3.set_xticks(xs, ["minority: own rule", "minority: majority rule"], fontsize=8)
ax3.set(ylabel="mean range", title="majority and minority")
ax3.set_ylim(0, 1.3 * ax3.get_ylim()[1])
ax3.legend(fontsize=8, ncols=2, loc="upper center")
ch.figure("fig-23_predictive_multiplicity-structure")

# %% [markdown]
# ```{glue:figure} fig-23_predictive_multiplicity-structure
# :name: fig-23_predictive_multiplicity-structure
#
# Left: on the breast-cancer data, the mean range and the share of patients with a range above
# 0.1 against the tolerance relative to the optimal loss. Middle: mean range on the synthetic
# task with no outliers, with the labels of the surest tenth flipped, and with those points
# dropped. Right: mean range of majority and minority test points, when the minority has its own
# rule and when it follows the majority rule.
# ```

# %% [markdown]
# **Cross-check.** A few test points are solved again with scipy's SLSQP (a general
# constrained solver, started at the optimum).

# %%
diffs = []
for j in range(cfg.n_slsqp):
    for sign, key in [(1, "lo"), (-1, "hi")]:
        z = mp.extreme_logit_slsqp(X1, y_all[train], cfg.lam, P1[j], EPS, sign,
                                   theta_star)
        diffs.append(abs(z - sweep[EPS][key][j]))
slsqp_diff = max(diffs)
ch.glue(slsqp_diff=f"{slsqp_diff:.1e}", n_slsqp=cfg.n_slsqp)

# %% [markdown]
# The largest difference of the {glue:text}`n_slsqp` points' extreme logits between the two
# solvers is {glue:text}`slsqp_diff`.
#
# ## Claim checks

# %%
ch.check(
    "risks_differ_though_accuracy_does_not",
    "at ε ≈ 10 % of L*, the mean range of predicted risk over the Rashomon set "
    "exceeds 0.1",
    v.mean(), ">", 0.1,
    control=acc_range,
    control_is="the range of test accuracy over the same models (what the loss "
    "constraint holds nearly fixed)",
)
ch.check(
    "multiplicity_sits_at_uncertain_points",
    "uncertain patients (p* in (0.1, 0.9)) have a mean range over 3 times that of "
    "the others",
    ratio_unc, ">", 3.0,
    control=ratio_random,
    control_is="random subsets of the same size (mean over 200)",
)
ch.check(
    "label_outliers_widen_ranges",
    "flipping the labels of the surest 10 % of training points raises the mean range "
    "by more than 0.04 (paired over draws)",
    flip_gain, ">", 0.04,
    control=drop_gain,
    control_is="the same points dropped instead of flipped (no label outliers)",
)
ch.check(
    "minority_rule_widens_ranges",
    "minority test points, following their own rule, have a mean range at least 0.03 "
    "above the majority's",
    gap_own, ">", 0.03,
    control=gap_shared,
    control_is="the minority following the majority rule",
    known_miss="the minority's wider ranges come from its shift into a sparse region: "
    "they are as wide when it follows the majority rule",
)
ch.check(
    "fit_is_a_good_risk_model",
    "the best penalised model tests above 0.93 accuracy",
    acc_star, ">", 0.93, kind="setup",
)
ch.check(
    "solver_agrees_with_slsqp",
    "exact Lagrangian solver and SLSQP agree on the extreme logits to 1e-3",
    slsqp_diff, "<", 1e-3, kind="setup",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | data | real risk-assessment data sets | breast cancer, {glue:text}`n_points` test patients |
# | model | convex models (logistic regression), exact extremes | penalised logistic regression, Lagrangian + Newton |
# | individual risks move | yes, at small ε | mean range {glue:text}`vpr_mean:.3f` at ε = {glue:text}`eps_rel_pct:.1f` % of L*; accuracy spread {glue:text}`acc_range:.3f` |
# | uncertain points | most ambiguity | ratio {glue:text}`ratio_unc:.1f` (random: {glue:text}`ratio_random:.2f`) |
# | label outliers | more multiplicity | +{glue:text}`flip_gain:.3f` (dropped instead: {glue:text}`drop_gain:.3f`) |
# | minority with own rule | more multiplicity for the minority | gap {glue:text}`gap_own:.3f`, also {glue:text}`gap_shared:.3f` without own rule: **not reproduced** |
#
# We did not check the paper's tables, its exact tolerance convention or its other measures; the
# numbers above are ours. The minority's ranges are wider here, but the control shows that its
# shift, not its own rule, accounts for that at this size. The tolerance is absolute, and
# flipping labels changes $L^*$, so the same ε is a different relative tolerance on that task.
# The concentration on uncertain points is measured on the risk scale, as in the paper; on the
# logit scale the ratio is {glue:text}`ratio_logit:.2f`; where that is near or below 1, the
# concentration comes from the sigmoid's slope at 0.5, not from wider ranges of the logit.
#
# ## Try it
#
# - Set `lam=0.001` in the `book` preset. Do you expect the ranges to widen or to narrow, and
#   what happens to $L^*$?
# - Change the minority shift `SHIFT` to zero. Do you expect the minority's ranges to stay above
#   the majority's?
