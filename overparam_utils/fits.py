"""Fits of power laws: least-squares lines in log-log coordinates (chapters 03, 04, 07, 12, 13).

One implementation for every chapter that fits an exponent: ``y ~ c x^a`` has ``log y = a log x + log c``.
"""

from __future__ import annotations

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
