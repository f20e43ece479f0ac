"""Hallucinations of a diffusion model on a 1-D mixture of narrow Gaussians: which samples fall off the
data's support, how much of the true density lies there, the denoiser's shape between two modes, and the
detector that flags off-support samples by the variance of their predicted clean sample late in the
reverse chain (chapter 26, after Aithal et al., 2024).

The diffusion machinery itself (schedule, denoiser, training, sampler, exact mixture predictor) is in
:mod:`overparam_utils.diffusion`; this module only reads what it produces.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .stats import average_ranks


def mixture_draws(
    means: ArrayLike, sd: float, weights: ArrayLike, n: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``n`` draws of a 1-D mixture of Gaussians with centres ``means``, common width ``sd`` and
    probabilities ``weights``; returned as a column ``(n, 1)``, the shape the denoiser trains on."""
    means, weights = np.asarray(means, dtype=np.float64), np.asarray(weights, dtype=np.float64)
    comp = rng.choice(len(means), size=n, p=weights / weights.sum())
    return (means[comp] + sd * rng.standard_normal(n))[:, None]


def nearest_mode_distance(x: ArrayLike, means: ArrayLike) -> NDArray[np.float64]:
    """The distance of each value of ``x`` to the nearest of the 1-D ``means``."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return np.abs(x[:, None] - np.asarray(means, dtype=np.float64)[None, :]).min(axis=1)


def off_support(x: ArrayLike, means: ArrayLike, sd: float, k: float = 4.0) -> NDArray[np.bool_]:
    """``True`` for samples farther than ``k * sd`` from every mode: the chapter's hallucinations."""
    return nearest_mode_distance(x, means) > k * sd


def between_modes(x: ArrayLike, means: ArrayLike, sd: float, k: float = 4.0) -> NDArray[np.bool_]:
    """``True`` for samples in a gap between two neighbouring modes: inside ``(min(means), max(means))``
    and farther than ``k * sd`` from every mode (off-support samples outside the outer modes excluded)."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    means = np.asarray(means, dtype=np.float64)
    return off_support(x, means, sd, k) & (x > means.min()) & (x < means.max())


def _normal_cdf(z: NDArray[np.float64]) -> NDArray[np.float64]:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(z, dtype=np.float64) / math.sqrt(2.0)))


def mass_between_modes(means: ArrayLike, sd: float, weights: ArrayLike, k: float = 4.0) -> float:
    """The probability that a draw of the mixture itself lands in a gap (as :func:`between_modes`
    counts it): the mass of every component over every interval ``(m_i + k sd, m_{i+1} - k sd)`` between
    neighbouring sorted modes ``m_i``, summed. Zero where neighbours are closer than ``2 k sd``."""
    means = np.asarray(means, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    order = np.argsort(means)
    means, weights = means[order], weights[order] / weights.sum()
    lo, hi = means[:-1] + k * sd, means[1:] - k * sd
    keep = hi > lo
    lo, hi = lo[keep], hi[keep]
    if len(lo) == 0:
        return 0.0
    # (components, gaps) probability of component j in gap g
    p = _normal_cdf((hi[None, :] - means[:, None]) / sd) - _normal_cdf((lo[None, :] - means[:, None]) / sd)
    return float((weights[:, None] * p).sum())


def predicted_x0(eps_fn: Callable, x: ArrayLike, t: int, schedule) -> NDArray[np.float64]:
    """The denoiser's estimate of the clean sample, ``(x - sqrt(1 - abar_t) eps_fn(x, t)) / sqrt(abar_t)``,
    at one step ``t`` for the 1-D points ``x`` (a numpy array; evaluated on the CPU in float32 unless
    ``eps_fn`` moves it). With the exact :func:`overparam_utils.diffusion.mixture_eps` this is the
    posterior mean ``E[x0 | x_t = x]``."""
    import torch

    x = np.asarray(x, dtype=np.float64).reshape(-1)
    try:
        where = next(eps_fn.parameters()).device
    except (AttributeError, StopIteration):
        where = "cpu"
    xt = torch.as_tensor(x, dtype=torch.float32, device=where)[:, None]
    with torch.no_grad():
        eps = eps_fn(xt, torch.full((len(x),), int(t), dtype=torch.long, device=where))
    eps = eps.detach().cpu().numpy().astype(np.float64)[:, 0]
    abar = schedule.alpha_bar[t]
    return (x - math.sqrt(1.0 - abar) * eps) / math.sqrt(abar)


def ramp_width(x: ArrayLike, y: ArrayLike, lo: float, hi: float) -> float:
    """How much of the evenly spaced grid ``x`` the curve ``y(x)`` maps strictly inside ``(lo, hi)``:
    the grid step times the number of such points. For a denoiser between two modes at ``a < b`` with
    ``(lo, hi)`` the middle of the gap, a step function gives (nearly) zero and a smooth ramp of slope
    ``s`` gives about ``(hi - lo) / s``."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) < 2:
        raise ValueError("ramp_width needs a grid of at least two points")
    dx = (x[-1] - x[0]) / (len(x) - 1)
    return float(dx * np.count_nonzero((y > lo) & (y < hi)))


def trajectory_variance(path: ArrayLike, window: tuple[int, int]) -> NDArray[np.float64]:
    """The detector: per sample, the variance of the predicted clean sample ``x0_hat`` over the reverse
    steps ``t`` in ``[window[0], window[1])`` (``t`` counted as in the forward process: ``t = 0`` is the
    chain's last step).

    ``path`` is :func:`overparam_utils.diffusion.sample`'s ``x0_hat`` of shape ``(T, n)`` or ``(T, n, 1)``,
    in the order the chain visits the steps, so step ``t`` is row ``T - 1 - t``.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim == 3:
        path = path[..., 0]
    T = path.shape[0]
    a, b = window
    if not 0 <= a < b <= T:
        raise ValueError(f"window must satisfy 0 <= start < stop <= T = {T}, got {window}")
    rows = path[T - b : T - a]
    return rows.var(axis=0)


def keep_threshold(score_in: ArrayLike, keep: float = 0.95) -> float:
    """The detector's cut: the ``keep`` quantile of its score on in-support samples, so that a filter
    rejecting scores above it keeps a fraction ``keep`` of them."""
    return float(np.quantile(np.asarray(score_in, dtype=np.float64), keep))


def removed_fraction(score: ArrayLike, flagged: ArrayLike, keep: float = 0.95) -> float:
    """The fraction of the ``flagged`` samples whose ``score`` exceeds the cut that keeps a fraction
    ``keep`` of the unflagged ones (:func:`keep_threshold`)."""
    score, flagged = np.asarray(score, dtype=np.float64), np.asarray(flagged, dtype=bool)
    if not flagged.any() or flagged.all():
        return float("nan")
    return float(np.mean(score[flagged] > keep_threshold(score[~flagged], keep)))


def auroc(score: ArrayLike, flagged: ArrayLike) -> float:
    """The area under the ROC curve of ``score`` for telling ``flagged`` samples from the others: the
    probability that a random flagged sample scores above a random unflagged one (ties count half;
    the Mann-Whitney statistic)."""
    score, flagged = np.asarray(score, dtype=np.float64), np.asarray(flagged, dtype=bool)
    n_pos, n_neg = int(flagged.sum()), int((~flagged).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = average_ranks(score)
    return float((ranks[flagged].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def roc_curve(score: ArrayLike, flagged: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The ROC curve of ``score`` for ``flagged``: false- and true-positive rates, from (0, 0) to (1, 1),
    as the cut falls through every distinct score."""
    score, flagged = np.asarray(score, dtype=np.float64), np.asarray(flagged, dtype=bool)
    order = np.argsort(-score, kind="mergesort")
    s, f = score[order], flagged[order]
    last = np.r_[s[1:] != s[:-1], True]  # last index of each run of tied scores
    tp, fp = np.cumsum(f)[last], np.cumsum(~f)[last]
    return np.r_[0.0, fp / max(fp[-1], 1)], np.r_[0.0, tp / max(tp[-1], 1)]
