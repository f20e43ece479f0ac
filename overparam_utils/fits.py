"""Reading curves known on a grid: power-law fits and crossings (chapters 03, 04, 07, 12, 13, 15).

* :func:`loglog_fit`, :func:`loglog_slope`: one implementation for every chapter that fits an exponent:
  ``y ~ c x^a`` has ``log y = a log x + log c``.
* :func:`crossings`, :func:`crossover`: where two curves change order, interpolated linearly in
  ``log x`` (scales are log-spaced) and, for positive losses, in ``log y`` as well, which is exact for
  two power laws. Chapter 13 uses :func:`crossings` on linear axes to find where an accuracy curve
  passes 50 %.
* :func:`bootstrap_crossover`: the spread of the crossing over repeated runs (seeds resampled).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray


def loglog_fit(x: ArrayLike, y: ArrayLike, axis: int = -1) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Least-squares ``log y = slope * log x + intercept`` along ``axis`` of ``y``; returns ``(slope, intercept)``.

    ``x (k,)`` positive, ``k >= 2``; ``y`` positive with ``k`` entries along ``axis`` and any other axes, which
    are fitted independently (``slope`` and ``intercept`` have ``y``'s shape without ``axis``; 0-d arrays for a
    1-d ``y``). For ``y = c x^-a`` it returns ``(-a, log c)``. ``np.polyfit`` does the work, so the numbers
    are those of ``np.polyfit(np.log(x), np.log(y), 1)``.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.moveaxis(np.asarray(y, dtype=np.float64), axis, 0)
    if x.ndim != 1 or x.size < 2 or y.shape[0] != x.size:
        raise ValueError(f"x needs k >= 2 entries and y k entries along axis {axis}; got {x.shape} and {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("a log-log fit needs positive x and y")
    flat = np.log(y).reshape(x.size, -1)
    slope, intercept = np.polyfit(np.log(x), flat, 1)
    return slope.reshape(y.shape[1:]), intercept.reshape(y.shape[1:])


def loglog_slope(x: ArrayLike, y: ArrayLike, axis: int = -1) -> NDArray[np.float64] | float:
    """The exponent ``a`` of ``y ~ x^a`` along ``axis`` of ``y`` (see :func:`loglog_fit`); a float for 1-d ``y``."""
    slope = loglog_fit(x, y, axis)[0]
    return float(slope) if slope.ndim == 0 else slope


def _gap(a: NDArray[np.float64], b: NDArray[np.float64], log_y: bool) -> NDArray[np.float64]:
    if log_y:
        if np.any(a <= 0) or np.any(b <= 0):
            raise ValueError("log_y=True needs positive curves")
        return np.log(a) - np.log(b)
    return a - b


def crossings(
    x: ArrayLike, a: ArrayLike, b: ArrayLike, *, log_x: bool = True, log_y: bool = True
) -> NDArray[np.float64]:
    """Every point where curve ``a`` and curve ``b`` (both ``(len(x),)`` over the increasing grid ``x``)
    change order, interpolated between grid points (in ``log x`` / ``log y`` when asked).

    A grid point where the two are exactly equal counts once. Returns the crossing locations in
    increasing order (empty when one curve stays below the other).
    """
    x = np.asarray(x, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if not (x.ndim == a.ndim == b.ndim == 1 and x.shape == a.shape == b.shape):
        raise ValueError(f"x, a, b must be 1-d of the same length, got {x.shape}, {a.shape}, {b.shape}")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing")
    u = np.log(x) if log_x else x
    g = _gap(a, b, log_y)
    out = []
    for i in range(len(x) - 1):
        g0, g1 = g[i], g[i + 1]
        if g0 == 0 and (i == 0 or g[i - 1] != 0):
            out.append(u[i])
        elif g0 * g1 < 0:
            out.append(u[i] + (u[i + 1] - u[i]) * g0 / (g0 - g1))
    if len(g) and g[-1] == 0 and (len(g) == 1 or g[-2] != 0):
        out.append(u[-1])
    out_arr = np.array(out, dtype=np.float64)
    return np.exp(out_arr) if log_x else out_arr


def crossover(x: ArrayLike, a: ArrayLike, b: ArrayLike, *, log_x: bool = True, log_y: bool = True) -> float:
    """The single point where ``a`` and ``b`` change order; ``nan`` if they never do or do so more than once.

    Chapter 15 reads it as "method a stops winning at this scale" (or starts: look at the sign of
    ``a - b`` on either side).
    """
    found = crossings(x, a, b, log_x=log_x, log_y=log_y)
    return float(found[0]) if found.size == 1 else float("nan")


def bootstrap_crossover(
    x: ArrayLike,
    A: ArrayLike,
    B: ArrayLike,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    log_x: bool = True,
    log_y: bool = True,
    average: Callable[..., NDArray[np.float64]] = np.mean,
) -> tuple[float, NDArray[np.float64]]:
    """Crossover of the seed-averaged curves, and its bootstrap distribution over seeds.

    ``A, B``: ``(n_draws, len(x))``, one curve per seed; row ``i`` of both comes from the same seed and
    the two are resampled together. Returns ``(estimate, samples)``: the crossover of
    ``average(A, axis=0)`` and ``average(B, axis=0)``, and ``n_boot`` crossovers of the averages over
    seeds drawn with replacement (``nan`` where a resample has no single crossing). Quantiles of the
    finite samples give an interval; the share of ``nan`` says how often the crossing is ambiguous.
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or A.shape != B.shape:
        raise ValueError(f"A and B must be (n_draws, n_x) of the same shape, got {A.shape} and {B.shape}")
    estimate = crossover(x, average(A, axis=0), average(B, axis=0), log_x=log_x, log_y=log_y)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, A.shape[0], size=(n_boot, A.shape[0]))
    samples = np.array(
        [crossover(x, average(A[i], axis=0), average(B[i], axis=0), log_x=log_x, log_y=log_y) for i in picks]
    )
    return estimate, samples
