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
# # Beyond l1: how over-complete a sparse code must be
#
# **Paper.** {cite:t}`rentzeperis2023beyond`.
#
# **Claim.** Sparse coding describes an image patch as a combination of a few atoms from a
# dictionary with more atoms than pixels (an over-complete one). Which atoms are switched on is
# decided by a sparsity penalty. With the usual convex choice, the $\ell_1$ norm (soft
# thresholding), the code needs more active units to reconstruct a patch as well as with a
# penalty close to counting the active units ($\ell_0$, here the CEL0 relaxation): at the same
# reconstruction error the $\ell_1$ code is denser, and at the same number of active units it
# reconstructs worse. So an $\ell_1$ code needs a larger, more over-complete pool of units to
# match an $\ell_0$-like one.
#
# **What we redraw.** The paper's comparison of reconstruction error against the number of
# active units for dictionaries learned with each penalty, on whitened patches of two natural
# photographs, at over-completeness 1 and 2.

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
from overparam_utils import sparse_coding as sc
from overparam_utils.plotting import OKABE_ITO
from overparam_utils.progress import progress

# n_train patches (size x size pixels) to learn on and n_test to evaluate on; dictionaries
# of Ks atoms, learned for batches minibatches of batch patches with steps proximal steps
# each (lr: the atom update); evaluation along n_lams penalty weights with eval_steps
# proximal steps each; target: the relative error at which codes are compared.
PRESETS = {
    "smoke": dict(
        n_train=5000,
        n_test=500,
        size=8,
        Ks=[64, 128],
        batches=30,
        batch=256,
        steps=30,
        lr=0.3,
        n_lams=8,
        eval_steps=60,
        target=0.02,
    ),
    "book": dict(
        n_train=20000,
        n_test=2000,
        size=8,
        Ks=[64, 128],
        batches=60,
        batch=256,
        steps=30,
        lr=0.3,
        n_lams=12,
        eval_steps=100,
        target=0.02,
    ),
    "paper": dict(
        n_train=50000,
        n_test=4000,
        size=8,
        Ks=[64, 128, 256],
        batches=200,
        batch=500,
        steps=50,
        lr=0.3,
        n_lams=16,
        eval_steps=150,
        target=0.02,
    ),
}
ch = chapter.setup(
    "25_sparse_coding_overcomplete",
    scale=scale,
    seed=seed,
    device=device,
    presets=PRESETS,
)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Data.** Grey-level patches of {glue:text}`size` × {glue:text}`size` pixels cut at random
# from the two photographs bundled with scikit-learn, each patch's mean removed, whitened
# (a regularised ZCA transform, which flattens the power spectrum of natural images) and
# scaled to unit variance: {glue:text}`n_train` patches to learn
# dictionaries, {glue:text}`n_test` others to evaluate them.
#
# **Sparse code.** A patch $x \in \mathbb{R}^p$ ($p$ = {glue:text}`p` pixels) is coded by
# $a \in \mathbb{R}^K$ over a dictionary $D \in \mathbb{R}^{p \times K}$ of unit-norm atoms
# by minimising
#
# $$\tfrac12 \lVert x - D a \rVert^2 + \sum_k \phi_\lambda(a_k),$$
#
# with proximal gradient steps $a \leftarrow \operatorname{prox}_{s\phi}(a - s D^\top(Da - x))$,
# $s = 1/\lVert D \rVert_2^2$. For $\phi_\lambda(a) = \lambda |a|$ ($\ell_1$) the prox is soft
# thresholding: every surviving coefficient is shrunk by $s\lambda$. For CEL0
# {cite:p}`soubies2015cel0`, $\phi_\lambda(a) = \lambda - \tfrac12(|a| - \sqrt{2\lambda})^2$
# below $\sqrt{2\lambda}$ and $\lambda$ above, a continuous penalty with the same global
# minimisers as $\lambda \lVert a \rVert_0$; its prox is a firm threshold that leaves large
# coefficients untouched.
#
# **Dictionaries.** For each penalty and each size $K \in$ {glue:text}`Ks`
# (over-completeness $K/p$), a dictionary is learned by alternating codes of a minibatch with
# a step on the atoms. Each learned dictionary is then evaluated along a path of penalty
# weights: the number of active units per patch, and the relative error
# $\lVert X - A D^\top \rVert^2 / \lVert X \rVert^2$ on the test patches. Codes are compared
# at equal error (interpolated along the path on log scales), never at equal $\lambda$,
# whose meaning differs between penalties.

# %%
X = sc.whitened_patches(cfg.n_train + cfg.n_test, cfg.size, ch.rng)
X_train, X_test = X[: cfg.n_train], X[cfg.n_train :]
p = X.shape[1]
LEARN_LAM = {"soft": 0.3, "cel0": 0.05, "hard": 0.05}  # while learning (hand-set once)
PATH = {
    "soft": np.geomspace(0.05, 2.0, cfg.n_lams),
    "cel0": np.geomspace(0.003, 1.0, cfg.n_lams),
    "hard": np.geomspace(0.003, 1.0, cfg.n_lams),
}
ch.glue(
    **cfg.pick("size", "n_train", "n_test", "target"),
    p=p,
    Ks=", ".join(str(K) for K in cfg.Ks),
)

# %% [markdown]
# The thresholding rules, for a step $s = 0.5$ and weights that zero the same inputs:

# %% tags=["hide-input", "remove-output"]
u = np.linspace(-3, 3, 601)
s_demo, lam_cel0 = 0.5, 2.0  # CEL0 zeroes |u| <= s sqrt(2 lam) = 1
fig, ax = plt.subplots(figsize=(4.8, 3.2))
ax.plot(u, u, color="0.8", lw=1, label="identity")
ax.plot(
    u, sc.soft_threshold(u, 1.0), color=OKABE_ITO["vermillion"], label="soft ($\\ell_1$)"
)
ax.plot(
    u,
    sc.hard_threshold(u, 1.0),
    color=OKABE_ITO["black"],
    ls=":",
    label="hard ($\\ell_0$)",
)
ax.plot(
    u, sc.cel0_prox(u, lam_cel0, s_demo), color=OKABE_ITO["blue"], label="firm (CEL0)"
)
ax.set(xlabel="input $u$", ylabel="coefficient after the prox")
ax.legend(fontsize=8)
ch.figure("fig-25_sparse_coding_overcomplete-prox")

# %% [markdown]
# ```{glue:figure} fig-25_sparse_coding_overcomplete-prox
# :name: fig-25_sparse_coding_overcomplete-prox
#
# The three thresholding rules, each zeroing inputs below 1: soft thresholding shrinks every
# coefficient it keeps by the threshold; hard thresholding keeps them as they are; the CEL0
# (firm) rule ramps up and meets the identity at $\sqrt{2\lambda}$.
# ```
#
# Now learn a dictionary per penalty and size, and trace each along its path. A second CEL0
# dictionary per size, learned from another random start and other minibatches, measures how
# much two dictionaries learned with the *same* penalty differ: the control of the checks.
# The $\ell_1$ codes are also refitted by least squares on their support (the same active
# units, no shrinkage), the control that removes soft thresholding's bias.

# %%
runs = {}
jobs = [(K, pen) for K in cfg.Ks for pen in ("soft", "cel0", "cel0_again")]
for K, pen in progress(jobs, desc="dictionaries"):
    penalty = "cel0" if pen == "cel0_again" else pen
    D = sc.learn_dictionary(
        X_train,
        K,
        penalty,
        LEARN_LAM[penalty],
        batches=cfg.batches,
        batch=cfg.batch,
        steps=cfg.steps,
        lr=cfg.lr,
        rng=ch.rng,
    )
    path = sc.lambda_path(X_test, D, penalty, PATH[penalty], cfg.eval_steps, refit=True)
    runs[K, pen] = dict(D=D, active=path[0], error=path[1], refit=path[2])


def units(K, pen, curve="error"):
    """Active units per patch at the target error along run (K, pen)'s path."""
    r = runs[K, pen]
    return sc.active_at_error(r["active"], r[curve], cfg.target)


def error_with(K, pen, n_units, curve="error"):
    r = runs[K, pen]
    return sc.error_at_active(r["active"], r[curve], n_units)


table = {
    K: dict(
        soft=units(K, "soft"),
        cel0=units(K, "cel0"),
        again=units(K, "cel0_again"),
        refit=units(K, "soft", "refit"),
    )
    for K in cfg.Ks
}
for K, row in table.items():
    print(
        f"K={K}: active units at error {cfg.target}: "
        + ", ".join(f"{k} {v:.1f}" for k, v in row.items())
    )

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, len(cfg.Ks), figsize=(3.6 * len(cfg.Ks), 3.4), sharey=True)
for ax, K in zip(axes, cfg.Ks, strict=True):
    for pen, curve, label, color, ls in [
        ("soft", "error", "$\\ell_1$ (soft)", OKABE_ITO["vermillion"], "-"),
        (
            "soft",
            "refit",
            "$\\ell_1$ refitted on its support",
            OKABE_ITO["vermillion"],
            "--",
        ),
        ("cel0", "error", "CEL0 (firm)", OKABE_ITO["blue"], "-"),
        ("cel0_again", "error", "CEL0, second dictionary", OKABE_ITO["sky"], ":"),
    ]:
        r = runs[K, pen]
        ax.plot(r["active"], r[curve], ls, marker="o", ms=3, color=color, label=label)
    ax.axhline(cfg.target, color="0.6", lw=0.8)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="active units per patch",
        title=f"K = {K} atoms ({K / p:.0f}x over-complete)",
    )
axes[0].set(ylabel="relative reconstruction error")
axes[0].legend(fontsize=7)
fig.tight_layout()
ch.figure("fig-25_sparse_coding_overcomplete-tradeoff")

# %% [markdown]
# ```{glue:figure} fig-25_sparse_coding_overcomplete-tradeoff
# :name: fig-25_sparse_coding_overcomplete-tradeoff
#
# Reconstruction error of the test patches against the number of active units per patch,
# along each learned dictionary's path of penalty weights (grey line: the error
# {glue:text}`target` at which the codes are compared). At $K = 64$ the $\ell_1$ code needs
# {glue:text}`soft_64:.1f` active units there and the CEL0 code {glue:text}`cel0_64:.1f`; at
# $K = 128$, {glue:text}`soft_128:.1f` and {glue:text}`cel0_128:.1f`.
# ```

# %%
K0, K1 = cfg.Ks[0], cfg.Ks[1]
ratio = {K: table[K]["soft"] / table[K]["cel0"] for K in cfg.Ks}
ratio_again = {K: table[K]["again"] / table[K]["cel0"] for K in cfg.Ks}
ratio_refit = {K: table[K]["refit"] / table[K]["cel0"] for K in cfg.Ks}
err_ratio = {K: error_with(K, "soft", table[K]["cel0"]) / cfg.target for K in cfg.Ks}
err_ratio_refit = {
    K: error_with(K, "soft", table[K]["cel0"], "refit") / cfg.target for K in cfg.Ks
}
bigger = table[K1]["soft"] / table[K0]["cel0"]
bigger_control = table[K1]["cel0"] / table[K0]["cel0"]
for K in cfg.Ks:
    ch.glue(
        **{
            f"soft_{K}": table[K]["soft"],
            f"cel0_{K}": table[K]["cel0"],
            f"ratio_{K}": ratio[K],
            f"ratio_again_{K}": ratio_again[K],
            f"ratio_refit_{K}": ratio_refit[K],
            f"err_ratio_{K}": err_ratio[K],
            f"err_ratio_refit_{K}": err_ratio_refit[K],
        }
    )
ch.glue(bigger=bigger, bigger_control=bigger_control, K0=K0, K1=K1)

# %% [markdown]
# **Denser at equal error.** At error {glue:text}`target`, the $\ell_1$ code needs
# {glue:text}`ratio_64:.2f` times as many active units as the CEL0 code at $K = 64$ and
# {glue:text}`ratio_128:.2f` times as many at $K = 128$. A second CEL0 dictionary needs
# {glue:text}`ratio_again_64:.3f` and {glue:text}`ratio_again_128:.3f` times as many as the
# first: the gap is the penalty's, not the luck of one learned dictionary.
#
# **Worse at equal units.** With as many active units as the CEL0 code uses, the $\ell_1$
# code's error is {glue:text}`err_ratio_64:.1f` times larger at $K = 64$
# ({glue:text}`err_ratio_128:.1f` times at $K = 128$). Most of that is shrinkage: refitted by
# least squares on the same support, the $\ell_1$ code's error is
# {glue:text}`err_ratio_refit_64:.2f` times the CEL0 code's at $K = 64$ and
# {glue:text}`err_ratio_refit_128:.2f` times at $K = 128$. At $K = 64$ the refitted $\ell_1$
# code needs {glue:text}`ratio_refit_64:.2f` times CEL0's units, so shrinkage explains the
# whole gap; at $K = 128$ it still needs {glue:text}`ratio_refit_128:.2f` times as many, so
# in the more over-complete dictionary $\ell_1$ also chooses worse atoms.
#
# **A bigger pool does not close the gap.** The $\ell_1$ code over {glue:text}`K1` atoms
# still needs {glue:text}`bigger:.2f` times as many active units as the CEL0 code over
# {glue:text}`K0` atoms, while CEL0 itself, given {glue:text}`K1` atoms, needs
# {glue:text}`bigger_control:.2f` times its own count at {glue:text}`K0`.


# %% tags=["hide-input", "remove-output"]
def tile(D, n_side=8):
    """The first n_side^2 atoms of D as one image (each atom scaled to its own range)."""
    s = cfg.size
    img = np.full((n_side * (s + 1), n_side * (s + 1)), np.nan)
    for i in range(min(n_side * n_side, D.shape[1])):
        atom = D[:, i].reshape(s, s)
        r, c = divmod(i, n_side)
        img[r * (s + 1) : r * (s + 1) + s, c * (s + 1) : c * (s + 1) + s] = (
            atom / np.abs(atom).max()
        )
    return img


fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.4))
for ax, pen, title in [(axes[0], "soft", "$\\ell_1$ (soft)"), (axes[1], "cel0", "CEL0")]:
    ax.imshow(tile(runs[K1, pen]["D"]), cmap="gray", vmin=-1, vmax=1)
    ax.set(title=f"{title}, first 64 of {K1} atoms")
    ax.axis("off")
fig.tight_layout()
ch.figure("fig-25_sparse_coding_overcomplete-atoms")

# %% [markdown]
# ```{glue:figure} fig-25_sparse_coding_overcomplete-atoms
# :name: fig-25_sparse_coding_overcomplete-atoms
#
# Atoms of the dictionaries learned with each penalty at $K = 128$ (each scaled to its own
# range). The paper analyses their shapes (oriented, localised, like the receptive fields of
# simple cells in V1); this chapter shows them and does not measure them.
# ```
#
# ## Claim checks

# %%
ch.check(
    "l1_denser_at_equal_error",
    f"at relative error {cfg.target}, the l1 code needs at least 1.2 times as many "
    f"active "
    f"units as the CEL0 code, at every dictionary size (the smaller of the ratios)",
    min(ratio.values()),
    ">",
    1.2,
    control=min(ratio_again.values()),
    control_is="a second CEL0 dictionary in place of the l1 one: the same penalty, "
    "another random start and other minibatches",
)
ch.check(
    "l1_worse_at_equal_units",
    f"with as many active units as the CEL0 code uses at error {cfg.target}, the l1 "
    f"code's "
    f"error is at least 2.5 times larger (complete dictionary, K = {K0})",
    err_ratio[K0],
    ">",
    2.5,
    control=err_ratio_refit[K0],
    control_is="the l1 code refitted by least squares on its own support: the same "
    "active "
    "units, without the shrinkage of soft thresholding",
)
ch.check(
    "bigger_pool_does_not_close_gap",
    f"the l1 code over {K1} atoms needs at least 1.2 times as many active units as the "
    f"CEL0 code over {K0} atoms, at the same error",
    bigger,
    ">",
    1.2,
    control=bigger_control,
    control_is=f"the CEL0 code over {K1} atoms in place of the l1 one",
)
ch.check(
    "paths_bracket_target",
    f"every path reaches errors above and below {cfg.target} (no count is extrapolated)",
    float(np.isfinite([v for row in table.values() for v in row.values()]).all()),
    ">=",
    1,
    kind="setup",
)
ch.check(
    "cel0_step_below_one",
    "every dictionary's gradient step 1/||D||^2 is below 1 (needed by the CEL0 prox)",
    max(sc.lipschitz_step(r["D"]) for r in runs.values()),
    "<",
    1.0,
    kind="setup",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | data | whitened natural-image patches | whitened {glue:text}`size` × {glue:text}`size` patches of two scikit-learn photographs |
# | penalties | $\ell_1$ and several $\ell_0$-like thresholdings, CEL0 among them | $\ell_1$ and CEL0 |
# | $\ell_1$ denser at equal error | yes | {glue:text}`ratio_64:.2f` × ($K$ = 64), {glue:text}`ratio_128:.2f` × ($K$ = 128) |
# | $\ell_0$-like code better at equal sparsity | about 5 × | {glue:text}`err_ratio_64:.1f` × ($K$ = 64), {glue:text}`err_ratio_128:.1f` × ($K$ = 128) |
# | $\ell_1$ needs a bigger dictionary | about 10 × at the same sparsity | at {glue:text}`K1` atoms still {glue:text}`bigger:.2f` × the units of CEL0 at {glue:text}`K0` |
# | atoms | oriented, localised, all penalties | shown, not measured |
#
# The paper's sizes (patch size, the exact over-completeness values and the numbers of its
# figures) are not checked here: we read its abstract and summaries, not its tables, and its
# "about 5 ×" and "about 10 ×" are quoted from the abstract. The book stops at twice
# over-complete (the `paper` preset goes to four times, with more patches and longer
# learning). The refitting control is this chapter's addition: it shows that at $K = 64$ the
# $\ell_1$ code's extra units are its shrinkage, and that at $K = 128$ they are not only that.
#
# ## Try it
#
# - Raise the over-completeness (`Ks` = [64, 128, 256]). Do you expect the $\ell_1$ code's
#   extra units to grow or shrink, and the refitted code to catch up with CEL0?
# - Compare at a looser error (`target` = 0.05): is the $\ell_1$ penalty's handicap a matter
#   of fine detail?
# - Add hard thresholding (`"hard"` in the `jobs` list): it counts active units exactly, but
#   proximal steps with it are a poor optimiser. What do you expect it to do as $K$ grows?
# - Related chapters: 07 and 08, where over-parameterized matrix recovery by gradient descent
#   finds low-rank solutions with no explicit penalty at all.
