"""overparam_utils.scaling against explicit latent-space computations and closed forms."""

import numpy as np
import pytest
from scipy.linalg import sqrtm

from overparam_utils.ridge import power_law
from overparam_utils.scaling import (
    least_squares_losses,
    projection_loss,
    rf_min_norm_losses,
)


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


# --- chapter 04, contract v2: data on a manifold, random ReLU teacher and students -------------------------------

from overparam_utils.data import SphereEmbedding, sphere_points  # noqa: E402
from overparam_utils.features import relu_features as _relu_features  # noqa: E402
from overparam_utils.ridge import relu_kernel as _relu_kernel  # noqa: E402
from overparam_utils.scaling import (  # noqa: E402
    FeatureMoments,
    kernel_regression_losses,
    rf_data_excess,
    rf_least_squares_losses,
    rf_width_excess,
)


def relu_features(X, W):
    """Chapter 04's features, one row of ``W`` per feature: ``relu(X W^T / sqrt(d))``."""
    return _relu_features(X, W.T)


def relu_kernel(X, Y):
    """Their kernel as a ``(len(X), len(Y))`` matrix: ``|x| |y| (sin t + (pi - t) cos t) / (2 pi d)``."""
    return _relu_kernel(Y, X)


def manifold(d=2, ambient=8, n=40, n_test=30, seed=5):
    rng = np.random.default_rng(seed)
    emb = SphereEmbedding.draw(d, ambient, 2.0, rng)
    return rng, emb, emb.sample(n, rng), emb.sample(n_test, rng)


def gp_teachers(X_all, n_teachers, rng):
    """Teachers as values on the points X_all, drawn from the Gaussian process with the ReLU kernel."""
    K = relu_kernel(X_all, X_all)
    chol = np.linalg.cholesky(K + 1e-10 * np.eye(len(K)))
    return chol @ rng.standard_normal((len(K), n_teachers))


def test_sphere_points_and_embedding_give_unit_vectors_on_a_d_manifold():
    rng = np.random.default_rng(0)
    u = sphere_points(500, 3, rng)
    np.testing.assert_allclose(np.linalg.norm(u, axis=1), 1.0)
    emb = SphereEmbedding.draw(3, 10, 2.0, rng)
    X = emb(u)
    assert X.shape == (500, 10) and emb.d == 3
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0)
    # the map is smooth: nearby points of the sphere land nearby
    v = u + 1e-6 * rng.standard_normal(u.shape)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    assert np.max(np.linalg.norm(emb(v) - X, axis=1)) < 1e-4
    with pytest.raises(ValueError, match="ambient"):
        SphereEmbedding.draw(3, 6, 1.0, rng)


def test_kernel_regression_loss_is_the_posterior_variance_for_every_size():
    rng, emb, X, X_test = manifold()
    sizes = [5, 17, 40]
    got = kernel_regression_losses(X, X_test, sizes)
    for k, D in enumerate(sizes):
        K, Ks = relu_kernel(X[:D], X[:D]), relu_kernel(X[:D], X_test)
        post = np.sum(X_test**2, axis=1) / (2 * X.shape[1]) - np.sum(Ks * np.linalg.solve(K, Ks), axis=0)
        assert got[k] == pytest.approx(post.mean(), rel=1e-6)
    assert np.all(np.diff(got) < 0)  # more data, smaller loss


def test_kernel_regression_loss_averages_sampled_teachers():
    rng, emb, X, X_test = manifold(n=20, n_test=15)
    f = gp_teachers(np.vstack([X, X_test]), 20000, rng)
    f_train, f_test = f[:20], f[20:]
    pred = relu_kernel(X_test, X) @ np.linalg.solve(relu_kernel(X, X), f_train)
    sampled = np.mean((pred - f_test) ** 2)
    assert kernel_regression_losses(X, X_test, [20])[0] == pytest.approx(sampled, rel=0.04)


def test_rf_least_squares_losses_match_sampled_teachers_and_direct_fits():
    rng, emb, X, X_test = manifold(n=60, n_test=25)
    W = rng.standard_normal((8, 8))
    widths = [3, 8]
    got = rf_least_squares_losses(X, X_test, W, widths)
    f = gp_teachers(np.vstack([X, X_test]), 20000, rng)
    for k, P in enumerate(widths):
        F, F_test = relu_features(X, W[:P]), relu_features(X_test, W[:P])
        theta = np.linalg.lstsq(F, f[:60], rcond=None)[0]
        sampled = np.mean((F_test @ theta - f[60:]) ** 2)
        assert got[k] == pytest.approx(sampled, rel=0.04)
    assert got[1] < got[0]


def test_rf_width_excess_is_the_loss_gap_to_the_kernel_limit():
    rng, emb, X, X_test = manifold(n=6, n_test=20)
    W = rng.standard_normal((4000, 8))
    widths = [50, 4000]
    excess, kernel_loss = rf_width_excess(X, X_test, W, widths)
    assert kernel_loss == pytest.approx(kernel_regression_losses(X, X_test, [6])[0], rel=1e-8)
    f = gp_teachers(np.vstack([X, X_test]), 20000, rng)
    for k, P in enumerate(widths):
        F, F_test = relu_features(X, W[:P]) / np.sqrt(P), relu_features(X_test, W[:P]) / np.sqrt(P)
        pred = F_test @ F.T @ np.linalg.solve(F @ F.T, f[:6])  # minimum-norm interpolant
        sampled = np.mean((pred - f[6:]) ** 2)
        assert kernel_loss + excess[k] == pytest.approx(sampled, rel=0.04)
    assert np.all(excess > 0) and excess[1] < excess[0] / 20


def test_feature_moments_and_rf_data_excess_match_sampled_teachers():
    rng = np.random.default_rng(7)
    emb = SphereEmbedding.draw(2, 8, 2.0, rng)
    W, V = rng.standard_normal((3, 8)), rng.standard_normal((40, 8))
    X_ref = emb.sample(3000, rng)
    chunks = iter(np.split(X_ref, [1000, 2500]))
    moments = FeatureMoments.estimate(lambda k: next(chunks), W, V, 3000, chunk=1000)
    F, Psi = relu_features(X_ref, W), relu_features(X_ref, V)
    np.testing.assert_allclose(moments.cov, F.T @ F / 3000, rtol=1e-10)
    np.testing.assert_allclose(moments.cross, F.T @ Psi / 3000, rtol=1e-10)
    X = emb.sample(50, rng)
    excess, limit = rf_data_excess(X, W, V, moments, [10, 50])
    a = rng.standard_normal((40, 5000))  # read-outs of 5000 teachers f = a . relu(V x) / sqrt(40)
    theta_star = np.linalg.solve(moments.cov, moments.cross @ a) / np.sqrt(40)
    for k, D in enumerate([10, 50]):
        Fd = relu_features(X[:D], W)
        theta = np.linalg.lstsq(Fd, relu_features(X[:D], V) @ a / np.sqrt(40), rcond=None)[0]
        diff = theta - theta_star
        assert excess[k] == pytest.approx(np.mean(np.sum(diff * (moments.cov @ diff), axis=0)), rel=0.05)
    # the infinite-data loss is the teacher variance the best read-out misses, on the reference sample
    resid = Psi @ a / np.sqrt(40) - F @ theta_star
    assert limit == pytest.approx(np.mean(resid**2), rel=0.05)
