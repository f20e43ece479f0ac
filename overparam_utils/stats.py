"""Small statistics that chapters need without importing ``scipy.stats`` (about 0.6 s per kernel)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def average_ranks(x: ArrayLike) -> NDArray[np.float64]:
    """Ranks ``1..n`` of the values of a 1-D ``x``; tied values share the mean of their ranks
    (``scipy.stats.rankdata``'s default ``method="average"``)."""
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"expected a 1-D array, got shape {x.shape}")
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    # start of each run of equal values, and the mean rank of the run
    starts = np.flatnonzero(np.r_[True, sorted_x[1:] != sorted_x[:-1]])
    ends = np.r_[starts[1:], len(x)]
    run_rank = (starts + ends + 1) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.repeat(run_rank, ends - starts)
    return ranks


def spearman(a: ArrayLike, b: ArrayLike) -> float:
    """Spearman's rank correlation of two 1-D samples of equal length: the Pearson correlation of
    their average ranks (as ``scipy.stats.spearmanr(a, b).statistic``). ``nan`` if either sample is
    constant. Chapters 02 and 18."""
    ra, rb = average_ranks(a), average_ranks(b)
    if ra.shape != rb.shape:
        raise ValueError(f"samples of different lengths: {ra.shape[0]} and {rb.shape[0]}")
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra @ ra) * (rb @ rb))
    return float(ra @ rb / denom) if denom > 0 else float("nan")


def paired_gap(a: ArrayLike, b: ArrayLike, n_se: float = 2.0) -> dict[str, float]:
    """The paired difference ``a - b`` over draws (``a[i]`` and ``b[i]`` share draw ``i``).

    Returns its ``mean``, its standard error ``se`` (sample standard deviation, ``ddof=1``, over
    ``sqrt(n)``; 0 for a single draw) and ``lower = mean - n_se * se``, the statistic a claim threshold
    is held against when an effect is small next to the draw-to-draw spread (chapters 21, 22).
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if d.ndim != 1 or d.size == 0:
        raise ValueError("need two 1-D arrays of the same number of paired draws")
    se = float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else 0.0
    mean = float(d.mean())
    return {"mean": mean, "se": se, "lower": mean - n_se * se}
