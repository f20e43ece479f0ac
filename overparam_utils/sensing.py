"""Matrix sensing: Gaussian measurement operators and factored (sub-)gradient loops (chapters 07 and 08).

A *sensing operator* maps an ``n1 x n2`` matrix ``M`` to ``m`` numbers, :math:`\\mathcal A(M)_i = \\langle A_i,
M\\rangle = \\sum_{jk} (A_i)_{jk} M_{jk}`, and its adjoint maps ``m`` numbers back to a matrix,
:math:`\\mathcal A^*(v) = \\sum_i v_i A_i`, so that :math:`\\langle \\mathcal A(M), v\\rangle = \\langle M,
\\mathcal A^*(v)\\rangle`. With i.i.d. standard normal entries, :math:`\\mathbb E\\, \\mathcal A^* \\mathcal A (M) / m =
M`: the operator is near-isotropic on low-rank matrices (the restricted isometry property, RIP) once ``m`` is a
few times ``n * rank``.

The operator is stored as an array ``A`` of shape ``(..., m, n1, n2)``; the leading axes are independent draws
(seeds), so that a whole sweep over draws and configurations runs as one set of batched matrix products. Factors
carry one more axis for the configurations of a draw: ``X`` has shape ``(..., B, n, k)``. Everything is NumPy
float64, deterministic for a given seed.

The loops:

* :func:`factored_descent`: gradient descent on the symmetric factorisation ``X X^T`` with the squared loss
  (chapter 07, and chapter 08's least-squares baseline), or the sub-gradient method on the absolute loss
  (chapter 08), with a geometrically decaying step ``lr * decay**t``;
* :func:`asymmetric_descent`: gradient descent on ``F G^T`` (chapter 07), with an optional one-time
  :func:`rebalance` of the factors that leaves ``F G^T`` unchanged (chapter 07's one-step modification);
* :func:`linear_rate`: the rate fit that turns an error curve into a number (power laws:
  :func:`overparam_utils.fits.loglog_slope`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .progress import progress

LOSSES: tuple[str, ...] = ("l2", "l1")


def gaussian_operator(
    m: int,
    n1: int,
    n2: int | None = None,
    *,
    rng: np.random.Generator,
    symmetric: bool = False,
    size: Sequence[int] = (),
) -> NDArray[np.float64]:
    """Sensing matrices with i.i.d. standard normal entries: shape ``(*size, m, n1, n2)``.

    ``symmetric=True`` returns ``(G + G^T) / 2`` (square only): its off-diagonal entries have variance 1/2, so
    that ``E A^*(A(M)) = M`` still holds for symmetric ``M``. A symmetric operator cannot see the antisymmetric
    part of a matrix, which is why chapter 07 uses the non-symmetric one for ``F G^T``; chapter 08 uses the
    symmetric one, as its target and model are symmetric.
    """
    n2 = n1 if n2 is None else n2
    if symmetric and n1 != n2:
        raise ValueError(f"a symmetric operator needs square matrices, got {n1} x {n2}")
    G = rng.standard_normal((*size, m, n1, n2))
    return (G + np.swapaxes(G, -1, -2)) / 2 if symmetric else G


def _flat(A: NDArray[np.float64]) -> NDArray[np.float64]:
    return A.reshape(*A.shape[:-2], A.shape[-2] * A.shape[-1])


def measure(A: ArrayLike, M: ArrayLike) -> NDArray[np.float64]:
    """``A(M)_i = <A_i, M>``: ``A (..., m, n1, n2)`` and ``M (..., B, n1, n2)`` give ``(..., B, m)``.

    The leading axes of ``A`` and ``M`` broadcast (one operator per draw, ``B`` matrices per draw).
    """
    A, M = np.asarray(A, dtype=np.float64), np.asarray(M, dtype=np.float64)
    if M.shape[-2:] != A.shape[-2:]:
        raise ValueError(f"matrices of shape {M.shape[-2:]} do not match the operator's {A.shape[-2:]}")
    return _flat(M) @ np.swapaxes(_flat(A), -1, -2)


def adjoint(A: ArrayLike, v: ArrayLike) -> NDArray[np.float64]:
    """``A^*(v) = sum_i v_i A_i``: ``A (..., m, n1, n2)`` and ``v (..., B, m)`` give ``(..., B, n1, n2)``."""
    A, v = np.asarray(A, dtype=np.float64), np.asarray(v, dtype=np.float64)
    if v.shape[-1] != A.shape[-3]:
        raise ValueError(f"v has {v.shape[-1]} entries, the operator has m = {A.shape[-3]}")
    out = v @ _flat(A)
    return out.reshape(*out.shape[:-1], *A.shape[-2:])


def random_orthonormal(n: int, r: int, rng: np.random.Generator, size: Sequence[int] = ()) -> NDArray[np.float64]:
    """Haar-random ``n x r`` matrices with orthonormal columns: shape ``(*size, n, r)`` (QR of a Gaussian)."""
    Q, R = np.linalg.qr(rng.standard_normal((*size, n, r)))
    return Q * np.sign(np.diagonal(R, axis1=-2, axis2=-1))[..., None, :]


def low_rank_psd(
    n: int, spectrum: Sequence[float], rng: np.random.Generator, size: Sequence[int] = ()
) -> NDArray[np.float64]:
    """A random PSD ground truth ``V diag(spectrum) V^T`` with Haar ``V (n, r)``: shape ``(*size, n, n)``.

    Its non-zero eigenvalues are exactly ``spectrum`` (rank ``r = len(spectrum)``), so the condition number is
    fixed across draws. Chapters 07 and 08.
    """
    s = np.asarray(spectrum, dtype=np.float64)
    if s.ndim != 1 or np.any(s <= 0):
        raise ValueError(f"spectrum must be a list of positive numbers, got {spectrum!r}")
    V = random_orthonormal(n, s.size, rng, size)
    return (V * s) @ np.swapaxes(V, -1, -2)


def frobenius(M: ArrayLike) -> NDArray[np.float64]:
    """Frobenius norm over the last two axes: ``(..., n1, n2)`` gives ``(...)``."""
    return np.sqrt(np.sum(np.square(M), axis=(-2, -1)))


def loss_gradient_matrix(A: ArrayLike, y: ArrayLike, M: ArrayLike, loss: str = "l2") -> NDArray[np.float64]:
    """Gradient of the loss with respect to the matrix ``M`` (a sub-gradient for ``l1``), shape of ``M``.

    ``l2``: :math:`L(M) = \\lVert \\mathcal A(M) - y\\rVert^2 / (2m)`, gradient :math:`\\mathcal A^*(\\mathcal A(M) -
    y) / m`; ``l1``: :math:`L(M) = \\lVert \\mathcal A(M) - y\\rVert_1 / m`, sub-gradient :math:`\\mathcal
    A^*(\\operatorname{sign}(\\mathcal A(M) - y)) / m` (``sign(0) = 0``). The gradients of the factored losses
    follow by the chain rule: ``(D + D^T) X`` for ``X X^T`` and ``(D G, D^T F)`` for ``F G^T``. This is the
    reference form; the loops below compute the same thing faster (:class:`SensingLoss`).
    """
    if loss not in LOSSES:
        raise ValueError(f"loss={loss!r}; choose one of {LOSSES}")
    A = np.asarray(A, dtype=np.float64)
    residual = measure(A, M) - np.asarray(y, dtype=np.float64)
    if loss == "l1":
        residual = np.sign(residual)
    return adjoint(A, residual) / A.shape[-3]


class SensingLoss:
    """A sensing loss prepared for many gradient evaluations (the inner step of the loops below).

    For ``l2`` the loss is quadratic in ``M``, so the ``m`` measurements are folded once into a Gram matrix
    (``H = A^T A / m`` on the flattened matrices) and ``b = A^*(y) / m``: a gradient then costs ``(n1 n2)^2``
    instead of ``2 m n1 n2`` per matrix, whatever ``m``. For ``l1`` the operator is applied directly.

    ``symmetric=True`` promises that every ``M`` passed in is symmetric (the model ``X X^T``). If the operator
    is symmetric too, matrices are then stored by their upper triangle (``n (n + 1) / 2`` numbers instead of
    ``n^2``, off-diagonal entries counted twice in inner products), which halves the work of every step and
    gives the same gradient up to round-off. Shapes as in :func:`loss_gradient_matrix`; ``y`` is
    ``(..., B, m)`` or broadcastable to it.
    """

    def __init__(self, A: ArrayLike, y: ArrayLike, loss: str = "l2", symmetric: bool = False):
        if loss not in LOSSES:
            raise ValueError(f"loss={loss!r}; choose one of {LOSSES}")
        A = np.asarray(A, dtype=np.float64)
        self.loss = loss
        self.m = A.shape[-3]
        self.shape = A.shape[-2:]
        self.y = np.asarray(y, dtype=np.float64)
        n1, n2 = self.shape
        self.packed = bool(symmetric and n1 == n2 and np.array_equal(A, np.swapaxes(A, -1, -2)))
        if self.packed:
            self._rows, self._cols = np.triu_indices(n1)
            weight = np.where(self._rows == self._cols, 1.0, 2.0)
            A_adj = A[..., self._rows, self._cols]  # (..., m, n(n+1)/2): the adjoint's coordinates
            A_fwd = A_adj * weight  # <A_i, M> = sum over the triangle of weight * A_i * M
        else:
            A_adj = A_fwd = _flat(A)
        self.A_adj = A_adj
        self.A_fwd_T = np.ascontiguousarray(np.swapaxes(A_fwd, -1, -2))
        if loss == "l2":
            self.H = self.A_fwd_T @ A_adj / self.m
            self.b = self.y @ A_adj / self.m
            self.y_sq = np.sum(self.y**2, axis=-1) / self.m

    def _pack(self, M: NDArray[np.float64]) -> NDArray[np.float64]:
        return M[..., self._rows, self._cols] if self.packed else _flat(M)

    def _unpack(self, c: NDArray[np.float64]) -> NDArray[np.float64]:
        if not self.packed:
            return c.reshape(*c.shape[:-1], *self.shape)
        M = np.empty((*c.shape[:-1], *self.shape))
        M[..., self._rows, self._cols] = c
        M[..., self._cols, self._rows] = c
        return M

    def gradient(self, M: NDArray[np.float64]) -> NDArray[np.float64]:
        """The (sub-)gradient with respect to ``M (..., B, n1, n2)``, same shape."""
        c = self._pack(M)
        if self.loss == "l2":
            D = c @ self.H - self.b
        else:
            D = np.sign(c @ self.A_fwd_T - self.y) @ self.A_adj / self.m
        return self._unpack(D)

    def relative_residual(self, M: NDArray[np.float64], D: NDArray[np.float64]) -> NDArray[np.float64]:
        """``||A(M) - y|| / ||y||`` (``l2`` only) from ``M`` and its gradient ``D``, without applying ``A``."""
        if self.loss != "l2":
            raise ValueError("relative_residual needs the l2 loss")
        # ||A(M) - y||^2 / m = <M, A^*(A(M) - y)> / m - <M, A^*(y)> / m + ||y||^2 / m
        sq = np.sum(M * D, axis=(-2, -1)) - np.sum(M * self._unpack(self.b), axis=(-2, -1)) + self.y_sq
        return np.sqrt(np.clip(sq, 0.0, None) / self.y_sq)


def _per_run(value: ArrayLike, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """A scalar or an array broadcastable to the runs' ``shape``, with two trailing axes for matrices."""
    return np.broadcast_to(np.asarray(value, dtype=np.float64), shape)[..., None, None]


def factored_descent(
    A: ArrayLike,
    y: ArrayLike,
    X0: ArrayLike,
    *,
    lr: float | ArrayLike,
    steps: int,
    loss: str = "l2",
    decay: float = 1.0,
    target: ArrayLike | None = None,
    desc: str | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(Sub-)gradient descent on the symmetric factorisation ``M = X X^T`` of a sensing loss.

    Step ``t`` (from 0) is ``X <- X - lr * decay**t * (D + D^T) X`` with ``D`` from :func:`loss_gradient_matrix`:
    gradient descent on ``||A(XX^T) - y||^2 / (2m)`` for ``loss="l2"`` (chapter 07; chapter 08's least-squares
    baseline), the sub-gradient method on ``||A(XX^T) - y||_1 / m`` for ``loss="l1"`` (chapter 08).

    Parameters
    ----------
    A: ``(..., m, n, n)`` operators, one per draw; y: ``(..., B, m)`` measurements (or broadcastable, e.g.
    ``(..., 1, m)`` for one set shared by the ``B`` runs of a draw); X0: ``(..., B, n, k)`` initial factors.
    lr: a float, or an array broadcastable to ``(..., B)`` (one step size per run).
    target: the ground truth ``(..., n, n)`` or ``(..., B, n, n)``; without it no errors are recorded.

    Returns
    -------
    ``X`` after ``steps`` steps, ``(..., B, n, k)``, and the errors ``||X_t X_t^T - target||_F`` for
    ``t = 0..steps``, shape ``(steps + 1, ..., B)`` (empty without a target).
    """
    objective = SensingLoss(A, y, loss, symmetric=True)
    X = np.array(X0, dtype=np.float64)
    runs = X.shape[:-2]
    step = _per_run(lr, runs)
    target_b = None if target is None else np.asarray(target, dtype=np.float64)
    if target_b is not None and target_b.ndim == X.ndim - 1:
        target_b = target_b[..., None, :, :]
    errors = []
    for t in progress(range(steps + 1), desc=desc, total=steps + 1):
        M = X @ np.swapaxes(X, -1, -2)
        if target_b is not None:
            errors.append(frobenius(M - target_b))
        if t == steps:
            break
        D = objective.gradient(M)
        X = X - (step * decay**t) * ((D + np.swapaxes(D, -1, -2)) @ X)
    return X, np.array(errors)


def rebalance(F: ArrayLike, G: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Re-split ``F G^T`` so that ``F`` has all singular values equal: ``(F P, G P^{-T})`` with ``P`` from ``F``.

    With the thin SVD ``F = U S V^T`` (``F`` of full column rank) the new factors are ``F' = s U V^T`` and
    ``G' = G V S V^T / s``, so ``F' G'^T = F G^T`` exactly, ``F'^T F' = s^2 I``, and ``s^2`` is the largest
    singular value of ``F G^T`` (the scale of the current estimate, not of the unknown target). Over-
    parameterised gradient descent on ``F G^T`` leaves the ``k - r`` redundant directions of ``F`` at the size of
    the initialisation ``alpha``, which is what makes its rate scale with ``alpha^2``; this one step lifts them to
    the signal's scale. Chapter 07 applies it once, near the solution (our construction after the paper's
    description; see the chapter). Shapes ``(..., n1, k)`` and ``(..., n2, k)``.
    """
    F, G = np.asarray(F, dtype=np.float64), np.asarray(G, dtype=np.float64)
    U, S, Vt = np.linalg.svd(F, full_matrices=False)
    V = np.swapaxes(Vt, -1, -2)
    scale = np.sqrt(np.linalg.norm(F @ np.swapaxes(G, -1, -2), ord=2, axis=(-2, -1)))[..., None, None]
    scale = np.where(scale > 0, scale, 1.0)  # F G^T = 0: nothing to rebalance against, keep the scale
    return scale * (U @ Vt), (G @ (V * S[..., None, :]) @ Vt) / scale


def asymmetric_descent(
    A: ArrayLike,
    y: ArrayLike,
    F0: ArrayLike,
    G0: ArrayLike,
    *,
    lr: float | ArrayLike,
    steps: int,
    target: ArrayLike | None = None,
    rebalance_below: float | ArrayLike | None = None,
    desc: str | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Gradient descent on the asymmetric factorisation ``M = F G^T`` of ``||A(F G^T) - y||^2 / (2m)``.

    Each step is ``F <- F - lr D G``, ``G <- G - lr D^T F`` (simultaneous), ``D = A^*(A(F G^T) - y) / m``.
    With ``rebalance_below`` set, each run is :func:`rebalance`-d once, at the first step where its relative
    residual ``||A(F G^T) - y|| / ||y||`` (a quantity the algorithm can see) falls below that value; that is
    the one-step modification of chapter 07. An array broadcastable to ``(..., B)`` sets it per run (``0``:
    never, plain gradient descent), so plain and modified runs share one batched loop.

    Shapes: ``A (..., m, n1, n2)``, ``y (..., B, m)`` or broadcastable, ``F0 (..., B, n1, k)``,
    ``G0 (..., B, n2, k)``, ``target (..., n1, n2)`` or ``(..., B, n1, n2)``; ``lr`` a float or broadcastable
    to ``(..., B)``.

    Returns
    -------
    ``F``, ``G`` after ``steps`` steps, the errors ``||F_t G_t^T - target||_F`` of shape ``(steps + 1, ..., B)``
    (empty without a target), and the step at which each run was rebalanced (``-1``: never), shape ``(..., B)``.
    """
    objective = SensingLoss(A, y, "l2")
    F, G = np.array(F0, dtype=np.float64), np.array(G0, dtype=np.float64)
    runs = F.shape[:-2]
    step = _per_run(lr, runs)
    target_b = None if target is None else np.asarray(target, dtype=np.float64)
    if target_b is not None and target_b.ndim == F.ndim - 1:
        target_b = target_b[..., None, :, :]
    switched = np.full(runs, -1, dtype=np.int64)
    below = None if rebalance_below is None else np.broadcast_to(np.asarray(rebalance_below, float), runs)
    errors = []
    for t in progress(range(steps + 1), desc=desc, total=steps + 1):
        M = F @ np.swapaxes(G, -1, -2)
        if target_b is not None:
            errors.append(frobenius(M - target_b))
        if t == steps:
            break
        D = objective.gradient(M)
        if below is not None:
            now = (switched < 0) & (objective.relative_residual(M, D) < below)
            if np.any(now):
                F_new, G_new = rebalance(F, G)
                F = np.where(now[..., None, None], F_new, F)
                G = np.where(now[..., None, None], G_new, G)
                switched[now] = t
        F, G = F - step * (D @ G), G - step * (np.swapaxes(D, -1, -2) @ F)
    return F, G, np.array(errors), switched


def linear_rate(
    errors: ArrayLike, lo: float | ArrayLike, hi: float | ArrayLike, min_points: int = 10
) -> NDArray[np.float64]:
    """Per-step linear convergence rate ``c`` in ``err_t ~ exp(-c t)``, fitted where ``lo < err_t <= hi``.

    ``errors`` has shape ``(T, ...)`` (time first, as the loops return it); the fit is a least-squares line
    through ``log err_t`` against ``t`` on the steps inside the window, separately for every curve. ``lo`` and
    ``hi`` are numbers or arrays broadcastable to ``(...)`` (one window per curve). Returns ``(...)`` rates;
    NaN where fewer than ``min_points`` steps fall in the window. Chapters 07 and 08.
    """
    E = np.asarray(errors, dtype=np.float64)
    t = np.arange(E.shape[0], dtype=np.float64)
    flat = E.reshape(E.shape[0], -1)
    lo_flat = np.broadcast_to(np.asarray(lo, dtype=np.float64), E.shape[1:]).reshape(-1)
    hi_flat = np.broadcast_to(np.asarray(hi, dtype=np.float64), E.shape[1:]).reshape(-1)
    rates = np.full(flat.shape[1], np.nan)
    for j in range(flat.shape[1]):
        inside = (flat[:, j] > lo_flat[j]) & (flat[:, j] <= hi_flat[j])
        if inside.sum() >= min_points:
            rates[j] = -np.polyfit(t[inside], np.log(flat[inside, j]), 1)[0]
    return rates.reshape(E.shape[1:])
