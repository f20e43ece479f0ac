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
# # The universality lens: regret is set by the weight of the truth
#
# **Paper.** {cite:t}`feder2025universality`.
#
# **Claim.** Take a Bayesian mixture learner over a huge hypothesis class, with an (almost)
# uniform prior over the parameters of an over-parameterized model, and measure it by its log-loss
# regret against the truth. The regret is not governed by how many hypotheses or parameters there
# are, but by the prior *weight* of the hypotheses close to the truth: roughly $-\log$ of that
# weight. A uniform prior over parameters puts a large weight on simple functions (many parameter
# settings compute them), so simple targets cost little regret and are learned from little data;
# complex targets have small weight and need more. In practice the mixture can be approximated by
# sampling the posterior with Langevin dynamics (SGLD) and averaging the sampled networks.
#
# **What we redraw.** The paper is theoretical; we build its setting exactly where it can be
# computed: all Boolean functions of four inputs, as realized by one-hidden-layer networks with
# uniformly drawn parameters. We show the prior over functions that this induces and test whether
# its heavy functions are *simple* by a measure that knows nothing of the prior (the average
# sensitivity of a Boolean function); we compute the exact regret of the Bayes mixture for simple
# and complex targets, next to the regret of a prior that is uniform over functions; and we
# compare an SGLD ensemble of smooth networks with the exact mixture, sample size by sample size,
# next to an ensemble of networks trained without the Langevin noise.

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
from scipy.stats import spearmanr

from overparam_utils import chapter
from overparam_utils.bayes import (
    SoftSignNetwork,
    bernoulli_kl,
    function_weights,
    kl_ball_bound,
    lookup_table_tables,
    mixture_regret,
    n_parameters,
    noisy_labels,
    relevant_inputs,
    sgld,
    sign_network_tables,
    total_influence,
    uniform_prior_predictive,
    uniform_prior_regret,
)
from overparam_utils.plotting import OKABE_ITO, log_ticks
from overparam_utils.progress import progress

# Part 1: sign networks on n_bits inputs, hidden widths `widths`, n_networks drawn from
# the uniform prior (the class); label noise eps. Targets: every function of at most one
# input ("simplest") and n_complex functions of the class with average sensitivity at
# least complex_influence, drawn afresh in each of n_draws draws; each target gets a
# sequence of n_max noisy examples, the regret read at n_grid sample sizes. Part 2
# (SGLD): smooth networks of width sgld_width; targets of weight ranks sgld_ranks;
# sample sizes sgld_sizes with sgld_draws data sets each (the heavy and light targets
# compared up to sgld_n_compare examples); sgld_chains chains of sgld_steps Langevin
# steps (step sgld_step, mini-batches of sgld_batch); the exact mixture is
# importance-sampled from n_prior_samples prior draws.
PRESETS = {
    "smoke": dict(
        n_bits=4, eps=0.1, widths=[4, 16], n_networks=20_000, n_complex=4,
        complex_influence=2.5, n_max=200, n_grid=12, n_draws=2, sgld_width=8,
        sgld_ranks=[0, 2000], sgld_sizes=[0, 4, 16, 64], sgld_n_compare=64,
        sgld_draws=4, sgld_chains=8, sgld_steps=400, sgld_step=1e-3, sgld_batch=32,
        n_prior_samples=30_000,
    ),
    "book": dict(
        n_bits=4, eps=0.1, widths=[4, 64], n_networks=50_000, n_complex=8,
        complex_influence=2.5, n_max=200, n_grid=20, n_draws=3, sgld_width=8,
        sgld_ranks=[0, 5000], sgld_sizes=[0, 4, 16, 64], sgld_n_compare=64,
        sgld_draws=8, sgld_chains=16, sgld_steps=1500, sgld_step=1e-3, sgld_batch=32,
        n_prior_samples=100_000,
    ),
    "paper": dict(
        n_bits=4, eps=0.1, widths=[4, 16, 64, 256], n_networks=1_000_000, n_complex=32,
        complex_influence=2.5, n_max=400, n_grid=30, n_draws=10, sgld_width=16,
        sgld_ranks=[0, 1000, 5000], sgld_sizes=[0, 2, 4, 8, 16, 32, 64, 128, 256],
        sgld_n_compare=64, sgld_draws=5, sgld_chains=128, sgld_steps=5000,
        sgld_step=5e-4, sgld_batch=32, n_prior_samples=1_000_000,
    ),
}
ch = chapter.setup(
    "20_universality_lens", scale=scale, seed=seed, device=device, presets=PRESETS
)
cfg = ch.cfg
n_inputs = 2**cfg.n_bits
eps = cfg.eps

# %% [markdown]
# ## Setup
#
# **The class.** Inputs are the $2^4 = 16$ points of $\{-1, +1\}^4$. A network
# $f(x) = \sum_k v_k \operatorname{sign}(w_k^\top x + b_k) + c$ with $K$ hidden units labels each
# input by $[f(x) > 0]$, so it computes one of the $2^{16}$ Boolean functions. Every parameter is
# drawn uniformly from $[-1, 1]$: a literally uniform prior over parameters. We draw
# $M$ = {glue:text}`n_networks` networks at each width $K \in$ {glue:text}`widths_text`; these
# $M$ networks, each with prior weight $1/M$, are the hypothesis class. The prior weight of a
# *function* $f$, $W(f)$, is the fraction of networks that compute it.
#
# **The control class.** A *lookup table* has one parameter $\theta_x$ per input, also uniform on
# $[-1, 1]$, and outputs $[\theta_x > 0]$. It too has a uniform prior over parameters, but no
# parameter is shared between inputs, so its prior over functions is uniform: every one of the
# $2^{16}$ functions weighs $2^{-16}$. Whatever the networks do that this does not is the paper's
# mechanism.
#
# **Simple, measured independently.** The *average sensitivity* of a Boolean function is the
# expected number of its four inputs whose flip changes the output, at a uniformly drawn input: 0
# for a constant, 1 for a function of a single input, 4 for parity. It is computed from the truth
# table alone and knows nothing of any prior.
#
# **The learner.** Labels are noisy: $p_f(y \mid x) = 1 - \varepsilon$ if $y = f(x)$ and
# $\varepsilon$ otherwise, with $\varepsilon$ = {glue:text}`eps`. The Bayes mixture predicts with
# $\sum_f W(f)\, p_f$ updated by Bayes' rule. Its cumulative log-loss regret against the true
# function $f^\ast$ after $n$ examples is
#
# $$R_n = \log p_{f^\ast}(y_{1:n} \mid x_{1:n}) - \log \sum_f W(f)\, p_f(y_{1:n} \mid x_{1:n}).$$
#
# Keeping only the $f^\ast$ term of the sum gives $R_n \le -\log W(f^\ast)$ for every $n$ and every
# data sequence; keeping the ball $B_\delta$ of functions within KL divergence $\delta$ of the
# truth gives the bound $\mathbb{E} R_n \le \min_\delta [-\log W(B_\delta) + n\delta]$, the form of
# the paper's result: what matters is the weight near the truth. Both are theorems (the book's
# unit tests check that our code obeys them), so they are drawn here, not tested. What can fail is
# the claim about over-parameterized networks: that their uniform prior over parameters gives the
# *simple* functions a weight far above $2^{-16}$, the weight every function has under the lookup
# table, whose regret for any target tends to $\log 2^{16}$ = {glue:text}`log_H:.2f` nats. Everything
# here is exact: `mixture_regret` computes $R_n$ from the mismatch counts of every function.

# %%
classes, influence = {}, {}
for width in progress(cfg.widths, desc="sampling networks"):
    tables = sign_network_tables(cfg.n_bits, width, cfg.n_networks,
                                 np.random.default_rng([seed, width]))
    classes[width] = function_weights(tables)  # (functions, weights), heaviest first
    influence[width] = total_influence(classes[width][0], cfg.n_bits)
lookup = function_weights(lookup_table_tables(cfg.n_bits, cfg.n_networks,
                                              np.random.default_rng([seed, 3])))
lookup_influence = total_influence(lookup[0], cfg.n_bits)
log_M, log_H = np.log(cfg.n_networks), n_inputs * np.log(2)
# rank correlation of -log W(f) with the average sensitivity, over the class's functions
rho = {w: spearmanr(-np.log(classes[w][1]), influence[w]).statistic for w in cfg.widths}
rho_lookup = spearmanr(-np.log(lookup[1]), lookup_influence).statistic
rho_relevant = {w: spearmanr(-np.log(classes[w][1]),
                             relevant_inputs(classes[w][0], cfg.n_bits)).statistic
                for w in cfg.widths}
w_small, w_big = min(cfg.widths), max(cfg.widths)
ch.glue(n_networks=f"{cfg.n_networks:,}", eps=eps, log_M=log_M, log_H=log_H,
        widths_text=", ".join(str(w) for w in cfg.widths),
        n_lookup=f"{len(lookup[0]):,}", rho_lookup=rho_lookup,
        mean_sens_lookup=np.sum(lookup[1] * lookup_influence),
        frac_all_four=np.mean(relevant_inputs(classes[w_big][0], cfg.n_bits)
                              == cfg.n_bits))
for tag, width in (("small", w_small), ("big", w_big)):
    functions, weights = classes[width]
    mean_sens = np.sum(weights * influence[width])
    ch.glue(**{f"n_functions_{tag}": f"{len(functions):,}",
               f"top_weight_{tag}": weights[0],
               f"n_params_{tag}": n_parameters(cfg.n_bits, width),
               f"width_{tag}": width, f"rho_{tag}": rho[width],
               f"rho_relevant_{tag}": rho_relevant[width],
               f"mean_sens_{tag}": mean_sens})

# %% [markdown]
# ## A uniform prior over parameters is far from uniform over functions
#
# With $K$ = {glue:text}`width_small` hidden units ({glue:text}`n_params_small` parameters) the
# {glue:text}`n_networks` networks compute {glue:text}`n_functions_small` different functions,
# and the heaviest one alone takes {glue:text}`top_weight_small:.3f` of the prior. With
# $K$ = {glue:text}`width_big` ({glue:text}`n_params_big` parameters) there are
# {glue:text}`n_functions_big` functions and the heaviest has weight
# {glue:text}`top_weight_big:.4f`. The lookup tables, drawn as many times, compute
# {glue:text}`n_lookup` different functions, nearly one each.
#
# Are the heavy functions simple? Across the functions of the class, the rank correlation
# (Spearman) between $-\log W(f)$ and the average sensitivity is {glue:text}`rho_small:.2f` at
# $K$ = {glue:text}`width_small` and {glue:text}`rho_big:.2f` at $K$ = {glue:text}`width_big`:
# the lighter a function, the more sensitive it is. For the lookup tables it is
# {glue:text}`rho_lookup:.3f`. A function drawn from the network prior has average sensitivity
# {glue:text}`mean_sens_small:.2f` ($K$ = {glue:text}`width_small`) and
# {glue:text}`mean_sens_big:.2f` ($K$ = {glue:text}`width_big`); one drawn from the lookup
# tables has {glue:text}`mean_sens_lookup:.2f`. The number of inputs a function depends on is a
# much weaker predictor (rank correlation {glue:text}`rho_relevant_small:.2f` and
# {glue:text}`rho_relevant_big:.2f`): a fraction {glue:text}`frac_all_four:.2f` of the functions
# sampled at $K$ = {glue:text}`width_big` depend on all four.

# %% tags=["hide-input", "remove-output"]
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
palette = [OKABE_ITO[c] for c in ("blue", "vermillion", "green", "purple")]
width_colors = dict(zip(cfg.widths, palette, strict=False))
levels = np.arange(0, cfg.n_bits + 0.01, 0.25)
for width, (_, weights) in classes.items():
    rank = np.arange(1, len(weights) + 1)
    label = f"K = {width} ({n_parameters(cfg.n_bits, width)} parameters)"
    ax.plot(rank, weights, color=width_colors[width], label=label)
    sens = np.round(influence[width] * 4) / 4
    mean_w = [np.mean(-np.log(weights[sens == s])) if np.any(sens == s) else np.nan
              for s in levels]
    ax2.plot(levels, mean_w, "o-", color=width_colors[width], ms=4, label=label)
ax.plot(np.arange(1, len(lookup[1]) + 1), lookup[1], color="grey", label="lookup table")
ax.axhline(1 / cfg.n_networks, color="grey", ls=":", lw=1)
ax.set(xscale="log", yscale="log", xlabel="function rank (by prior weight)",
       ylabel="prior weight W(f)",
       title=f"{cfg.n_networks:,} draws on {n_inputs} inputs")
ax.legend(fontsize=8)
lsens = np.round(lookup_influence * 4) / 4
ax2.plot(levels, [np.mean(-np.log(lookup[1][lsens == s])) if np.any(lsens == s)
                  else np.nan for s in levels], "o-", color="grey", ms=4,
         label="lookup table")
ax2.axhline(log_H, color="grey", ls=":", lw=1)
ax2.set(xlabel="average sensitivity of f", ylabel=r"mean $-\log W(f)$ (nats)",
        title="weight against an independent complexity")
ax2.legend(fontsize=8)
ch.figure("fig-ch20-weights")

# %% [markdown]
# ```{glue:figure} fig-ch20-weights
# :name: fig-ch20-weights
#
# Left: prior weight of each function against its rank (log-log), for two widths of sign networks and for
# lookup tables (grey). The dotted line is the weight $1/M$ of a function computed by a single draw. Right:
# mean $-\log W(f)$ of the sampled functions at each level of average sensitivity; the dotted line is
# $\log 2^{16}$, the cost of every function under a prior uniform over functions.
# ```

# %% [markdown]
# ## Simple targets cost little regret; under a uniform prior every target costs the same
#
# The targets are chosen by the sensitivity measure, not by weight: the {glue:text}`n_simplest`
# functions of at most one input (the two constants, the four inputs and their negations), and in
# each of {glue:text}`n_draws` draws {glue:text}`n_complex` functions of the class drawn at random
# among those with average sensitivity at least {glue:text}`complex_influence`. Each target gets
# its own sequence of {glue:text}`n_max` noisy examples, and the regret of the network mixture
# and of the uniform prior (the lookup table) is computed on the same data.

# %%
simplest_all = np.flatnonzero(relevant_inputs(np.arange(2**n_inputs), cfg.n_bits) <= 1)
ns = np.unique(np.geomspace(1, cfg.n_max, cfg.n_grid).astype(int))
regret, uniform, minus_log_w, bound = {}, {}, {}, {}
for width in progress(cfg.widths, desc="regret"):
    functions, weights = classes[width]
    present = np.isin(simplest_all, functions)
    pool = functions[influence[width] >= cfg.complex_influence]
    for d, s in enumerate(ch.seeds(cfg.n_draws)):
        rng_d = np.random.default_rng([s, width])
        chosen = rng_d.choice(pool, min(cfg.n_complex, len(pool)), replace=False)
        for kind, targets in (("simple", simplest_all[present]), ("complex", chosen)):
            for target in targets:
                x, y = noisy_labels(target, cfg.n_max, n_inputs, eps, rng_d)
                key = (width, kind)
                regret.setdefault(key, []).append(
                    mixture_regret(functions, weights, target, x, y, eps, n_inputs,
                                   at=ns))
                uniform.setdefault(key, []).append(
                    uniform_prior_regret(target, x, y, eps, n_inputs, at=ns))
                minus_log_w.setdefault(key, []).append(
                    -np.log(weights[functions == target][0]))
                if d == 0:  # the KL-ball bound depends on the target only
                    bound.setdefault(key, []).append(
                        kl_ball_bound(functions, weights, target, ns, eps, n_inputs))
regret, uniform, minus_log_w, bound = (
    {k: np.array(v) for k, v in table.items()}
    for table in (regret, uniform, minus_log_w, bound))
ch.glue(n_simplest=int(np.sum(np.isin(simplest_all, classes[w_small][0]))),
        **cfg.pick("n_draws", "n_complex", "complex_influence", "n_max"))

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, len(cfg.widths), figsize=(4.6 * len(cfg.widths), 3.6),
                         sharey=True)
kind_colors = {"simple": OKABE_ITO["blue"], "complex": OKABE_ITO["vermillion"]}
for ax, width in zip(np.atleast_1d(axes), cfg.widths, strict=True):
    for kind, color in kind_colors.items():
        key = (width, kind)
        ax.plot(ns, regret[key].mean(axis=0), color=color, label=f"{kind} targets")
        ax.plot(ns, uniform[key].mean(axis=0), "--", color=color, lw=1,
                label=f"{kind}, uniform prior")
        ax.plot(ns, bound[key].mean(axis=0), ":", color=color, lw=1.2)
        ax.axhline(minus_log_w[key].mean(), color=color, ls="-.", lw=0.8)
    ax.axhline(log_H, color="grey", lw=1.5, label=r"$\log 2^{16}$")
    ax.set(xscale="log", xlabel="examples n", ylim=(0, log_H * 1.08),
           title=f"K = {width} ({n_parameters(cfg.n_bits, width)} parameters)")
np.atleast_1d(axes)[0].set_ylabel("regret (nats)")
np.atleast_1d(axes)[0].legend(fontsize=7.5, loc="upper left")
ch.figure("fig-ch20-regret")

# %% [markdown]
# ```{glue:figure} fig-ch20-regret
# :name: fig-ch20-regret
#
# Cumulative regret of the Bayes mixture against the number of examples (solid: mean over targets and draws)
# for the simplest targets (blue) and complex ones (red), and of the uniform prior over functions on the same
# data (dashed). Dash-dotted: the mean $-\log W(f^\ast)$ of each group; dotted: the mean KL-ball bound
# $\min_\delta[-\log W(B_\delta) + n\delta]$; grey: $\log 2^{16}$.
# ```

# %% [markdown]
# After {glue:text}`n_max` examples the simplest targets cost {glue:text}`r_simple_small:.2f`
# nats at $K$ = {glue:text}`width_small` and {glue:text}`r_simple_big:.2f` at $K$ =
# {glue:text}`width_big`, the complex ones {glue:text}`r_complex_small:.2f` and
# {glue:text}`r_complex_big:.2f`: a gap of {glue:text}`gap_small:.2f` and
# {glue:text}`gap_big:.2f` nats. On the same data the uniform prior charges
# {glue:text}`u_simple_big:.2f` for the simplest and {glue:text}`u_complex_big:.2f` for the
# complex targets at $K$ = {glue:text}`width_big` (a gap of {glue:text}`u_gap_big:.2f`): without
# shared parameters, no target is cheaper than another. On average over each group the regret has
# reached $-\log W(f^\ast)$ (largest relative gap {glue:text}`max_rel_gap:.1%`), so $n_{\max}$
# is large enough for the weight of the target itself to be most of the cost. Single targets can
# still sit below it (by up to {glue:text}`max_rel_gap_one:.0%`), as the KL-ball bound allows:
# functions close to the target share the load until the data rule them out.
#
# The widths tell a second story. A wider network spreads its prior over more functions, so even
# its simplest functions weigh less and cost more ({glue:text}`r_simple_small:.2f` against
# {glue:text}`r_simple_big:.2f` nats) while its parameter count grows
# {glue:text}`param_growth:.1f` times. Parameter counting would charge about
# $\frac{d}{2}\log n$ = {glue:text}`param_scale:.0f` nats to the wider network; in a finite class
# of Boolean functions the regret can never exceed $-\log W(f^\ast) \le \log M$ =
# {glue:text}`log_M:.1f`, so that comparison could not fail here and is not a check.

# %%
final = {key: curves[:, -1] for key, curves in regret.items()}
final_u = {key: curves[:, -1] for key, curves in uniform.items()}
gap = {w: final[w, "complex"].mean() - final[w, "simple"].mean() for w in cfg.widths}
gap_u = {w: final_u[w, "complex"].mean() - final_u[w, "simple"].mean()
         for w in cfg.widths}
frac_H = {w: final[w, "simple"].mean() / log_H for w in cfg.widths}
frac_H_u = {w: final_u[w, "simple"].mean() / log_H for w in cfg.widths}
max_rel_gap = max(abs(final[key].mean() / minus_log_w[key].mean() - 1) for key in final)
max_rel_gap_one = max(np.max(1 - final[key] / minus_log_w[key]) for key in final)
param_scale = n_parameters(cfg.n_bits, w_big) / 2 * np.log(cfg.n_max)
for tag, width in (("small", w_small), ("big", w_big)):
    ch.glue(**{f"r_simple_{tag}": final[width, "simple"].mean(),
               f"r_complex_{tag}": final[width, "complex"].mean(),
               f"gap_{tag}": gap[width]})
ch.glue(u_simple_big=final_u[w_big, "simple"].mean(),
        u_complex_big=final_u[w_big, "complex"].mean(), u_gap_big=gap_u[w_big],
        max_rel_gap=max_rel_gap, max_rel_gap_one=max_rel_gap_one, param_scale=param_scale,
        frac_H_big=frac_H[w_big], frac_H_u_big=frac_H_u[w_big],
        param_growth=n_parameters(cfg.n_bits, w_big) / n_parameters(cfg.n_bits, w_small))

# %% [markdown]
# ## From the mixture to Langevin dynamics
#
# A real network cannot enumerate its class. The practical bridge the paper points to is to
# *sample* the posterior over parameters with stochastic-gradient Langevin dynamics (SGLD,
# {cite:p}`welling2011bayesian`) and average the predictions of the samples: an SGLD ensemble
# approximates the Bayes mixture. To get gradients we smooth the networks:
# $f(x) = \sum_k v_k \tanh(4(w_k^\top x + b_k)) + c$ with
# $p(y = 1 \mid x) = \varepsilon + (1 - 2\varepsilon)\,\sigma(4 f(x))$, the same uniform prior on
# $[-1, 1]$ for every parameter ({glue:text}`sgld_params` parameters at width
# {glue:text}`sgld_width`). Chains start from the prior, take {glue:text}`sgld_steps` Langevin
# steps on mini-batches of {glue:text}`sgld_batch` examples, and reflect off the walls of the box;
# the second half of each chain is kept. The same chains run once more *without* the injected
# noise: plain mini-batch gradient ascent on the likelihood from the same starts, an ensemble of
# trained networks that is not a posterior sample. The targets are the decision functions
# ($p > 1/2$) of weight rank 0 and {glue:text}`sgld_rank_max` among {glue:text}`n_prior` prior
# draws of these smooth networks (weights {glue:text}`sgld_w_lo:.3f` and
# {glue:text}`sgld_w_hi:.1e`). Both targets see the same inputs and the same label flips in each
# data set, so they differ only in the function.
#
# We measure how far a predictor is from the truth by the expected excess log-loss on the next
# example, $\mathrm{KL} = \mathbb{E}_x\, \mathrm{KL}(p^\ast(\cdot \mid x) \,\|\, \hat p(\cdot \mid
# x))$; its sum over the sequence is the regret. The reference is the exact Bayes mixture of the
# same smooth model, computed by weighting {glue:text}`n_prior` prior draws by their likelihood.
# When the posterior is much narrower than the prior too few draws carry weight (effective sample
# size below 100); those sample sizes are left out of the comparison and marked.

# %%
net = SoftSignNetwork(cfg.n_bits, cfg.sgld_width, eps, sharpness=4.0, gain=4.0)
# prior draws of the smooth networks: they define the targets and the exact mixture
rng = np.random.default_rng([seed, 2])
prior = rng.uniform(-1, 1, (cfg.n_prior_samples, net.size))
p_prior = net.prob_one(prior)  # (draws, inputs)
decisions = (p_prior > 0.5).astype(np.int64) @ (2 ** np.arange(n_inputs))
sgld_functions, sgld_weights = function_weights(decisions)
sgld_targets = {r: sgld_functions[min(r, len(sgld_functions) - 1)]
                for r in cfg.sgld_ranks}
groups = [(r, n, s) for r in cfg.sgld_ranks for n in cfg.sgld_sizes
          for s in ch.seeds(cfg.sgld_draws)]
data = []
ones, zeros = np.zeros((len(groups), n_inputs)), np.zeros((len(groups), n_inputs))
for g, (r, n, s) in enumerate(groups):
    # the same inputs and label flips for every target (common random numbers)
    x, y = noisy_labels(sgld_targets[r], n, n_inputs, eps, np.random.default_rng([s, n]))
    data.append((x, y))
    np.add.at(ones[g], x, y)
    np.add.at(zeros[g], x, 1 - y)
p_true = np.array([np.where((sgld_targets[r] >> np.arange(n_inputs)) & 1, 1 - eps, eps)
                   for r, _, _ in groups])

# the exact mixture of the smooth model, importance-sampled from the prior draws
log_w = ones @ np.log(p_prior).T + zeros @ np.log1p(-p_prior).T  # (groups, draws)
w_post = np.exp(log_w - log_w.max(axis=1, keepdims=True))
w_post /= w_post.sum(axis=1, keepdims=True)
ess = 1 / np.sum(w_post**2, axis=1)
kl_mix = bernoulli_kl(p_true, w_post @ p_prior).mean(axis=1)
# the mixture under a prior uniform over functions (no simplicity bias), in closed form
kl_uniform = bernoulli_kl(p_true, uniform_prior_predictive(ones, zeros, eps)).mean(axis=1)

# %%
C = cfg.sgld_chains
sizes_g = np.array([len(x) for x, _ in data])
x_pad = np.zeros((len(groups), max(sizes_g.max(), 1)), dtype=np.int64)
y_pad = np.zeros_like(x_pad)
for g, (x, y) in enumerate(data):
    x_pad[g, : len(x)], y_pad[g, : len(y)] = x, y
batch = np.minimum(sizes_g, cfg.sgld_batch)  # examples per mini-batch, per group


def grad_log_posterior(theta, t):
    """Mini-batch gradient of the log-likelihood (the prior is flat inside the box)."""
    pick = (rng.random((len(groups), cfg.sgld_batch)) * sizes_g[:, None]).astype(int)
    used = np.arange(cfg.sgld_batch)[None, :] < batch[:, None]
    weight = used * (sizes_g / np.maximum(batch, 1))[:, None]  # rescale to the full set
    x_b = np.take_along_axis(x_pad, pick, axis=1)
    y_b = np.take_along_axis(y_pad, pick, axis=1)
    slot = np.arange(len(groups))[:, None] * n_inputs + x_b
    o = np.bincount(slot.ravel(), (weight * y_b).ravel(), len(groups) * n_inputs)
    z = np.bincount(slot.ravel(), (weight * (1 - y_b)).ravel(), len(groups) * n_inputs)
    o, z = o.reshape(len(groups), n_inputs), z.reshape(len(groups), n_inputs)
    o, z = np.repeat(o, C, axis=0), np.repeat(z, C, axis=0)  # every chain of a group
    return net.grad_log_likelihood(theta, o, z)


theta0 = rng.uniform(-1, 1, (len(groups) * C, net.size))
predictions = {}
for name, temperature in progress((("sgld", 1.0), ("trained", 0.0)), desc="chains"):
    samples = sgld(grad_log_posterior, theta0, cfg.sgld_step, cfg.sgld_steps, rng,
                   keep_every=max(1, cfg.sgld_steps // 20), burn_in=cfg.sgld_steps // 2,
                   box=1.0, temperature=temperature)  # (kept, groups * chains, params)
    predictions[name] = net.prob_one(samples.reshape(-1, net.size)).reshape(
        len(samples), len(groups), C, n_inputs)
kl_sgld = bernoulli_kl(p_true, predictions["sgld"].mean(axis=(0, 2))).mean(axis=1)
kl_trained = bernoulli_kl(p_true, predictions["trained"].mean(axis=(0, 2))).mean(axis=1)
kl_single = bernoulli_kl(p_true[None, :, None, :],
                         predictions["sgld"]).mean(axis=(0, 2, 3))
ch.glue(sgld_width=cfg.sgld_width, sgld_params=net.size,
        sgld_steps=f"{cfg.sgld_steps:,}", sgld_batch=cfg.sgld_batch,
        sgld_rank_max=max(cfg.sgld_ranks), n_prior=f"{cfg.n_prior_samples:,}",
        sgld_w_lo=sgld_weights[min(cfg.sgld_ranks)],
        sgld_w_hi=sgld_weights[min(max(cfg.sgld_ranks), len(sgld_weights) - 1)])


# %%
def by_size(values, rank):
    """Mean over data draws of a per-group value, for each sample size."""
    return np.array([np.mean([v for v, (r, n, _) in zip(values, groups, strict=True)
                              if r == rank and n == size]) for size in cfg.sgld_sizes])


def min_by_size(values, rank):
    """Smallest per-group value at each sample size."""
    return np.array([np.min([v for v, (r, n, _) in zip(values, groups, strict=True)
                             if r == rank and n == size]) for size in cfg.sgld_sizes])


sizes = np.array(cfg.sgld_sizes)
r_lo, r_hi = min(cfg.sgld_ranks), max(cfg.sgld_ranks)
# per target and sample size n > 0 where every data set's mixture is reliable: the
# ensemble's excess loss over the exact mixture's, and the worst factor either way
ratios, ratios_trained, compared = {}, {}, {}
for rank in cfg.sgld_ranks:
    ok = (sizes > 0) & (min_by_size(ess, rank) >= 100)
    compared[rank] = sizes[ok]
    ratios[rank] = by_size(kl_sgld, rank)[ok] / by_size(kl_mix, rank)[ok]
    ratios_trained[rank] = by_size(kl_trained, rank)[ok] / by_size(kl_mix, rank)[ok]
all_ratios = np.concatenate(list(ratios.values()))
all_trained = np.concatenate(list(ratios_trained.values()))
worst = np.max(np.maximum(all_ratios, 1 / all_ratios))
worst_trained = np.max(np.maximum(all_trained, 1 / all_trained))
n_mid = cfg.sgld_n_compare
i_mid = cfg.sgld_sizes.index(n_mid)
early = [i for i, n in enumerate(cfg.sgld_sizes) if 0 < n <= n_mid]


def early_ratio(values):
    """Heavy target's excess loss over the light one's, summed over 0 < n <= n_mid."""
    return by_size(values, r_lo)[early].sum() / by_size(values, r_hi)[early].sum()


with_data = np.array([n > 0 for _, n, _ in groups])
single_ratio = np.mean(kl_single[with_data] / kl_sgld[with_data])
ch.glue(n_mid=n_mid, sgld_worst=worst, trained_worst=worst_trained,
        kl_simple_mid=by_size(kl_sgld, r_lo)[i_mid],
        kl_complex_mid=by_size(kl_sgld, r_hi)[i_mid],
        early_ratio=early_ratio(kl_sgld), early_ratio_uniform=early_ratio(kl_uniform),
        early_ratio_trained=early_ratio(kl_trained), single_ratio=single_ratio,
        n_unreliable=int(sum(len(sizes[sizes > 0]) - len(v) for v in compared.values())))
for rank, tag in ((r_lo, "lo"), (r_hi, "hi")):
    ch.glue(**{f"ratios_{tag}": ", ".join(
        f"{r:.2f} (n = {n})" for r, n in zip(ratios[rank], compared[rank], strict=True)),
        f"ratios_trained_{tag}": ", ".join(
        f"{r:.2f}" for r in ratios_trained[rank])})

# %% [markdown]
# Sample size by sample size, the SGLD ensemble's excess loss is {glue:text}`ratios_lo` times
# the exact mixture's on the heavy target and {glue:text}`ratios_hi` on the light one (sizes
# where the importance-sampled mixture is unreliable are left out:
# {glue:text}`n_unreliable` of them). The ensemble trained without Langevin noise gives
# {glue:text}`ratios_trained_lo` and {glue:text}`ratios_trained_hi` at the same sizes: its worst
# factor is {glue:text}`trained_worst:.2f`, against {glue:text}`sgld_worst:.2f` for SGLD. The
# SGLD ensemble is closer to the mixture, but not by a margin that this budget makes safe: its
# chains barely mix, its excess loss sits above the mixture's at the smallest sizes, and the check
# below is declared a known miss at this scale. The sampler does reproduce the ordering the
# theory predicts: the heavy target is learned from less data. After
# {glue:text}`n_mid` examples its excess loss is {glue:text}`kl_simple_mid:.3f` nats on the heavy
# target and {glue:text}`kl_complex_mid:.3f` on the light one, and summed over the sample sizes
# up to there the heavy target costs {glue:text}`early_ratio:.2f` of what the light one does
# ({glue:text}`early_ratio_uniform:.2f` under the uniform prior over functions, on the same data;
# {glue:text}`early_ratio_trained:.2f` for the trained ensemble). A single posterior sample is
# {glue:text}`single_ratio:.1f` times worse than the ensemble on average; it can never be better
# (the excess loss is convex in the prediction), so only the size of that factor is news.

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(5.8, 3.6))
x_plot = np.maximum(sizes, 0.5)  # n = 0 drawn at 0.5 on the log axis
for rank, color in ((r_lo, OKABE_ITO["blue"]), (r_hi, OKABE_ITO["vermillion"])):
    mix_curve = by_size(kl_mix, rank)
    ok = min_by_size(ess, rank) >= 100
    ax.plot(x_plot, mix_curve, "-", color=color, lw=1.5,
            label=f"exact mixture, rank {rank}")
    ax.plot(x_plot[~ok], mix_curve[~ok], "o", mfc="white", color=color, ms=6)
    ax.plot(x_plot, by_size(kl_sgld, rank), "o", color=color, ms=6,
            label=f"SGLD ensemble, rank {rank}")
    ax.plot(x_plot, by_size(kl_trained, rank), "x", color=color, ms=6,
            label=f"trained ensemble, rank {rank}")
    ax.plot(x_plot, by_size(kl_single, rank), "--", color=color, lw=1,
            label=f"single SGLD sample, rank {rank}")
ax.set(xscale="log", xlabel="examples n (n = 0 drawn at 0.5)",
       ylabel="excess log-loss (nats)", title=f"smooth networks, K = {cfg.sgld_width}")
log_ticks(ax, [0.01, 0.03, 0.1, 0.3, 1], axis="y")
ax.legend(fontsize=7)
ch.figure("fig-ch20-sgld")

# %% [markdown]
# ```{glue:figure} fig-ch20-sgld
# :name: fig-ch20-sgld
#
# Excess log-loss on the next example against the number of examples seen, for the heavy (rank 0) and a light
# target (mean over data draws). Lines: the exact Bayes mixture of the smooth networks (importance-sampled;
# hollow where too few prior draws carry weight). Filled dots: the SGLD ensemble; crosses: the same chains
# without the Langevin noise (trained networks); dashed: single SGLD samples.
# ```

# %% [markdown]
# ## Claim checks
#
# Each claim is tested against a control computed in the same run where the paper's mechanism,
# weight that the shared parameters of a network pile onto simple functions, is absent: the
# lookup table, whose prior is uniform over functions, or, for the sampler, the same chains
# without the Langevin noise. The thresholds come from the claims: a clear positive rank
# correlation (0.3) where none is predicted without the mechanism; a gap between simple and
# complex targets larger than 2 nats (the uniform prior's gap is a few tenths of a nat of noise);
# the simplest targets at under 75% of the $\log 2^{16}$ that the uniform prior charges; the
# ensemble within 25% of the mixture at every sample size compared; the heavy target at under
# 0.8 of the light one's cost. They were set on seeds 0 to 2 and confirmed on seeds 21 to 23,
# except the SGLD factor, which was not met on all of them and is declared a known miss at the
# `smoke` and `book` scales. The `paper` preset runs longer chains and tests it without that
# declaration; its recorded run (the {doc}`/book/paper_scale` page) did not meet it either
# (worst factor 1.41; the other four claims held). That run took 34 minutes on one CPU thread,
# past the 30 minutes a paper-scale run is given here; we keep the preset whole rather than cut
# it, because its cost is measured and the one claim it is for needs its long chains.

# %%
ch.check(
    "heavy_functions_are_simple",
    "at every width, the rank correlation between -log W(f) and the average sensitivity "
    "of f (a complexity measure blind to the prior) over the class exceeds 0.3",
    min(rho.values()), ">", 0.3,
    control=rho_lookup,
    control_is="lookup table: uniform prior over parameters, none shared (uniform over "
    "functions)",
)
ch.check(
    "simple_targets_cost_less",
    f"at every width, after {cfg.n_max} examples the complex targets (sensitivity >= "
    f"{cfg.complex_influence}) cost over 2 nats more regret than the functions of at "
    "most one input (mean over targets and draws)",
    min(gap.values()), ">", 2.0,
    control=min(gap_u.values()),
    control_is="the same targets and data under the uniform prior over functions",
)
ch.check(
    "simple_targets_far_below_class_size",
    f"at every width, the functions of at most one input cost under 75% of log 2^"
    f"{n_inputs} after {cfg.n_max} examples (largest mean regret / log 2^{n_inputs})",
    max(frac_H.values()), "<", 0.75,
    control=max(frac_H_u.values()),
    control_is="the same targets and data under the uniform prior over functions",
)
ch.check(
    "sgld_ensemble_matches_mixture",
    "at every sample size n > 0 where the exact mixture is reliable, for both targets, "
    "the SGLD ensemble's excess loss is within a factor 1.25 of the mixture's (worst "
    "factor)",
    worst, "<", 1.25,
    control=worst_trained,
    control_is="the same chains without Langevin noise (an ensemble of trained networks)",
    known_miss=None if scale == "paper" else (
        f"{cfg.sgld_chains} chains of {cfg.sgld_steps} steps barely mix (in its burn-in "
        "a chain diffuses "
        f"{np.sqrt(cfg.sgld_step * cfg.sgld_steps / 2):.1f} per coordinate, in a box of "
        "half-width 1): at the smallest sample sizes the ensemble sits near the 25% bar "
        "above the mixture, so the worst factor passes on some seeds, not on others"),
)
ch.check(
    "sgld_learns_simple_target_first",
    f"summed over the sample sizes 0 < n <= {n_mid}, the SGLD ensemble's excess loss on "
    "the heavy target is under 0.8 of that on the light one (same inputs and flips)",
    early_ratio(kl_sgld), "<", 0.8,
    control=early_ratio(kl_uniform),
    control_is="the Bayes mixture of a uniform prior over functions, on the same data",
)
ch.check(
    "regret_reaches_minus_log_weight",
    f"after {cfg.n_max} examples the mean regret of each group of targets (simplest, "
    "complex; each width) is within 5% of its mean -log W(target): the data have "
    "mostly singled out the targets, so their weight is the cost",
    max_rel_gap, "<", 0.05, kind="setup",
)
ch.check(
    "mixture_reliable_at_small_n",
    "the importance-sampled mixture is reliable (effective sample size >= 100) on every "
    "data set of both targets up to 16 examples",
    min(min_by_size(ess, r)[(sizes > 0) & (sizes <= 16)].min() for r in cfg.sgld_ranks),
    ">=", 100, kind="setup",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | learner | Bayesian mixture, log-loss, (almost) uniform prior over a huge class | the exact Bayes mixture over {glue:text}`n_networks` sign networks with uniformly drawn parameters |
# | simple = heavy | hypotheses realized by a large fraction of parameter space are the simple ones | rank correlation of $-\log W$ with average sensitivity {glue:text}`rho_small:.2f` / {glue:text}`rho_big:.2f`; lookup table {glue:text}`rho_lookup:.3f` |
# | regret governed by | the prior weight near the truth, not the class size | complex minus simplest targets: {glue:text}`gap_small:.2f` / {glue:text}`gap_big:.2f` nats; uniform prior {glue:text}`u_gap_big:.2f` |
# | size does not decide | regret far below $\log\lvert H\rvert$ | simplest targets at $K$ = {glue:text}`width_big`: {glue:text}`frac_H_big:.0%` of $\log 2^{16}$ (uniform prior {glue:text}`frac_H_u_big:.0%`) |
# | SGLD | samples the posterior; its ensemble approximates the mixture | worst factor over sample sizes {glue:text}`sgld_worst:.2f` against a bar of 1.25 (trained ensemble {glue:text}`trained_worst:.2f`); a known miss at this scale |
#
# What differs. We could read only the abstract and the opening of the paper, so we test the
# claim in the form the abstract states it, and use the classical mixture bound
# $\mathbb{E} R_n \le \min_\delta[-\log W(B_\delta) + n\delta]$ as its finite-sample version; that
# bound and $R_n \le -\log W(f^\ast)$ are theorems, so the book checks them as unit tests of the
# code, not as evidence here. The paper's own constants, its batch and supervised variants, and
# its links to flat minima and distillation are not checked. Our class is the Monte Carlo sample
# of networks (a function no sampled network computes has weight 0), which keeps everything
# exact; the targets are drawn from the class (the realizable case).
#
# Where this chapter departs from the earlier version of it, and from its referee. The earlier
# checks picked targets *by weight* and called the heaviest "simple", so "simple targets cost
# less" could not fail; here simplicity is measured by a property of the function alone, and the
# control is a class with a uniform prior over parameters that is nevertheless uniform over
# functions. The parameter-count comparison ($\frac{d}{2}\log n$) is gone: in a finite class of
# Boolean functions the regret never exceeds $\log M$, so it could not fail. A later version of
# the paper states the regret in terms of an effective dimension from the Hessian or Fisher
# spectrum rather than the raw parameter count; testing that needs a smooth model whose mixture
# regret can be computed beyond the Gaussian case (where it is algebra), and is not done here. A
# wider network does *not* make its simplest functions cheaper here
# ({glue:text}`r_simple_small:.2f` nats at $K$ = {glue:text}`width_small`,
# {glue:text}`r_simple_big:.2f` at $K$ = {glue:text}`width_big`): their weight is spread over
# more functions. The SGLD section uses smoothed
# networks and a finite step size; the comparison is against the exact mixture of the same
# smoothed model, not of the sign networks, and stops where the importance-sampled mixture does.
# Its chains are short: at this scale the ensemble's worst factor against the mixture lies close
# to the 25% bar, so "SGLD approximates the mixture" is recorded as not reproduced here, while the
# noise-free ensemble misses by far more ({glue:text}`trained_worst:.2f`).
#
# ## Try it
#
# - Set `eps=0.25` in the `book` preset: noisier labels make each example less informative. Do
#   the regrets still reach $-\log W(f^\ast)$ by {glue:text}`n_max` examples, and does the
#   gap between simple and complex targets change?
# - Add `256` to `widths`: does the correlation between weight and sensitivity survive in a much
#   wider network, and how much more do the simplest functions cost?
#
# **Related chapters.**
# - {doc}`06_generalization_bounds_not_tight`: why bounds computed from $(S, h)$ cannot be uniformly tight.
# - {doc}`11_loss_landscape_degeneracy`: how many effective parameters a trained network has.
# - {doc}`10_intrinsic_dimension`: the low intrinsic dimension of training landscapes.
