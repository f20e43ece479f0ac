"""Scaling laws of a random-feature teacher-student model, and log-log slope fits (chapter 04).

The model (Bahri et al. 2021): latent inputs ``z = Lambda^{1/2} x`` with ``x ~ N(0, I_M)`` and a power-law
covariance ``Lambda = diag(lambda_i)``; a linear teacher ``y = omega . z`` with ``omega ~ N(0, I_M)``; a student
that is linear in ``P`` random projections ``W z`` (``W`` of shape ``(P, M)``, i.i.d. Gaussian entries), fitted
by least squares on ``D`` samples. The test loss of a student whose latent weights are ``u = W^T theta`` is
``(u - omega)^T Lambda (u - omega)``.

* :func:`projection_loss`: the loss of the best student in the row space of a random ``(k, M)`` matrix,
  averaged over teachers. With ``k = P`` projections and infinitely many samples it is the width-limited loss;
  with ``k = D`` samples and infinitely many features it is the data-limited loss (same formula).
* :func:`least_squares_losses`: the loss of least squares with ``P`` features on ``D`` samples, split into the
  infinite-data loss and the excess over it.
* :func:`rf_min_norm_losses`: the loss of the minimum-norm random-feature student on fixed data for nested
  widths, with a zero-mean control variate for averaging over feature draws.
* :func:`loglog_slope`: least-squares slope of ``log y`` against ``log x``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray


def loglog_slope(x: ArrayLike, y: ArrayLike) -> tuple[float, float]:
    """Least-squares fit ``log y = slope * log x + intercept``; returns ``(slope, intercept)``.

    ``x, y`` are ``(k,)`` positive arrays, ``k >= 2``. For ``y = c x^-a`` it returns ``(-a, log c)``.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y need the same shape with at least 2 points; got {x.shape}, {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("a log-log fit needs positive x and y")
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(intercept)


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
