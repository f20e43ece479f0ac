"""Ridge regression on random features: whole ridge paths, power-law tasks and their theory (chapters 03, 04).

* :class:`RidgePath`: kernel ridge regression for every ridge at once, from one eigendecomposition of the
  training kernel. With features ``Z (n, N)`` and the kernel ``K = Z Z^T`` the ridge-``delta`` solution is
  ``alpha = (K + delta I)^{-1} y``; in the eigenbasis ``K = U diag(s) U^T`` that is
  ``U diag(1 / (s + delta)) U^T y``, so a path of ``R`` ridges costs one ``eigh`` plus ``O(n R)``.
* :func:`nested_kernels`: the kernels of nested random-feature models (the first ``N`` columns of one wide
  feature matrix, normalised by ``1/N``) for a whole sweep of widths in one pass over the features.
* :func:`relu_kernel`: the infinite-width kernel of ReLU random features (first-order arc-cosine kernel).
* :func:`power_law` and :func:`power_law_target`: power-law eigenvalues ``i^-exponent`` and unit-norm target
  coefficients with ``v_i^2`` proportional to ``i^-beta``.
* :func:`rf_ridge_theory`: the closed-form estimate of the train and test risk of random-feature ridge
  regression on a Gaussian task (the eigenframework of Simon et al. 2023); its infinite-width limit is the
  kernel ridge regression estimate.
* :func:`kernel_eigenstructure`, :func:`power_law_exponent` and :func:`optimal_fitting_ratio`: measure a real
  task's eigenvalue and target exponents and predict from them where its best ridge sits (chapter 03).
* :func:`tuned_per_draw` and :func:`largest_rise_t`: the optimally tuned risk of each draw and a paired test of
  whether it ever rises along a sweep (chapter 03's monotonicity checks).

The ridge convention is the one of the paper's code: ``delta`` is added to the kernel as it is, with no factor
``n`` (minimise ``||y - Z a||^2 + delta ||a||^2``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .fits import loglog_fit

DEFAULT_RTOL = 1e-10
"""Kernel eigenvalues below ``rtol * s_max`` count as exactly zero (the null space of ``Z Z^T`` when N < n)."""


def power_law(count: int, exponent: float) -> NDArray[np.float64]:
    """``(count,)`` values ``i^-exponent`` for ``i = 1 .. count`` (kernel or covariance eigenvalues).

    Chapter 03 uses ``exponent = alpha`` for its kernel spectrum; chapter 04 uses ``1 + alpha`` so that the
    tail sum beyond ``k`` falls like ``k^-alpha``.
    """
    if count < 1:
        raise ValueError(f"count={count} must be at least 1")
    return np.arange(1, count + 1, dtype=np.float64) ** (-float(exponent))


def power_law_target(count: int, beta: float) -> NDArray[np.float64]:
    """``(count,)`` target coefficients ``v_i`` with ``v_i^2`` proportional to ``i^-beta`` and ``sum v_i^2 = 1``.

    The coefficients are on unit-variance eigenfunctions, so ``sum v_i^2`` is the target's variance (chapter 03).
    """
    v = np.sqrt(power_law(count, beta))
    return v / np.linalg.norm(v)


@dataclass(frozen=True)
class RidgePath:
    """Kernel ridge regression at every ridge from one eigendecomposition of the training kernel.

    Attributes
    ----------
    eigvals: ``(r,)`` non-zero eigenvalues ``s`` of the ``(n, n)`` training kernel, descending.
    eigvecs: ``(n, r)`` their eigenvectors ``U``.
    proj: ``(r,)`` the targets in the eigenbasis, ``U^T y``.
    resid_sq: ``||y||^2 - ||U^T y||^2``, the part of ``y`` in the kernel's null space (never fitted).

    Ridge ``0`` is the minimum-norm interpolant (the pseudo-inverse). Used by chapter 03 for every width's
    ridge path and by chapter 04 for its kernel and random-feature students.
    """

    eigvals: NDArray[np.float64]
    eigvecs: NDArray[np.float64]
    proj: NDArray[np.float64]
    resid_sq: float

    @classmethod
    def fit(cls, K: ArrayLike, y: ArrayLike, rtol: float = DEFAULT_RTOL) -> RidgePath:
        """Eigendecompose the symmetric PSD kernel ``K (n, n)`` for targets ``y (n,)``."""
        K = np.asarray(K, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        n = K.shape[0]
        if K.shape != (n, n) or y.shape != (n,):
            raise ValueError(f"K has shape {K.shape} and y {y.shape}; expected (n, n) and (n,)")
        s, U = np.linalg.eigh((K + K.T) / 2)
        s, U = s[::-1], U[:, ::-1]
        keep = s > rtol * s[0] if s[0] > 0 else np.zeros(n, dtype=bool)
        s, U = s[keep], U[:, keep]
        proj = U.T @ y
        return cls(eigvals=s, eigvecs=U, proj=proj, resid_sq=float(max(y @ y - proj @ proj, 0.0)))

    @classmethod
    def from_features(cls, Z: ArrayLike, y: ArrayLike, rtol: float = DEFAULT_RTOL) -> RidgePath:
        """The path for features ``Z (n, N)`` (kernel ``Z Z^T``) and targets ``y (n,)``, from a thin SVD of ``Z``.

        Costs ``O(n N min(n, N))``: cheaper than forming the kernel when ``N < n`` (a sample sweep at fixed
        width), and more accurate for the small eigenvalues.
        """
        Z = np.asarray(Z, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (Z.shape[0],):
            raise ValueError(f"y has shape {y.shape}, expected ({Z.shape[0]},)")
        U, sv, _ = np.linalg.svd(Z, full_matrices=False)
        keep = sv > np.sqrt(rtol) * sv[0] if sv.size and sv[0] > 0 else np.zeros(sv.size, dtype=bool)
        U, s = U[:, keep], sv[keep] ** 2
        proj = U.T @ y
        return cls(eigvals=s, eigvecs=U, proj=proj, resid_sq=float(max(y @ y - proj @ proj, 0.0)))

    def with_targets(self, y: ArrayLike) -> RidgePath:
        """The path of the same kernel for other targets ``y (n,)``, reusing the eigendecomposition.

        Chapter 03 fits shuffled labels on the digits kernel with it (its random-label control).
        """
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (self.n,):
            raise ValueError(f"y has shape {y.shape}, expected ({self.n},)")
        proj = self.eigvecs.T @ y
        return RidgePath(self.eigvals, self.eigvecs, proj, float(max(y @ y - proj @ proj, 0.0)))

    @property
    def n(self) -> int:
        return int(self.eigvecs.shape[0])

    def _gains(self, ridges: ArrayLike) -> NDArray[np.float64]:
        """``(r, R)`` factors ``1 / (s + delta)`` applied to ``U^T y`` for each ridge ``delta``."""
        d = np.atleast_1d(np.asarray(ridges, dtype=np.float64))
        if np.any(d < 0):
            raise ValueError("ridges must be non-negative")
        return 1.0 / (self.eigvals[:, None] + d[None, :])

    def dual_coef(self, ridges: ArrayLike) -> NDArray[np.float64]:
        """``(n, R)`` dual coefficients ``(K + delta I)^{-1} y`` (pseudo-inverse at ``delta = 0``)."""
        return self.eigvecs @ (self.proj[:, None] * self._gains(ridges))

    def predict(self, K_new: ArrayLike, ridges: ArrayLike) -> NDArray[np.float64]:
        """``(m, R)`` predictions at ``m`` new points from the cross-kernel ``K_new (m, n)``."""
        K_new = np.asarray(K_new, dtype=np.float64)
        return (K_new @ self.eigvecs) @ (self.proj[:, None] * self._gains(ridges))

    def train_mse(self, ridges: ArrayLike) -> NDArray[np.float64]:
        """``(R,)`` training mean squared error: residual ``delta / (s + delta)`` of each eigen-direction."""
        shrink = self._gains(ridges) * np.atleast_1d(np.asarray(ridges, dtype=np.float64))[None, :]
        return (np.sum((shrink * self.proj[:, None]) ** 2, axis=0) + self.resid_sq) / self.n

    def test_mse(self, K_new: ArrayLike, y_new: ArrayLike, ridges: ArrayLike) -> NDArray[np.float64]:
        """``(R,)`` mean squared error on ``m`` new points (cross-kernel ``K_new (m, n)``, targets ``(m,)``)."""
        y_new = np.asarray(y_new, dtype=np.float64)
        return np.mean((self.predict(K_new, ridges) - y_new[:, None]) ** 2, axis=0)


def nested_kernels(
    F: ArrayLike, widths: Sequence[int], F_new: ArrayLike | None = None
) -> Iterator[tuple[int, NDArray[np.float64], NDArray[np.float64] | None]]:
    """Kernels of nested random-feature models, for a sweep of widths in one pass over the features.

    ``F (n, max_width)`` holds the features of the training points (``F_new (m, max_width)`` optionally those
    of new points); the width-``N`` model uses the first ``N`` columns, scaled by ``1/sqrt(N)`` so that its
    kernel ``F_N F_N^T / N`` tends to the infinite-width kernel. Yields ``(N, K (n, n), K_new (m, n) or None)``
    for each ``N`` in ``widths`` (increasing), accumulating column blocks instead of recomputing.
    Chapter 03 sweeps its ReLU and linear random-feature models with it.
    """
    F = np.asarray(F, dtype=np.float64)
    F_new = None if F_new is None else np.asarray(F_new, dtype=np.float64)
    widths = [int(w) for w in widths]
    if any(b <= a for a, b in zip(widths, widths[1:], strict=False)) or widths[0] < 1 or widths[-1] > F.shape[1]:
        raise ValueError(f"widths {widths} must increase within [1, {F.shape[1]}]")
    K = np.zeros((F.shape[0], F.shape[0]))
    K_new = None if F_new is None else np.zeros((F_new.shape[0], F.shape[0]))
    start = 0
    for N in widths:
        block = F[:, start:N]
        K += block @ block.T
        if F_new is not None:
            K_new += F_new[:, start:N] @ block.T
        start = N
        yield N, K / N, (None if K_new is None else K_new / N)


def relu_kernel(X: ArrayLike, X_new: ArrayLike | None = None) -> NDArray[np.float64]:
    """The infinite-width kernel of :func:`overparam_utils.features.relu_features`, ``(m, n)``.

    For features ``max(0, w.x / sqrt(d))`` with ``w ~ N(0, I_d)``, the average of the product of the features of
    ``x`` and ``x'`` over ``w`` is the first-order arc-cosine kernel
    ``|x| |x'| / (2 pi d) * (sin t + (pi - t) cos t)``, ``t`` the angle between ``x`` and ``x'``. It is the
    ``N -> inf`` limit of the kernels of :func:`nested_kernels` (chapter 03's infinite-width model).
    ``X (n, d)``; ``X_new (m, d)`` defaults to ``X``.
    """
    X = np.asarray(X, dtype=np.float64)
    X_new = X if X_new is None else np.asarray(X_new, dtype=np.float64)
    norms, norms_new = np.linalg.norm(X, axis=1), np.linalg.norm(X_new, axis=1)
    outer = np.outer(norms_new, norms)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.clip(np.where(outer > 0, (X_new @ X.T) / outer, 1.0), -1.0, 1.0)
    t = np.arccos(cos)
    return outer / (2 * np.pi * X.shape[1]) * (np.sin(t) + (np.pi - t) * cos)


def _solve_gamma(eigvals: NDArray[np.float64], n: float, width: NDArray[np.float64], ridge: NDArray[np.float64]):
    """Solve ``df(g) + ridge / (g (1 - df(g) / width)) = n`` for ``g > 0`` with ``df(g) < width`` (vectorised).

    ``df(g) = sum_i eigvals_i / (eigvals_i + g)``. The left side falls strictly from +inf to 0 in ``g``, so a
    bisection in ``log g`` finds the unique root; values with ``df >= width`` count as +inf.
    """
    lo = np.full(np.broadcast(width, ridge).shape, np.log(eigvals[-1]) - 40.0)
    hi = np.full_like(lo, np.log(eigvals.sum()) + np.log(n + 1.0) + 5.0)
    for _ in range(200):
        mid = (lo + hi) / 2
        g = np.exp(mid)
        df = np.sum(eigvals / (eigvals + g[..., None]), axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            excess = np.where(df < width, df + ridge / (g * (1.0 - df / width)) - n, np.inf)
        above = excess > 0
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.exp((lo + hi) / 2)


def rf_ridge_theory(
    eigvals: ArrayLike,
    coeffs: ArrayLike,
    n: int,
    widths: ArrayLike,
    ridges: ArrayLike,
    noise_var: float = 0.0,
) -> dict[str, NDArray[np.float64]]:
    """Closed-form train and test risk of random-feature ridge regression (Simon et al. 2023, chapter 03).

    The task: unit-variance eigenfunctions with kernel eigenvalues ``eigvals (M,)`` (descending), a target with
    coefficients ``coeffs (M,)`` on them, label noise of variance ``noise_var``; the model: ``N`` random
    features whose kernel tends to that kernel as ``N -> inf``, fitted on ``n`` samples by ridge regression
    with ridge ``delta`` added to the ``(n, n)`` kernel (features scaled by ``1/sqrt(N)``).

    Two numbers summarise the fit: ``gamma`` solves ``df(gamma) + delta / kappa = n`` with
    ``kappa = gamma (1 - df(gamma) / N)``, where ``df(gamma) = sum_i L_i`` and ``L_i = l_i / (l_i + gamma)``
    is how much of eigenmode ``i`` is learned. With ``z = sum L_i`` and ``q = sum L_i^2``:

    * test risk = ``E0 * (sum_i b_i v_i^2 + noise_var)``, with the overfitting factor
      ``E0 = 1 / (1 - (q (N - 2 z) + z^2) / (n (N - q)))`` and the per-mode bias
      ``b_i = (1 - L_i) (1 - L_i (N - z) / (N - q))``;
    * train risk = ``(delta / (n kappa))^2`` times the test risk.

    At ``N -> inf`` this is the kernel ridge regression estimate (``kappa = gamma``, ``E0 = n / (n - q)``,
    ``b_i = (1 - L_i)^2``); pass ``widths=np.inf`` for it. ``widths`` and ``ridges`` broadcast against each
    other; a ridge of exactly 0 is evaluated at ``1e-12 * sum(eigvals)`` (its limit). Returns arrays of their
    broadcast shape: ``test``, ``train``, ``kappa``, ``gamma``.
    """
    lam = np.asarray(eigvals, dtype=np.float64)
    v2 = np.asarray(coeffs, dtype=np.float64) ** 2
    N = np.asarray(widths, dtype=np.float64)
    delta = np.maximum(np.asarray(ridges, dtype=np.float64), 1e-12 * lam.sum())
    N, delta = np.broadcast_arrays(N, delta)
    gamma = _solve_gamma(lam, float(n), N, delta)
    L = lam / (lam + gamma[..., None])
    z, q = L.sum(-1), (L**2).sum(-1)
    finite = np.isfinite(N)
    Nf = np.where(finite, N, 1.0)
    kappa = np.where(finite, gamma * (1.0 - z / Nf), gamma)
    ratio = np.where(finite, (Nf - z) / (Nf - q), 1.0)
    x = np.where(finite, (q * (Nf - 2 * z) + z**2) / (n * (Nf - q)), q / n)
    bias = ((1.0 - L) * (1.0 - L * ratio[..., None]) * v2).sum(-1)
    test = (bias + noise_var) / (1.0 - x)
    train = (delta / (n * kappa)) ** 2 * test
    return dict(test=test, train=train, kappa=kappa, gamma=gamma)


def kernel_eigenstructure(K: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Eigenvalues and squared target coefficients of a task given as a kernel on a pool of ``P`` points.

    The pool's uniform distribution is the task: its kernel operator has the eigenvalues of ``K / P`` and the
    unit-variance eigenfunctions ``sqrt(P) u_i``, so the target ``y (P,)`` has coefficients ``v_i = u_i.y / sqrt(P)``.
    Returns ``(eigvals (P,), coeffs_sq (P,))`` in decreasing order of eigenvalue; ``sum(coeffs_sq)`` is the mean
    of ``y^2`` and ``sum(eigvals)`` the mean of the kernel's diagonal. Several targets at once: ``y (P, k)``
    gives ``coeffs_sq (P, k)`` from the one eigendecomposition. This is how Simon et al. measure the
    eigenstructure of their CIFAR-10, MNIST and SVHN kernels (chapter 03 does it for the digits ReLU kernel).
    """
    K = np.asarray(K, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    P = K.shape[0]
    if K.shape != (P, P) or y.shape[:1] != (P,) or y.ndim > 2:
        raise ValueError(f"K has shape {K.shape} and y {y.shape}; expected (P, P) and (P,) or (P, k)")
    s, U = np.linalg.eigh((K + K.T) / (2 * P))
    s, U = s[::-1], U[:, ::-1]
    return np.maximum(s, 0.0), (U.T @ y) ** 2 / P


def power_law_exponent(values: ArrayLike, lo: int, hi: int) -> tuple[float, float]:
    """Fit ``values_i ~ C i^-exponent`` over the 1-based indices ``lo .. hi`` by least squares in log-log.

    Returns ``(exponent, r2)``, ``r2`` the fraction of the variance of ``log values`` the line explains (1 for
    an exact power law). Chapter 03 fits the kernel eigenvalues (``alpha``) and the target's tail power
    ``sum_{j >= i} v_j^2 ~ i^-(beta - 1)`` with it.
    """
    values = np.asarray(values, dtype=np.float64)
    if not 1 <= lo < hi <= values.size:
        raise ValueError(f"need 1 <= lo < hi <= {values.size}, got lo={lo}, hi={hi}")
    index = np.arange(lo, hi + 1, dtype=np.float64)
    slope, intercept = loglog_fit(index, values[lo - 1 : hi])
    log_i, log_v = np.log(index), np.log(values[lo - 1 : hi])
    resid = log_v - (slope * log_i + intercept)
    return float(-slope), float(1.0 - resid.var() / log_v.var())


def optimal_fitting_ratio(alpha: float, beta: float) -> float:
    """Train/test error ratio at the optimal ridge of a noiseless power-law task, for large ``n`` (Simon et al.).

    With kernel eigenvalues ``i^-alpha`` and target power ``i^-beta`` the eigenframework's test risk along the
    ridge path, written in ``s = sqrt(train / test)``, is proportional to
    ``(1 - s)^(1 - beta) / (1 + (alpha - 1) s)`` (the formula behind the paper's fitting-ratio figure, noise 0).
    Its minimum over ``0 <= s <= 1`` is at ``s* = (alpha - beta) / (beta (alpha - 1))`` when ``alpha > beta``, at
    ``s* = 0`` (interpolate) when ``beta >= alpha`` and at ``s* = 1`` (regularise fully) when ``beta <= 1``.
    Returns ``s*^2``. ``alpha > 1`` is required (a summable spectrum).
    """
    if alpha <= 1:
        raise ValueError(f"alpha={alpha} must exceed 1")
    s = (alpha - beta) / (beta * (alpha - 1)) if beta > 0 else 1.0
    return float(np.clip(s, 0.0, 1.0) ** 2)


def tuned_per_draw(risks: ArrayLike) -> NDArray[np.float64]:
    """``(n_draws, n_grid)`` risk of each draw at the ridge that is best for the mean over draws.

    ``risks (n_draws, n_grid, n_ridges)``: a sweep (widths or sample sizes) with a ridge path at each point.
    "Optimally tuned" in chapter 03 means the ridge that minimises the expected risk (estimated by the mean),
    the same ridge for every draw, so that draws can be compared pairwise along the sweep.
    """
    risks = np.asarray(risks, dtype=np.float64)
    best = risks.mean(axis=0).argmin(axis=-1)
    return np.take_along_axis(risks, best[None, :, None], axis=-1)[..., 0]


def largest_rise_t(risks: ArrayLike) -> float:
    """The largest paired t statistic of a rise of the risk between consecutive points of a sweep.

    ``risks (n_draws, n_grid)``, positive. For each step ``k -> k + 1`` the per-draw change of ``log risk`` is
    averaged over draws and divided by its standard error; the largest of these is returned. It is well below
    0 for a risk that falls at every step, near 0 for a flat stretch and large where the risk rises in every
    draw (a double-descent spike). Chapter 03 requires it below 2 for the tuned risk.
    """
    risks = np.asarray(risks, dtype=np.float64)
    if risks.ndim != 2 or risks.shape[0] < 2 or risks.shape[1] < 2:
        raise ValueError(f"risks has shape {risks.shape}; expected (n_draws >= 2, n_grid >= 2)")
    steps = np.diff(np.log(risks), axis=1)
    se = steps.std(axis=0, ddof=1) / np.sqrt(steps.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, steps.mean(axis=0) / se, np.sign(steps.mean(axis=0)) * np.inf)
    return float(np.max(t))
