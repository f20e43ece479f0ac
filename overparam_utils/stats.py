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
