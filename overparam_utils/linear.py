"""Exact gradient-descent trajectories of least squares, from one SVD (chapters 01 and 02).

For the loss :math:`L(w) = \\lVert y - Xw \\rVert^2 / (2n)` with ``X`` of shape ``(n, p)``, write the thin
SVD ``X = U S V^T`` and the Hessian eigenvalues :math:`\\lambda_i = s_i^2 / n`. In the eigenbasis each
coordinate relaxes independently from its initial value :math:`c_i(0)` to its least-squares value
:math:`c_i^*`:

* gradient flow: :math:`c_i(t) = c_i^* + (c_i(0) - c_i^*)\\, e^{-\\lambda_i t}`;
* gradient descent with step ``lr`` after ``k`` steps: the factor is :math:`(1 - \\mathrm{lr}\\,\\lambda_i)^k`.

The component of the initial weights orthogonal to the row space of ``X`` (the *frozen subspace*
when ``p > n``) never moves. One SVD therefore gives the weights at every time, step count and
learning rate at once, vectorised, instead of a Python loop of gradient steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_RTOL = 1e-10
"""Singular values below ``rtol * s_max`` are treated as exactly zero (frozen directions)."""


@dataclass(frozen=True)
class LeastSquaresPath:
    """The whole gradient-descent path of least squares from ``w0``, precomputed from one SVD.

    Attributes
    ----------
    V: ``(p, r)`` right singular vectors of ``X`` with non-zero singular values (``r <= min(n, p)``).
    eigvals: ``(r,)`` Hessian eigenvalues ``s_i**2 / n``, descending.
    c0, c_star: ``(r,)`` initial and least-squares coordinates along ``V``.
    w_frozen: ``(p,)`` the part of ``w0`` orthogonal to the row space of ``X`` (never changes).

    Used in chapter 01 (linear student, exact dynamics) and chapter 02 (budget-limited GD on random features).
    """

    V: NDArray[np.float64]
    eigvals: NDArray[np.float64]
    c0: NDArray[np.float64]
    c_star: NDArray[np.float64]
    w_frozen: NDArray[np.float64]

    @classmethod
    def fit(cls, X: ArrayLike, y: ArrayLike, w0: ArrayLike | None = None, rtol: float = DEFAULT_RTOL):
        """Precompute the path for data ``X (n, p)``, targets ``y (n,)`` and initial weights ``w0 (p,)``."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        n, p = X.shape
        if y.shape != (n,):
            raise ValueError(f"y has shape {y.shape}, expected ({n},)")
        w0 = np.zeros(p) if w0 is None else np.asarray(w0, dtype=np.float64)
        if w0.shape != (p,):
            raise ValueError(f"w0 has shape {w0.shape}, expected ({p},)")
        U, s, Vt = np.linalg.svd(X, full_matrices=False)
        keep = s > rtol * s[0] if s.size and s[0] > 0 else np.zeros_like(s, dtype=bool)
        U, s, V = U[:, keep], s[keep], Vt[keep].T
        c0 = V.T @ w0
        c_star = (U.T @ y) / s
        return cls(V=V, eigvals=s**2 / n, c0=c0, c_star=c_star, w_frozen=w0 - V @ c0)

    @property
    def rank(self) -> int:
        return int(self.eigvals.size)

    def _weights(self, decay: NDArray[np.float64]) -> NDArray[np.float64]:
        """Weights for decay factors ``decay (T, r)`` of ``c0 - c_star``: shape ``(T, p)``."""
        coords = self.c_star + (self.c0 - self.c_star) * decay
        return coords @ self.V.T + self.w_frozen

    def weights_flow(self, times: ArrayLike) -> NDArray[np.float64]:
        """Weights under gradient flow at each time in ``times (T,)``: shape ``(T, p)``."""
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
        return self._weights(np.exp(-np.outer(t, self.eigvals)))

    def weights_gd(self, steps: ArrayLike, lr: float) -> NDArray[np.float64]:
        """Weights after each number of full-batch gradient steps in ``steps (T,)`` with step ``lr``: ``(T, p)``.

        Exactly what ``w <- w - lr * X^T (X w - y) / n`` repeated gives (up to round-off).
        """
        k = np.atleast_1d(np.asarray(steps, dtype=np.float64))
        if np.any(k != np.round(k)) or np.any(k < 0):
            raise ValueError("steps must be non-negative integers")
        factor = 1.0 - lr * self.eigvals
        with np.errstate(over="ignore"):
            decay = factor[None, :] ** k[:, None]
        return self._weights(decay)

    def weights_limit(self) -> NDArray[np.float64]:
        """The limit ``t -> infinity``: least-squares fit in the row space plus the frozen part of ``w0``, ``(p,)``.

        With ``w0 = 0`` this is the minimum-norm least-squares solution (``pinv(X) @ y``).
        """
        return self.V @ self.c_star + self.w_frozen


def stable_lr(X: ArrayLike) -> float:
    """The step ``1 / lambda_max`` of the Hessian ``X^T X / n``: fastest monotone gradient descent (chapter 02)."""
    X = np.asarray(X, dtype=np.float64)
    s_max = np.linalg.norm(X, ord=2)
    return float(X.shape[0] / s_max**2)
