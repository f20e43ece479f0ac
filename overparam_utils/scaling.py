"""Scaling laws of random-feature teacher-student models, and log-log slope fits (chapter 04).

**Data on a manifold (what chapter 04 runs).** Inputs lie on a ``d``-sphere mapped smoothly into ``R^ambient``
(:class:`overparam_utils.data.SphereEmbedding`); the teacher is a random one-hidden-layer ReLU network, averaged
over its weights through its kernel (:func:`overparam_utils.ridge.relu_kernel`, the arc-cosine kernel); the student
is linear in ``P`` random ReLU features (:func:`overparam_utils.features.relu_features`).

* :func:`kernel_regression_losses`: ``P = infinity``, ridgeless kernel regression on ``D`` samples (data sweep).
* :func:`rf_least_squares_losses`: least squares on ``P`` features with many samples (width sweep).
* :func:`rf_width_excess`: fixed ``D``, the excess of the ``P``-feature interpolant over its kernel limit.
* :func:`rf_data_excess` with :class:`FeatureMoments`: fixed ``P``, the excess of least squares on ``D`` samples
  over the best read-out.

**The linear model (unit tests only).** Latent inputs ``z = Lambda^{1/2} x`` with ``x ~ N(0, I_M)`` and a power-law
covariance ``Lambda = diag(lambda_i)``; a linear teacher ``y = omega . z``; a student linear in ``P`` random
projections ``W z``. There the exponent is put in by hand, the duality between data and width is exact
(:func:`projection_loss` is the loss of both limits) and the excess of least squares follows the Gaussian-design
formula (:func:`least_squares_losses`); ``tests/test_scaling.py`` pins these identities. :func:`rf_min_norm_losses`
is the linear model's minimum-norm student with a control variate.

The test loss of a linear-model student whose latent weights are ``u = W^T theta`` is
``(u - omega)^T Lambda (u - omega)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .features import relu_features
from .ridge import relu_kernel


def projection_loss(A: ArrayLike, eigvals: ArrayLike, sizes: Sequence[int]) -> NDArray[np.float64]:
    """Teacher-averaged loss of the best student in the row space of the first ``k`` rows of ``A``.

    ``A (k_max, M)`` is a matrix with i.i.d. Gaussian entries, in one of two roles:

    * rows of data, ``A = X`` (``D`` samples ``x``, so that ``Z = X Lambda^{1/2}``): the minimum-norm
      interpolant of a student with infinitely many features (kernel regression with the linear kernel
      ``z . z'``) learns exactly ``omega`` projected on the row space of the data, and its loss averaged over
      ``omega ~ N(0, I)`` is ``tr(Lambda) - tr(K^{-1} K_2)`` with ``K = A Lambda A^T``, ``K_2 = A Lambda^2 A^T``;
    * rows of projections, ``A = W`` (``P`` features ``W z``): the population-optimal (infinite-data) student
      has the same loss formula.

    So the data-limited and the width-limited losses are the same function of a Gaussian matrix: the duality is
    exact in this model. Returns ``(len(sizes),)`` losses for the leading ``k x k`` blocks, ``k`` in ``sizes``.
    """
    A = np.asarray(A, dtype=np.float64)
    lam = np.asarray(eigvals, dtype=np.float64)
    K = (A * lam) @ A.T
    K2 = (A * lam**2) @ A.T
    out = []
    for k in sizes:
        c = np.linalg.cholesky(K[:k, :k])
        half = np.linalg.solve(c, K2[:k, :k])
        explained = np.trace(np.linalg.solve(c, half.T))  # tr(K^{-1} K2) via K = c c^T
        out.append(lam.sum() - explained)
    return np.array(out)


def least_squares_losses(
    cov: ArrayLike,
    cross: ArrayLike,
    target_cov: ArrayLike,
    widths: Sequence[int],
    samples: Sequence[int],
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Test loss of least-squares students with ``P`` features fitted on ``D`` samples, for pairs ``(P, D)``.

    The student sees features ``phi`` and labels ``y`` of ``T`` teachers, jointly Gaussian with
    ``Cov(phi) = cov (P_max, P_max)``, ``Cov(phi, y) = cross (P_max, T)`` and ``Cov(y) = target_cov (T, T)`` (in
    the teacher-student model: ``W Lambda W^T``, ``W Lambda Omega`` and ``Omega^T Lambda Omega`` for teachers
    ``Omega (M, T)``; a ``(P_max,)`` cross and a scalar variance mean one teacher). We draw ``max(samples)`` rows
    of ``(phi, y)`` from that Gaussian: the same law as projecting latent vectors, without the ``M``-dimensional
    detour. For each pair ``(P, D)`` of ``zip(widths, samples)`` (``D > P``) each teacher's student fits least
    squares on the first ``P`` features of the first ``D`` rows.

    Returns ``(excess, limit)``, both ``(len(widths), T)`` (``(len(widths),)`` for one teacher): ``limit`` is the
    loss of the best width-``P`` student (infinite data), ``Var(y) - cross_P^T cov_P^{-1} cross_P``, and
    ``excess`` the exact extra test loss of the fitted one, ``(theta - theta_*)^T cov_P (theta - theta_*)``; the
    fitted student's loss is their sum. Chapter 04: the variance-limited data regime (fixed ``P``) and the
    width-limited regime measured with ``D >> P``.
    """
    cov = np.asarray(cov, dtype=np.float64)
    cross = np.asarray(cross, dtype=np.float64)
    single = cross.ndim == 1
    cross = cross[:, None] if single else cross
    target_cov = np.atleast_2d(np.asarray(target_cov, dtype=np.float64))
    P_max, T = cross.shape
    if len(widths) != len(samples) or any(D <= P for P, D in zip(widths, samples, strict=True)):
        raise ValueError("widths and samples must pair up with D > P in every pair")
    joint = np.block([[cov, cross], [cross.T, target_cov]])
    chol = np.linalg.cholesky(joint + 1e-12 * np.trace(joint) * np.eye(P_max + T))
    rows = rng.standard_normal((max(samples), P_max + T)) @ chol.T
    labels = rows[:, P_max:]
    excess, limit = [], []
    for P, D in zip(widths, samples, strict=True):
        c_P, x_P = cov[:P, :P], cross[:P]
        theta_star = np.linalg.solve(c_P, x_P)  # (P, T)
        theta, *_ = np.linalg.lstsq(rows[:D, :P], labels[:D], rcond=None)
        diff = theta - theta_star
        excess.append(np.sum(diff * (c_P @ diff), axis=0))
        limit.append(np.diag(target_cov) - np.sum(x_P * theta_star, axis=0))
    excess, limit = np.array(excess), np.array(limit)
    return (excess[:, 0], limit[:, 0]) if single else (excess, limit)


def rf_min_norm_losses(
    Z: ArrayLike, y: ArrayLike, teacher: ArrayLike, eigvals: ArrayLike, G: ArrayLike, widths: Sequence[int]
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Losses of minimum-norm random-feature students on fixed data, nested widths (chapter 04).

    ``Z (D, M)`` are the training inputs in latent coordinates, ``y (D,)`` their labels, ``teacher (M,)`` the
    teacher's weights ``omega`` and ``eigvals (M,)`` the latent covariance; ``G (P_max, M)`` is standard normal and
    the width-``P`` student uses the projections ``W = G[:P] / sqrt(P)``. For each ``P`` in ``widths`` it fits
    the minimum-norm ``theta`` with ``Z W^T theta = y`` and returns its loss ``(u - omega)^T Lambda (u - omega)``,
    ``u = W^T theta``.

    Returns ``(losses, controls, kernel_loss)``: ``kernel_loss`` is the infinite-width limit (``W^T W -> I``,
    kernel regression with ``K = Z Z^T``), and ``controls[k]`` is the first-order change of the loss in
    ``W^T W - I``: exactly zero on average over ``G``, so ``losses - controls`` is an estimator of the mean loss
    with the same expectation and a much smaller spread (a control variate).
    """
    Z = np.asarray(Z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    omega = np.asarray(teacher, dtype=np.float64)
    lam = np.asarray(eigvals, dtype=np.float64)
    G = np.asarray(G, dtype=np.float64)
    K = Z @ Z.T
    alpha = np.linalg.solve(K, y)
    u_inf = Z.T @ alpha  # kernel limit: u = Z^T K^{-1} y
    err = u_inf - omega
    kernel_loss = float(err @ (lam * err))
    # d loss = 2 r^T dA u_inf with dA = W^T W - I and r = (I - Z^T K^{-1} Z) Lambda (u_inf - omega)
    g = lam * err
    r = g - Z.T @ np.linalg.solve(K, Z @ g)
    Gr, Gu, GZ = G @ r, G @ u_inf, G @ Z.T  # (P_max,), (P_max,), (P_max, D)
    losses, controls = [], []
    for P in widths:
        Phi = GZ[:P].T / np.sqrt(P)  # (D, P) features Z W^T
        theta = Phi.T @ np.linalg.solve(Phi @ Phi.T, y)
        u = G[:P].T @ theta / np.sqrt(P)
        e = u - omega
        losses.append(e @ (lam * e))
        controls.append(2.0 * (Gr[:P] @ Gu[:P] / P - r @ u_inf))
    return np.array(losses), np.array(controls), kernel_loss


# ---------------------------------------------------------------------------------------------------------------
# Data on a d-dimensional manifold, a random ReLU teacher and random ReLU students (chapter 04, contract v2).
#
# Inputs lie on a d-sphere mapped smoothly into R^ambient (``data.SphereEmbedding``). The teacher is a random
# one-hidden-layer ReLU network ``f(x) = a . relu(V x / sqrt(d)) / sqrt(P_T)`` with Gaussian ``V`` and ``a``
# (``d`` = ambient). Averaged over its weights, every squared loss depends on the teacher only through
# ``E f(x) f(x') = relu_kernel(x, x')`` (for
# any width ``P_T``, and exactly so for an infinitely wide one), which is how the functions below average over
# teachers without sampling them. The student is linear in ``P`` random ReLU features ``relu(W x / sqrt(d))``; with
# ``P -> infinity`` it is kernel regression with :func:`relu_kernel`.
# ---------------------------------------------------------------------------------------------------------------


def _features(X: ArrayLike, W: ArrayLike) -> NDArray[np.float64]:
    """``(n, P)`` ReLU features of ``X (n, ambient)`` for weights ``W (P, ambient)``, one row per feature
    (:func:`overparam_utils.features.relu_features` takes ``W`` as ``(ambient, P)``)."""
    return relu_features(X, np.asarray(W, dtype=np.float64).T)


def _kernel(X: ArrayLike, Y: ArrayLike) -> NDArray[np.float64]:
    """The ``(len(X), len(Y))`` matrix of :func:`overparam_utils.ridge.relu_kernel`, the kernel of
    :func:`_features`: ``E_w phi_w(x) phi_w(y) = |x| |y| (sin t + (pi - t) cos t) / (2 pi d)``."""
    return relu_kernel(Y, X)


def kernel_regression_losses(X: ArrayLike, X_test: ArrayLike, sizes: Sequence[int]) -> NDArray[np.float64]:
    """Teacher-averaged test loss of ridgeless kernel regression with :func:`relu_kernel` on the first ``D`` rows
    of ``X``, for each ``D`` in ``sizes``: the student with infinitely many ReLU features (``P = infinity``).

    For a teacher whose ``E f f'`` is the same kernel ``k``, the average squared error at a test point ``x`` is the
    posterior variance ``k(x, x) - k_x^T K^{-1} k_x``; we return its mean over the rows of ``X_test``. The leading
    block of a Cholesky factor ``C`` is the factor of the leading block, and the first ``D`` rows of
    ``v = C^{-1} K_xs`` depend on that block only, so one factorisation and one solve serve every ``D``:
    ``k_x^T K_D^{-1} k_x`` is the sum of the first ``D`` squared entries of ``v``'s column. Returns
    ``(len(sizes),)`` losses.
    """
    from scipy.linalg import solve_triangular

    X = np.asarray(X, dtype=np.float64)[: max(sizes)]
    K = _kernel(X, X)
    K_cross = _kernel(X, X_test)
    X_test = np.asarray(X_test, dtype=np.float64)
    k_test = np.mean(np.sum(X_test**2, axis=1)) / (2 * X.shape[1])  # k(x, x) = |x|^2 / (2 d)
    chol = np.linalg.cholesky(K + 1e-12 * np.mean(np.diag(K)) * np.eye(len(K)))
    v = solve_triangular(chol, K_cross, lower=True)
    explained = np.cumsum(np.mean(v**2, axis=1))  # explained[D - 1]: mean of k_x^T K_D^{-1} k_x
    return np.array([k_test - explained[D - 1] for D in sizes])


def rf_least_squares_losses(
    X: ArrayLike, X_test: ArrayLike, W: ArrayLike, widths: Sequence[int]
) -> NDArray[np.float64]:
    """Teacher-averaged test loss of least squares on the first ``P`` ReLU features ``relu(W x)``, fitted on all
    rows of ``X``, for each ``P`` in ``widths`` (use ``len(X) >> max(widths)``: the width-limited regime).

    With ``F = relu(X W^T)`` and ``F_s = relu(X_test W^T)`` the fitted test predictions are
    ``F_s (F^T F)^{-1} F^T f_X``; averaged over teachers with ``E f f' = k`` the mean squared test error is
    ``mean k(x, x) - 2 tr(G^{-1} F^T K_xs F_s) / n_test + tr(G^{-1} F^T K F G^{-1} F_s^T F_s) / n_test`` with
    ``G = F^T F``. Every matrix for width ``P`` is the leading ``P x P`` block of the one for ``max(widths)``.
    Returns ``(len(widths),)`` losses.
    """
    X = np.asarray(X, dtype=np.float64)
    X_test = np.asarray(X_test, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)[: max(widths)]
    F, F_test = _features(X, W), _features(X_test, W)
    n_test = len(X_test)
    k_test = np.mean(np.sum(X_test**2, axis=1)) / (2 * X.shape[1])
    G = F.T @ F
    G_data = F.T @ (_kernel(X, X) @ F)
    G_cross = F.T @ (_kernel(X, X_test) @ F_test)
    S_test = F_test.T @ F_test / n_test
    out = []
    for P in widths:
        A = np.linalg.pinv(G[:P, :P], rcond=1e-12, hermitian=True)  # a dead feature leaves G singular
        cross = np.trace(A @ G_cross[:P, :P]) / n_test
        fitted = np.trace(A @ G_data[:P, :P] @ A @ S_test[:P, :P])
        out.append(k_test - 2 * cross + fitted)
    return np.array(out)


def rf_width_excess(
    X: ArrayLike, X_test: ArrayLike, W: ArrayLike, widths: Sequence[int]
) -> tuple[NDArray[np.float64], float]:
    """Variance-limited width regime: the minimum-norm student on ``P`` ReLU features fitted on the few rows of
    ``X`` (``P >> len(X)``), against its infinite-width limit, kernel regression on the same rows.

    The width-``P`` student predicts ``a_P(x)^T f_X`` with ``a_P(x) = K_P^{-1} k_P(X, x)``, ``K_P`` the random-feature
    kernel ``F F^T / P`` of the first ``P`` rows of ``W``; the kernel limit has ``a(x) = K^{-1} k(X, x)``. Averaged
    over teachers (``E f f' = k``) the loss is ``k(x, x) - 2 a^T k_x + a^T K a``, minimised by the kernel limit, so
    the excess of the width-``P`` student is the quadratic form ``(a_P - a)^T K (a_P - a)``, never negative.

    Returns ``(excess, kernel_loss)``: the ``(len(widths),)`` excess averaged over the rows of ``X_test`` and the
    kernel limit's loss.
    """
    X = np.asarray(X, dtype=np.float64)
    X_test = np.asarray(X_test, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    K, K_cross = _kernel(X, X), _kernel(X, X_test)
    a = np.linalg.solve(K, K_cross)
    kernel_loss = float(np.mean(np.sum(X_test**2, axis=1) / (2 * X.shape[1]) - np.sum(a * K_cross, axis=0)))
    F, F_test = _features(X, W[: max(widths)]), _features(X_test, W[: max(widths)])
    excess = []
    for P in widths:
        K_P = F[:, :P] @ F[:, :P].T / P
        e = np.linalg.solve(K_P, F[:, :P] @ F_test[:, :P].T / P) - a
        excess.append(np.mean(np.sum(e * (K @ e), axis=0)))
    return np.array(excess), kernel_loss


@dataclass(frozen=True)
class FeatureMoments:
    """Population moments of student features ``phi (P,)`` and teacher features ``psi (P_T,)``, estimated on a
    large reference sample: ``cov = E phi phi^T``, ``cross = E phi psi^T``, ``target = E |psi|^2``."""

    cov: NDArray[np.float64]
    cross: NDArray[np.float64]
    target: float

    @classmethod
    def estimate(
        cls, sample: Callable[[int], NDArray[np.float64]], W: ArrayLike, V: ArrayLike, n: int, chunk: int = 4096
    ) -> FeatureMoments:
        """Moments of ``relu(W x)`` and ``relu(V x)`` over ``n`` points ``x`` drawn by ``sample(k)`` (in chunks)."""
        W, V = np.asarray(W, dtype=np.float64), np.asarray(V, dtype=np.float64)
        cov, cross, target = np.zeros((len(W), len(W))), np.zeros((len(W), len(V))), 0.0
        for start in range(0, n, chunk):
            X = sample(min(chunk, n - start))
            F, Psi = _features(X, W), _features(X, V)
            cov += F.T @ F
            cross += F.T @ Psi
            target += float(np.sum(Psi**2))
        return cls(cov / n, cross / n, target / n)


def rf_data_excess(
    X: ArrayLike, W: ArrayLike, V: ArrayLike, moments: FeatureMoments, samples: Sequence[int]
) -> tuple[NDArray[np.float64], float]:
    """Variance-limited data regime: least squares on ``P`` fixed ReLU features ``relu(W x)``, fitted on the first
    ``D`` rows of ``X`` (``D >> P``), against the best read-out for infinitely many data.

    The teacher is ``f = a . relu(V x) / sqrt(P_T)`` with ``a ~ N(0, I)``; the fitted read-out is ``theta = M a``
    with ``M = (F^T F)^{-1} F^T Psi / sqrt(P_T)``, the best one ``theta_* = M_* a`` with
    ``M_* = cov^{-1} cross / sqrt(P_T)``. The excess test loss ``(theta - theta_*)^T cov (theta - theta_*)``
    averaged over ``a`` is ``tr((M - M_*)^T cov (M - M_*))``: exact given the population ``moments``.

    Returns ``(excess, limit)``: the ``(len(samples),)`` excess and the infinite-data loss
    ``(target - tr(cross^T cov^{-1} cross)) / P_T``.
    """
    W, V = np.asarray(W, dtype=np.float64), np.asarray(V, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)[: max(samples)]
    F, Psi = _features(X, W), _features(X, V)
    n_teacher = len(V)
    best = np.linalg.solve(moments.cov, moments.cross)  # (P, P_T)
    excess = []
    for D in samples:
        fitted = np.linalg.solve(F[:D].T @ F[:D], F[:D].T @ Psi[:D])
        diff = fitted - best
        excess.append(np.sum(diff * (moments.cov @ diff)) / n_teacher)
    limit = (moments.target - np.sum(moments.cross * best)) / n_teacher
    return np.array(excess), float(limit)
