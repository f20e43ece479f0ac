"""Spectra of data and feature matrices (chapters 01 and 02).

* :func:`condition_number`: ratio of the largest to the smallest non-zero eigenvalue of ``X^T X``.
* :func:`marchenko_pastur_pdf`: the limiting eigenvalue density of a sample covariance of i.i.d. data.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .linear import DEFAULT_RTOL


def condition_number(X: ArrayLike, rtol: float = DEFAULT_RTOL) -> float:
    """``lambda_max / lambda_min`` of ``X^T X`` over its non-zero eigenvalues (``(s_max / s_min)**2``).

    Singular values below ``rtol * s_max`` count as zero: when ``X`` has more columns than rows, the
    exact zeros of ``X^T X`` are directions gradient descent never moves in, not ill-conditioning.
    """
    s = np.linalg.svd(np.asarray(X, dtype=np.float64), compute_uv=False)
    s = s[s > rtol * s[0]]
    return float((s[0] / s[-1]) ** 2)


def marchenko_pastur_pdf(x: ArrayLike, ratio: float, variance: float = 1.0) -> NDArray[np.float64]:
    """Marchenko-Pastur density of the eigenvalues of ``Z^T Z / n`` for ``Z (n, p)`` with i.i.d. entries.

    ``ratio = p / n`` and ``variance`` is the entries' variance. The density is that of the non-zero
    part of the spectrum, normalised to integrate to ``min(1, 1/ratio)`` (for ``ratio > 1`` a mass
    ``1 - 1/ratio`` sits at exactly zero). Edges: ``variance * (1 +- sqrt(ratio))**2``.
    Chapter 01 overlays it on the Hessian spectrum of its linear student.
    """
    x = np.asarray(x, dtype=np.float64)
    lo = variance * (1 - np.sqrt(ratio)) ** 2
    hi = variance * (1 + np.sqrt(ratio)) ** 2
    inside = (x > lo) & (x < hi)
    out = np.zeros_like(x)
    xi = x[inside]
    out[inside] = np.sqrt((hi - xi) * (xi - lo)) / (2 * np.pi * variance * ratio * xi)
    return out
