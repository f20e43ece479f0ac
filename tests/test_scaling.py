"""overparam_utils.scaling against explicit latent-space computations and closed forms."""

import numpy as np
import pytest
from scipy.linalg import sqrtm

from overparam_utils.ridge import power_law
from overparam_utils.scaling import (
    least_squares_losses,
    loglog_slope,
    projection_loss,
    rf_min_norm_losses,
)


def test_loglog_slope_recovers_a_power_law():
    x = np.array([2.0, 4.0, 8.0, 32.0])
    slope, intercept = loglog_slope(x, 3.0 * x**-0.7)
    assert slope == pytest.approx(-0.7)
    assert intercept == pytest.approx(np.log(3.0))
    with pytest.raises(ValueError, match="positive"):
        loglog_slope([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="at least 2"):
        loglog_slope([1.0], [1.0])


def explicit_loss_data(X, lam):
    """Teacher-averaged loss of min-norm latent regression, tr[(I - Pr) Lambda (I - Pr)^T], with M x M matrices."""
    Z = X * np.sqrt(lam)
    proj = Z.T @ np.linalg.pinv(Z @ Z.T) @ Z  # projector on the row space of the data (z coordinates)
    resid = np.eye(len(lam)) - proj
    return np.trace(resid @ np.diag(lam) @ resid.T)


def explicit_loss_width(W, lam):
    """Teacher-averaged loss of the best student on features W z, from u = W^T Sigma^-1 W Lambda omega."""
    L = np.diag(lam)
    B = W.T @ np.linalg.solve(W @ L @ W.T, W @ L)  # u = B omega
    resid = B - np.eye(len(lam))
    return np.trace(resid.T @ L @ resid)


def test_projection_loss_is_the_loss_of_both_infinite_limits():
    rng = np.random.default_rng(0)
    lam = power_law(40, 1.5)
    A = rng.standard_normal((12, 40))
    sizes = [3, 7, 12]
    got = projection_loss(A, lam, sizes)
    np.testing.assert_allclose(got, [explicit_loss_data(A[:k], lam) for k in sizes], rtol=1e-8)
    np.testing.assert_allclose(got, [explicit_loss_width(A[:k], lam) for k in sizes], rtol=1e-8)


def test_projection_loss_averages_sampled_teachers():
    rng = np.random.default_rng(1)
    lam = power_law(30, 2.0)
    X = rng.standard_normal((8, 30))
    Z = X * np.sqrt(lam)
    omega = rng.standard_normal((30, 20000))
    u = Z.T @ np.linalg.solve(Z @ Z.T, Z @ omega)  # min-norm interpolant of y = Z omega
    sampled = np.mean(np.sum((u - omega) ** 2 * lam[:, None], axis=0))
    assert projection_loss(X, lam, [8])[0] == pytest.approx(sampled, rel=0.03)


def test_least_squares_excess_matches_the_gaussian_design_formula():
    # For Gaussian features and an independent Gaussian residual, E[excess] = L_inf * P / (D - P - 1).
    rng = np.random.default_rng(2)
    lam = power_law(60, 2.0)
    P, samples = 5, [20, 60]
    W = rng.standard_normal((P, 60))
    omega = rng.standard_normal((60, 8))
    cov, cross, tcov = (W * lam) @ W.T, W @ (lam[:, None] * omega), omega.T @ (lam[:, None] * omega)
    excess = []
    for _ in range(500):
        ex, limit = least_squares_losses(cov, cross, tcov, [P, P], samples, rng)
        excess.append(ex)
    excess = np.mean(excess, axis=0)  # (2, teachers)
    for k, D in enumerate(samples):
        np.testing.assert_allclose(excess[k], limit[k] * P / (D - P - 1), rtol=0.12)
    # the infinite-data loss is the teacher's variance not explained by the features
    theta_star = np.linalg.solve(cov, cross)
    np.testing.assert_allclose(limit[0], np.diag(tcov) - np.sum(cross * theta_star, axis=0), rtol=1e-10)


def test_least_squares_losses_fit_what_latent_data_would_give():
    # Same law as drawing latent z: compare the mean loss with fits on explicitly projected latent samples.
    rng = np.random.default_rng(3)
    M, P, D = 40, 6, 30
    lam = power_law(M, 1.5)
    W, omega = rng.standard_normal((P, M)), rng.standard_normal(M)
    cov, cross, tv = (W * lam) @ W.T, W @ (lam * omega), omega @ (lam * omega)
    direct, shortcut = [], []
    for _ in range(1500):
        Z = rng.standard_normal((D, M)) * np.sqrt(lam)
        theta = np.linalg.lstsq(Z @ W.T, Z @ omega, rcond=None)[0]
        err = W.T @ theta - omega
        direct.append(err @ (lam * err))
        ex, lim = least_squares_losses(cov, cross, tv, [P], [D], rng)
        shortcut.append(ex[0] + lim[0])
    assert np.mean(shortcut) == pytest.approx(np.mean(direct), rel=0.06)
    with pytest.raises(ValueError, match="D > P"):
        least_squares_losses(cov, cross, tv, [P], [P], rng)


def problem(M=30, D=4, seed=4):
    rng = np.random.default_rng(seed)
    lam = power_law(M, 2.0)
    Z = rng.standard_normal((D, M)) * np.sqrt(lam)
    omega = rng.standard_normal(M)
    return rng, lam, Z, Z @ omega, omega


def test_min_norm_student_tends_to_the_kernel_limit():
    rng, lam, Z, y, omega = problem()
    G = rng.standard_normal((40000, 30))
    losses, controls, kernel_loss = rf_min_norm_losses(Z, y, omega, lam, G, [100, 40000])
    assert losses[1] == pytest.approx(kernel_loss, rel=0.02)
    # what is left after the first-order (control) term shrinks like 1/P
    left = np.abs(losses - kernel_loss - controls)
    assert left[1] < left[0] / 20
    # the student interpolates its data: its latent weights reproduce y exactly
    u_inf = Z.T @ np.linalg.solve(Z @ Z.T, y)
    assert kernel_loss == pytest.approx((u_inf - omega) @ (lam * (u_inf - omega)))


def test_control_variate_is_the_first_order_change_of_the_loss():
    # Choose G so that W^T W = I + eps S exactly (P = M): then loss - kernel_loss = control + O(eps^2).
    rng, lam, Z, y, omega = problem(M=12, D=3)
    S = rng.standard_normal((12, 12))
    S = (S + S.T) / 2
    gaps = []
    for eps in (1e-3, 1e-4):
        G = np.sqrt(12) * np.real(sqrtm(np.eye(12) + eps * S))
        losses, controls, kernel_loss = rf_min_norm_losses(Z, y, omega, lam, G, [12])
        assert controls[0] == pytest.approx(losses[0] - kernel_loss, rel=5e-3)
        gaps.append(abs(losses[0] - kernel_loss - controls[0]))
    assert gaps[1] < gaps[0] / 50  # the remainder is second order in eps


def test_control_variate_has_mean_zero_and_reduces_the_spread():
    rng, lam, Z, y, omega = problem()
    raw, controls = [], []
    for _ in range(400):
        G = rng.standard_normal((200, 30))
        losses, c, kernel_loss = rf_min_norm_losses(Z, y, omega, lam, G, [200])
        raw.append(losses[0] - kernel_loss)
        controls.append(c[0])
    raw, controls = np.array(raw), np.array(controls)
    assert abs(controls.mean()) < 4 * controls.std() / np.sqrt(len(controls))
    assert (raw - controls).std() < 0.5 * raw.std()
