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


# --- Chapter 02: training "until the loss is flat", the practitioner's stopping rule ---------------------------


def gd_steps_until_flat(
    path: LeastSquaresPath, lr: float, tol: float, patience: int = 10, max_steps: int = 10**8
) -> int:
    """Steps full-batch GD (from ``path``'s ``w0``, step ``lr``) takes until its training loss looks flat (chapter 02).

    The rule, modelled on the one scikit-learn's iterative estimators apply to their training loss
    (``tol``, ``n_iter_no_change``): after each step ``t`` compare the loss
    :math:`L(t) = \\lVert y - Xw_t\\rVert^2/(2n)` with :math:`L(t-1)`; stop at the first step at which
    each of the last ``patience`` steps improved the loss by less than ``tol``. Returns that step, or
    ``max_steps`` if the rule never fires before it.

    In closed form the improvement at step ``t`` is :math:`\\sum_i \\tfrac{\\lambda_i}{2} (c_i(0) - c^*_i)^2
    f_i^{2(t-1)} (1 - f_i^2)` with :math:`f_i = 1 - \\mathrm{lr}\\,\\lambda_i`; for ``0 < lr <= 2 / lambda_max`` it
    never increases with ``t``, so the first step below ``tol`` is found by bisection and the rule fires
    ``patience - 1`` steps later. No loop over steps: ``max_steps = 1e8`` costs the same as ``1e2``.
    """
    if not 0 < lr * (path.eigvals[0] if path.rank else 0.0) <= 2.0:
        raise ValueError("lr must lie in (0, 2 / lambda_max] for the loss to decrease monotonically")
    if tol <= 0 or patience < 1 or max_steps < 1:
        raise ValueError("tol must be positive, patience and max_steps at least 1")
    factor = 1.0 - lr * path.eigvals
    gap2 = 0.5 * path.eigvals * (path.c0 - path.c_star) ** 2
    with np.errstate(divide="ignore"):
        log_f2 = 2.0 * np.log(np.abs(factor))

    def improvement(t: int) -> float:  # L(t - 1) - L(t)
        return float(np.sum(gap2 * np.exp(np.maximum((t - 1) * log_f2, -745.0)) * (1.0 - factor**2)))

    if improvement(max_steps) >= tol:
        return int(max_steps)
    lo, hi = 0, int(max_steps)  # improvement(hi) < tol; hi is the first such step once hi - lo == 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if improvement(mid) < tol:
            hi = mid
        else:
            lo = mid
    return int(min(hi + patience - 1, max_steps))


def adam_readouts_until_flat(
    F: ArrayLike,
    y: ArrayLike,
    widths: list[int],
    *,
    lr: float,
    tols: list[float],
    patience: int = 10,
    max_steps: int = 100_000,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Adam on nested least-squares read-outs from zero, each stopped by the flat-loss rule (chapter 02).

    ``F (S, n, max_width)`` holds one feature matrix per draw, ``y (S, n)`` its targets; model ``k`` of draw
    ``s`` uses the first ``widths[k]`` columns and minimises ``mean((F w - y)**2) / 2``. The update is
    ``torch.optim.Adam``'s (bias-corrected moments, no weight decay), written in NumPy for all ``S`` draws
    at once, one width after the other. Each model stops, separately for each tolerance in ``tols``, at
    the first step at which each of the last ``patience`` steps improved its loss by less than that
    tolerance (a step that raises the loss counts as no improvement), as in
    :func:`gd_steps_until_flat`; a model the rule has not stopped by ``max_steps`` stops there.

    Returns the weights at each stop, ``(len(tols), S, len(widths), max_width)`` (zero beyond each
    width), and the stopping steps, ``(len(tols), S, len(widths))``.
    """
    F = np.asarray(F, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    S, n, max_width = F.shape
    if y.shape != (S, n):
        raise ValueError(f"y has shape {y.shape}, expected {(S, n)}")
    if any(w < 1 or w > max_width for w in widths):
        raise ValueError(f"widths {list(widths)} must lie in [1, {max_width}]")
    weights = np.zeros((len(tols), S, len(widths), max_width))
    steps = np.zeros((len(tols), S, len(widths)), dtype=np.int64)
    for k, width in enumerate(widths):  # each width runs only until its own models stop
        weights[:, :, k, :width], steps[:, :, k] = _adam_until_flat(
            F[:, :, :width], y, lr, tols, patience, max_steps, betas, eps
        )
    return weights, steps


def _adam_until_flat(F, y, lr, tols, patience, max_steps, betas, eps):
    """:func:`adam_readouts_until_flat` for one width: ``F (S, n, p)``; weights ``(T, S, p)``, steps ``(T, S)``."""
    S, n, p = F.shape
    F = np.ascontiguousarray(F)
    Ft = np.ascontiguousarray(F.transpose(0, 2, 1))  # (S, p, n)
    tols_arr = np.asarray(tols, dtype=np.float64)[:, None]
    shape = (len(tols), S)
    w = np.zeros((S, p))
    m, v = np.zeros_like(w), np.zeros_like(w)
    beta1, beta2 = betas
    count = np.zeros(shape, dtype=np.int64)
    stopped = np.zeros(shape, dtype=bool)
    steps = np.full(shape, max_steps, dtype=np.int64)
    weights = np.zeros(shape + (p,))
    prev = None
    for t in range(max_steps + 1):
        resid = (F @ w[:, :, None])[:, :, 0] - y  # (S, n)
        loss = 0.5 * np.mean(resid**2, axis=-1)
        if prev is not None:
            flat = (prev - loss)[None] < tols_arr
            count = np.where(flat, count + 1, 0)
            new = (count >= patience) & ~stopped
            if new.any():
                idx = np.nonzero(new)
                weights[idx] = w[idx[1]]
                steps[idx] = t
                stopped |= new
            if stopped.all():
                break
        if t == max_steps:
            break
        prev = loss
        grad = (Ft @ resid[:, :, None])[:, :, 0] / n
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1 ** (t + 1))
        v_hat = v / (1 - beta2 ** (t + 1))
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    idx = np.nonzero(~stopped)
    weights[idx] = w[idx[1]]
    return weights, steps
