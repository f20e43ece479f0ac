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
# # Memorisation in a fine-tuned diffusion model, and the capacity that causes it
#
# **Paper.** {cite:t}`dutt2024memcontrol`.
#
# **Claim.** When a pretrained diffusion model is fine-tuned on a handful of images, training
# every parameter lets it memorise them: a sizeable share of its samples are near-copies of
# training images. The paper's hypothesis is that this is a matter of capacity, so it trains
# fewer parameters: fine-tuning a small subset (the biases, one layer) copies far less and
# keeps the quality of the samples, measured by a Fréchet distance to held-out images of the
# same kind. Which subset is best is a trade-off between quality and copying; the paper
# searches for it by scoring each subset with a reward that combines the two.
#
# **What we redraw.** The trade-off on the smallest setting we could make copy: a denoiser of
# 8×8 digits pretrained on six classes, then fine-tuned on ten images of an unseen class, on
# all its parameters or on one subset at a time. Samples next to their nearest training
# image, each subset's copy rate against its distance to held-out digits, and the ratio test
# that calls a sample a copy.

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
from sklearn.linear_model import LogisticRegression

from overparam_utils import chapter
from overparam_utils import copies as cp
from overparam_utils import diffusion as df
from overparam_utils.data import load_digits
from overparam_utils.plotting import OKABE_ITO

# Digits scaled to [-1, 1]. Pretraining on the classes below pre_classes (pre_steps Adam
# steps of pre_batch at pre_lr); fine-tuning on n_ft random images of new_class (ft_steps
# steps of ft_batch rows drawn with replacement, at ft_lr), on all parameters (twice, with
# other batches and noise) and on each of subsets. A DDPM of T steps (linear betas from
# 1e-4 to beta_max) with a residual MLP noise predictor (depth hidden layers of width SiLU
# units, n_freq time frequencies). n_samples samples per model scored, n_val more to
# choose a subset by the reward -distance - alpha * copy rate.
PRESETS = {
    "smoke": dict(
        T=100,
        beta_max=0.1,
        width=128,
        depth=3,
        n_freq=16,
        new_class=8,
        pre_classes=6,
        pre_steps=600,
        pre_batch=64,
        pre_lr=1e-3,
        n_ft=10,
        ft_steps=400,
        ft_batch=32,
        ft_lr=3e-3,
        subsets=["input"],
        n_samples=200,
        n_val=100,
        alpha=10.0,
    ),
    "book": dict(
        T=200,
        beta_max=0.05,
        width=256,
        depth=3,
        n_freq=16,
        new_class=8,
        pre_classes=6,
        pre_steps=2000,
        pre_batch=128,
        pre_lr=1e-3,
        n_ft=10,
        ft_steps=1500,
        ft_batch=64,
        ft_lr=3e-3,
        subsets=["biases", "input", "output"],
        n_samples=500,
        n_val=300,
        alpha=10.0,
    ),
    "paper": dict(
        T=1000,
        beta_max=0.01,
        width=256,
        depth=3,
        n_freq=16,
        new_class=8,
        pre_classes=6,
        pre_steps=6000,
        pre_batch=128,
        pre_lr=1e-3,
        n_ft=10,
        ft_steps=1500,
        ft_batch=64,
        ft_lr=3e-3,
        subsets=["biases", "input", "output"],
        n_samples=2000,
        n_val=1000,
        alpha=10.0,
    ),
}
ch = chapter.setup(
    "27_diffusion_memorization_capacity",
    scale=scale,
    seed=seed,
    device=device,
    presets=PRESETS,
)
cfg = ch.cfg

# %% [markdown]
# ## Setup
#
# **Data.** scikit-learn's 8×8 digits, pixels scaled to $[-1, 1]$. The model is pretrained on
# the {glue:text}`n_pre` images of the classes 0 to {glue:text}`last_pre`; it never sees a
# {glue:text}`new_class` until it is fine-tuned on {glue:text}`n_ft` of them, drawn at random.
# The other {glue:text}`n_held` images of that class are held out: the reference for quality.
#
# **Model.** A DDPM {cite:p}`ho2020ddpm` with $T$ = {glue:text}`T` steps and a noise predictor
# made of {glue:text}`depth` residual layers of {glue:text}`width` SiLU units
# ({glue:text}`n_params` parameters), pretrained for {glue:text}`pre_steps` Adam steps. Each
# fine-tuning run starts from the same pretrained weights and takes {glue:text}`ft_steps` Adam
# steps at the same rate on batches of {glue:text}`ft_batch` noisy copies of the ten images;
# only the run's subset of parameters moves: all of them (twice, with other batches and noise),
# the biases, the input layer (which also reads the time features) or the output layer. Every
# model then draws {glue:text}`n_samples` samples from the same noise.
#
# **What counts as a copy.** A sample is a near-copy when its nearest training image is closer
# than a third of the distance to the second nearest, in pixel space: it is one training
# image, not a blend of several. This is the simplest form of the relative distance of
# {cite:t}`carlini2023extracting` (a sample's distance to a training image, against its
# distances to the others); the cut at 1/3 is our choice, not checked against the paper's
# detector. The test is calibrated on real images: applied to the held-out digits of the class,
# which are new images of the same kind, it should call almost none of them copies.
#
# **Quality.** The Fréchet distance between Gaussians fitted to the samples and to the held-out
# digits (the statistic behind FID, here on the 64 pixels), and the share of samples that a
# logistic regression trained on real digits (not the ten) labels as a {glue:text}`new_class`.

# %%
X_all, y_all = load_digits()
X_all = X_all / 8.0 - 1.0  # pixels 0..16 to [-1, 1]
new = np.flatnonzero(y_all == cfg.new_class)
ch.rng.shuffle(new)
X_ft, X_held = X_all[new[: cfg.n_ft]], X_all[new[cfg.n_ft :]]
X_pre = X_all[y_all < cfg.pre_classes]
others = y_all != cfg.new_class
judge = LogisticRegression(max_iter=2000).fit(
    np.concatenate([X_all[others], X_held]),
    np.concatenate([y_all[others], np.full(len(X_held), cfg.new_class)]),
)
S = df.linear_schedule(cfg.T, 1e-4, cfg.beta_max)
pre_seed, ft_seed, val_seed, test_seed = ch.seeds(4)
net = df.denoiser(
    64,
    cfg.T,
    width=cfg.width,
    depth=cfg.depth,
    n_freq=cfg.n_freq,
    residual=True,
    seed=ch.seed,
    device=ch.device,
)
pre_losses = df.train_denoiser(
    net,
    X_pre,
    S,
    steps=cfg.pre_steps,
    lr=cfg.pre_lr,
    batch_size=cfg.pre_batch,
    seed=pre_seed,
)
arms = ["full", "full_2", *cfg.subsets]
masks, shares = zip(
    *(cp.subset_mask(net, a.removesuffix("_2")) for a in arms), strict=True
)
stack = df.finetune_stack(
    net,
    X_ft,
    S,
    masks,
    steps=cfg.ft_steps,
    lr=cfg.ft_lr,
    batch_size=cfg.ft_batch,
    seed=ft_seed,
)
models = ["base", *arms]  # base: the pretrained weights, not fine-tuned
stack = {k: torch.cat([p.detach()[None], stack[k]]) for k, p in net.named_parameters()}
samples = dict(
    zip(
        models, df.sample_stack(net, stack, S, cfg.n_samples, seed=test_seed), strict=True
    )
)
val = dict(
    zip(models, df.sample_stack(net, stack, S, cfg.n_val, seed=val_seed), strict=True)
)
ch.glue(
    **cfg.pick(
        "T",
        "depth",
        "width",
        "pre_steps",
        "ft_steps",
        "ft_batch",
        "n_ft",
        "n_samples",
        "n_val",
        "new_class",
        "alpha",
    ),
    n_pre=len(X_pre),
    last_pre=cfg.pre_classes - 1,
    n_held=len(X_held),
    n_params=sum(p.numel() for p in net.parameters()),
)


# %%
def scores(x):
    """Copy rate, mean distance to the nearest training image, Fréchet distance to the
    held-out digits and the share judged to be of the new class, for samples x."""
    d1, _ = cp.nearest_two(x, X_ft)
    return dict(
        copies=cp.copy_fraction(x, X_ft),
        nearest=float(d1.mean()),
        frechet=cp.frechet_distance(x, X_held),
        judged=float(np.mean(judge.predict(x) == cfg.new_class)),
    )


table = {m: scores(samples[m]) for m in models}
share = dict(zip(arms, shares, strict=True), base=0.0)
held_copies = cp.copy_fraction(X_held, X_ft)  # real new images called copies
full_copies = (table["full"]["copies"] + table["full_2"]["copies"]) / 2
for m in models:
    row = table[m]
    print(
        f"{m:8s} {100 * share[m]:5.1f}% trained  copies {row['copies']:.3f}  "
        f"nearest {row['nearest']:.2f}  Frechet {row['frechet']:.2f}  "
        f"judged {row['judged']:.2f}"
    )
print(f"held-out real digits called copies: {held_copies:.3f}")

# %% [markdown]
# ## All parameters copy, a subset does not

# %% tags=["hide-input", "remove-output"]
best_subset = min(cfg.subsets, key=lambda m: (table[m]["copies"], table[m]["frechet"]))
shown = np.arange(cfg.n_ft)
rows = [
    ("fine-tuning set", X_ft[shown]),
    ("all parameters", samples["full"][shown]),
    (
        "its nearest\ntraining image",
        X_ft[
            np.argmin(((samples["full"][shown, None] - X_ft[None]) ** 2).sum(-1), axis=1)
        ],
    ),
    (f"{best_subset} only", samples[best_subset][shown]),
]
fig, axes = plt.subplots(len(rows), len(shown), figsize=(0.75 * len(shown), 3.2))
for r, (label, images) in enumerate(rows):
    for c, ax in enumerate(axes[r]):
        ax.imshow(np.clip(images[c], -1, 1).reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
        ax.set(xticks=[], yticks=[])
    axes[r, 0].set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
ch.figure("fig-27_diffusion_memorization_capacity-samples")

# %% [markdown]
# ```{glue:figure} fig-27_diffusion_memorization_capacity-samples
# :name: fig-27_diffusion_memorization_capacity-samples
#
# Top: the {glue:text}`n_ft` fine-tuning images. Second row: the first samples of the model
# fine-tuned on all its parameters; third row: the training image nearest to each. Bottom: the
# samples from the same noise of the model fine-tuned on one subset only (the one of the subsets
# with the fewest copies, ties broken by the distance to the held-out digits).
# ```
#
# Over {glue:text}`n_samples` samples, fine-tuning every parameter makes
# {glue:text}`full_copies_pct:.1f` % of the samples near-copies (mean of the two runs; the
# pretrained model before fine-tuning: {glue:text}`base_copies_pct:.1f` %). The most any of
# the subsets copies is {glue:text}`subset_copies_pct:.1f` %. The ratio test itself calls
# {glue:text}`held_copies_pct:.1f` % of the real held-out digits copies.

# %% tags=["hide-input", "remove-output"]
colors = dict(
    base="0.5",
    full=OKABE_ITO["vermillion"],
    full_2=OKABE_ITO["orange"],
    biases=OKABE_ITO["blue"],
    input=OKABE_ITO["green"],
    output=OKABE_ITO["purple"],
)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.5))
for m in models:
    row = table[m]
    ax1.scatter(
        row["frechet"],
        100 * row["copies"],
        s=30 + 300 * share[m],
        color=colors.get(m, "0.3"),
        label=f"{m} ({100 * share[m]:.1f}%)",
    )
ax1.set(
    xlabel="Fréchet distance to held-out digits (lower: better)",
    ylabel="near-copies (% of samples)",
)
ax1.legend(fontsize=7, title="trained (share of parameters)", title_fontsize=7)
bins = np.linspace(0, 1, 41)
for m in ["full", *cfg.subsets]:
    d1, d2 = cp.nearest_two(samples[m], X_ft)
    ax2.hist(d1 / d2, bins=bins, histtype="step", color=colors.get(m, "0.3"), label=m)
d1, d2 = cp.nearest_two(X_held, X_ft)
ax2.hist(d1 / d2, bins=bins, color="0.85", label="held-out real digits", zorder=0)
ax2.axvline(1 / 3, color="0.3", lw=0.8, ls="--")
ax2.set(xlabel="nearest / second-nearest training image", ylabel="count")
ax2.legend(fontsize=7)
fig.tight_layout()
ch.figure("fig-27_diffusion_memorization_capacity-tradeoff")

# %% [markdown]
# ```{glue:figure} fig-27_diffusion_memorization_capacity-tradeoff
# :name: fig-27_diffusion_memorization_capacity-tradeoff
#
# Left: each model's share of near-copies against its Fréchet distance to the held-out digits;
# marker area grows with the share of parameters trained. Right: the ratio of each sample's
# distances to its nearest and second-nearest training image; left of the dashed line (1/3) it
# is a copy. Grey: the same ratio for the real held-out digits.
# ```
#
# **Quality.** The largest Fréchet distance of a subset is {glue:text}`frechet_ratio:.2f` times
# that of full fine-tuning (the pretrained model: {glue:text}`base_frechet_ratio:.2f` times), and
# at least {glue:text}`subset_judged_pct:.0f` % of every subset's samples are judged to be a
# {glue:text}`new_class` (before fine-tuning: {glue:text}`base_judged_pct:.0f` %). So the
# subsets do learn the new class; they learn it without copying.
#
# **Choosing a subset.** Score each candidate (all parameters or one subset) by the reward
# $-$(Fréchet distance) $-$ {glue:text}`alpha` × (share of copies) on {glue:text}`n_val`
# separate samples, keep the best, and score it again on the samples above. This is a lookup
# over {glue:text}`n_candidates` hand-made candidates, not the paper's bi-level search.


# %%
def reward(x):
    return -cp.frechet_distance(x, X_held) - cfg.alpha * cp.copy_fraction(x, X_ft)


candidates = ["full", *cfg.subsets]
val_reward = {m: reward(val[m]) for m in candidates}
chosen = max(candidates, key=val_reward.get)
test_reward = {m: reward(samples[m]) for m in models}
reward_gain = test_reward[chosen] - test_reward["full"]
reward_gain_control = test_reward["full_2"] - test_reward["full"]
subset_copies = max(table[m]["copies"] for m in cfg.subsets)
copy_ratio = subset_copies / max(full_copies, 1 / cfg.n_samples)
copy_ratio_control = table["full_2"]["copies"] / max(
    table["full"]["copies"], 1 / cfg.n_samples
)
frechet_ratio = max(table[m]["frechet"] for m in cfg.subsets) / table["full"]["frechet"]
base_frechet_ratio = table["base"]["frechet"] / table["full"]["frechet"]
subset_judged = min(table[m]["judged"] for m in cfg.subsets)
ch.glue(
    full_copies_pct=100 * full_copies,
    base_copies_pct=100 * table["base"]["copies"],
    subset_copies_pct=100 * subset_copies,
    held_copies_pct=100 * held_copies,
    frechet_ratio=frechet_ratio,
    base_frechet_ratio=base_frechet_ratio,
    subset_judged_pct=100 * subset_judged,
    base_judged_pct=100 * table["base"]["judged"],
    n_candidates=len(candidates),
    chosen=chosen,
    reward_gain=reward_gain,
    reward_gain_control=reward_gain_control,
    copy_ratio=copy_ratio,
    full_frechet=table["full"]["frechet"],
)
print("validation rewards: " + ", ".join(f"{m} {r:.2f}" for m, r in val_reward.items()))
print(
    f"chosen: {chosen}; test reward over full fine-tuning {reward_gain:+.2f} "
    f"(second full run: {reward_gain_control:+.2f})"
)

# %% [markdown]
# On this seed the reward picks **{glue:text}`chosen`**, which scores
# {glue:text}`reward_gain:+.2f` over full fine-tuning on the test samples; the second full
# fine-tuning run, which differs only in its batches and noise, scores
# {glue:text}`reward_gain_control:+.2f`.
#
# ## Claim checks

# %%
smoke_miss = (
    "the smoke run fine-tunes a narrow network too briefly to copy; the claim is "
    "tested at book scale"
    if scale == "smoke"
    else None
)
ch.check(
    "full_finetuning_copies",
    "fine-tuning every parameter on the fine-tuning images makes over 5% of the samples "
    "near-copies "
    "of a training image (ratio test at 1/3; mean of two fine-tuning runs)",
    full_copies,
    ">",
    0.05,
    control=table["base"]["copies"],
    control_is="the pretrained model before fine-tuning",
    known_miss=smoke_miss,
)
ch.check(
    "subsets_copy_far_less",
    "fine-tuning only a subset (biases, input or output layer) copies less than a "
    "quarter "
    "as often as fine-tuning every parameter (the subset that copies most, over the mean "
    "of the two full runs)",
    copy_ratio,
    "<",
    0.25,
    control=copy_ratio_control,
    control_is="a second full fine-tuning run with other batches and noise, over the "
    "first",
    known_miss=smoke_miss,
)
ch.check(
    "subsets_keep_quality",
    "every subset's samples are at least as close to the held-out digits as those of "
    "full "
    "fine-tuning (largest Fréchet distance of a subset over that of full fine-tuning)",
    frechet_ratio,
    "<",
    1.0,
    control=base_frechet_ratio,
    control_is="the pretrained model before fine-tuning, over full fine-tuning",
    known_miss=smoke_miss,
)
ch.check(
    "subsets_learn_the_class",
    "most samples of every subset are judged to be of the new class by a classifier "
    "trained on real digits (smallest share over the subsets)",
    subset_judged,
    ">",
    0.5,
    control=table["base"]["judged"],
    control_is="the pretrained model before fine-tuning",
)
ch.check(
    "reward_picks_a_better_subset",
    f"the candidate with the best reward -distance - {cfg.alpha:g} x copies on "
    "validation "
    "samples beats full fine-tuning on the test samples by over 1 in that reward",
    reward_gain,
    ">",
    1.0,
    control=reward_gain_control,
    control_is="a second full fine-tuning run in place of the chosen candidate",
    known_miss=smoke_miss,
)
ch.check(
    "ratio_test_spares_real_images",
    "the ratio test calls at most 2% of the real held-out digits of the class copies",
    held_copies,
    "<=",
    0.02,
    kind="setup",
)
ch.check(
    "pretraining_converged",
    "the pretraining loss over its last tenth is below 0.5 of its first step's",
    float(np.mean(pre_losses[-max(1, len(pre_losses) // 10) :]) / pre_losses[0]),
    "<",
    0.5,
    kind="setup",
)

# %%
ch.report()

# %% [markdown]
# ## Paper vs here
#
# | | paper | here |
# |---|---|---|
# | model and data | a latent diffusion model for images (medical images in the paper's main results) | a {glue:text}`n_params`-parameter MLP denoiser of 8×8 digits, pretrained on six classes |
# | fine-tuning set | a small set of images | {glue:text}`n_ft` images of a class the model has not seen |
# | full fine-tuning copies | yes | {glue:text}`full_copies_pct:.1f` % near-copies (before fine-tuning {glue:text}`base_copies_pct:.1f` %) |
# | a subset copies less | yes, at similar or better quality | at most {glue:text}`subset_copies_pct:.1f` %; Fréchet distance at most {glue:text}`frechet_ratio:.2f` × full's |
# | choosing the subset | a bi-level search with quality and memorisation rewards | a lookup over {glue:text}`n_candidates` candidates by one reward; picks {glue:text}`chosen` |
#
# The paper measures quality with FID on image features and memorisation with its own copy
# detector; here both are on raw pixels, and the search space is four hand-made candidates.
# We did not read the paper's search space, its memorisation metric or its numbers, only its
# abstract; the checks test the direction of its claims, not their size. How much full
# fine-tuning copies depends on how long and how fast it trains (see *Try it*).
#
# ## Try it
#
# - Fine-tune for longer (`ft_steps` 3000). Do you expect the subsets to start copying too, and
#   does the reward still prefer one of them?
# - Fine-tune on fewer images (`n_ft` 4) or more (`n_ft` 30). Which way do you expect the
#   share of copies to move for full fine-tuning, and for the output layer?
# - Make the network narrower (`width` 128). Do you expect it to copy more or less?
# - Related chapter: 26, on what the same kind of model generates between the modes of its
#   training data.
