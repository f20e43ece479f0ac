"""overparam_utils.ridge against scikit-learn, numpy solves, Monte Carlo and closed forms."""

import numpy as np
import pytest
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import Ridge

from overparam_utils.features import relu_features
from overparam_utils.ridge import (
    RidgePath,
    kernel_eigenstructure,
    largest_rise_t,
    nested_kernels,
    optimal_fitting_ratio,
    power_law,
    power_law_exponent,
    power_law_target,
    relu_kernel,
    rf_ridge_theory,
    tuned_per_draw,
)

RIDGES = [1e-3, 0.1, 1.0, 10.0]


def problem(n, N, m=7, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, N)), rng.standard_normal(n), rng.standard_normal((m, N)), rng.standard_normal(m)


@pytest.mark.parametrize("n, N", [(30, 10), (20, 20), (10, 40)])
def test_ridge_path_matches_sklearn_ridge_and_kernel_ridge(n, N):
    Z, y, Z_new, _ = problem(n, N)
    for build in (lambda: RidgePath.fit(Z @ Z.T, y), lambda: RidgePath.from_features(Z, y)):
        path = build()
        coef = Z.T @ path.dual_coef(RIDGES)  # (N, R) primal weights
        pred = path.predict(Z_new @ Z.T, RIDGES)
        for k, delta in enumerate(RIDGES):
            ridge = Ridge(alpha=delta, fit_intercept=False, solver="svd").fit(Z, y)
            np.testing.assert_allclose(coef[:, k], ridge.coef_, rtol=1e-7, atol=1e-9)
            krr = KernelRidge(alpha=delta, kernel="precomputed").fit(Z @ Z.T, y)
            np.testing.assert_allclose(pred[:, k], krr.predict(Z_new @ Z.T), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("n, N", [(30, 10), (10, 40)])
def test_ridge_zero_is_the_minimum_norm_least_squares_solution(n, N):
    Z, y, _, _ = problem(n, N, seed=1)
    path = RidgePath.from_features(Z, y)
    coef = Z.T @ path.dual_coef([0.0])[:, 0]
    np.testing.assert_allclose(coef, np.linalg.pinv(Z) @ y, atol=1e-9)
    # and the kernel route agrees, also for a rank-deficient kernel
    np.testing.assert_allclose(Z.T @ RidgePath.fit(Z @ Z.T, y).dual_coef([0.0])[:, 0], coef, atol=1e-7)


@pytest.mark.parametrize("n, N", [(30, 10), (10, 40)])
def test_train_and_test_mse_match_direct_computation(n, N):
    Z, y, Z_new, y_new = problem(n, N, seed=2)
    path = RidgePath.from_features(Z, y)
    ridges = [0.0, *RIDGES]
    for k, delta in enumerate(ridges):
        a = np.linalg.lstsq(Z.T @ Z + delta * np.eye(N), Z.T @ y, rcond=None)[0] if delta else np.linalg.pinv(Z) @ y
        assert path.train_mse(ridges)[k] == pytest.approx(np.mean((Z @ a - y) ** 2), rel=1e-7, abs=1e-12)
        got = path.test_mse(Z_new @ Z.T, y_new, ridges)[k]
        assert got == pytest.approx(np.mean((Z_new @ a - y_new) ** 2), rel=1e-7)


def test_ridge_path_refuses_negative_ridges_and_bad_shapes():
    Z, y, _, _ = problem(8, 5)
    path = RidgePath.from_features(Z, y)
    with pytest.raises(ValueError, match="non-negative"):
        path.dual_coef([-1.0])
    with pytest.raises(ValueError, match="shape"):
        RidgePath.fit(Z @ Z.T, y[:-1])


def test_nested_kernels_equal_the_kernels_of_each_width():
    rng = np.random.default_rng(3)
    F, F_new = rng.standard_normal((12, 50)), rng.standard_normal((4, 50))
    widths = [3, 10, 11, 50]
    got = list(nested_kernels(F, widths, F_new))
    assert [N for N, _, _ in got] == widths
    for N, K, K_new in got:
        np.testing.assert_allclose(K, F[:, :N] @ F[:, :N].T / N, atol=1e-12)
        np.testing.assert_allclose(K_new, F_new[:, :N] @ F[:, :N].T / N, atol=1e-12)
    assert all(K_new is None for _, _, K_new in nested_kernels(F, widths))
    with pytest.raises(ValueError, match="increase"):
        list(nested_kernels(F, [10, 5]))


def test_relu_kernel_is_the_infinite_width_limit_of_relu_features():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 5)) * np.array([[1.0], [2.0], [0.5], [1.0], [1.5], [1.0]])
    X[3] = -X[0]  # antipodal pair: angle pi, kernel 0
    W = rng.standard_normal((5, 400_000))
    F = relu_features(X, W)
    monte_carlo = F @ F.T / W.shape[1]
    K = relu_kernel(X)
    np.testing.assert_allclose(K, monte_carlo, rtol=0.02, atol=2e-3)
    assert K[0, 3] == pytest.approx(0.0, abs=1e-12)
    # diagonal: E relu(u)^2 = var(u) / 2 with var(u) = |x|^2 / d
    np.testing.assert_allclose(np.diag(K), np.sum(X**2, axis=1) / (2 * X.shape[1]), rtol=1e-12)
    np.testing.assert_allclose(relu_kernel(X, X[:2]), K[:2], atol=1e-12)


def test_power_law_and_target_normalisation():
    np.testing.assert_allclose(power_law(4, 2.0), [1.0, 1 / 4, 1 / 9, 1 / 16])
    v = power_law_target(100, 1.5)
    assert np.sum(v**2) == pytest.approx(1.0)
    np.testing.assert_allclose(v[1:] ** 2 / v[0] ** 2, np.arange(2, 101) ** -1.5)
    with pytest.raises(ValueError):
        power_law(0, 1.0)


def test_theory_infinite_width_is_the_large_width_limit_and_the_kernel_formula():
    lam, v = power_law(300, 1.3), power_law_target(300, 1.5)
    ridges = np.array([1e-4, 1e-2, 1.0])
    wide = rf_ridge_theory(lam, v, 50, 1e9, ridges, noise_var=0.1)
    inf = rf_ridge_theory(lam, v, 50, np.inf, ridges, noise_var=0.1)
    np.testing.assert_allclose(wide["test"], inf["test"], rtol=1e-5)
    # kernel ridge regression's estimate written out: kappa solves sum L_i + ridge / kappa = n
    for k, delta in enumerate(ridges):
        kappa = inf["kappa"][k]
        L = lam / (lam + kappa)
        assert L.sum() + delta / kappa == pytest.approx(50, rel=1e-9)
        expected = 50 / (50 - np.sum(L**2)) * (np.sum((1 - L) ** 2 * v**2) + 0.1)
        assert inf["test"][k] == pytest.approx(expected, rel=1e-9)


def test_theory_isotropic_underparameterised_limit():
    # M equal eigenvalues, n > M, no ridge: every mode is learned and the noise is inflated by n / (n - M)
    out = rf_ridge_theory(np.ones(20), np.full(20, 0.2), 100, np.inf, 0.0, noise_var=0.5)
    assert float(out["test"]) == pytest.approx(0.5 * 100 / 80, rel=1e-4)
    assert float(out["train"]) == pytest.approx(0.5 * 80 / 100, rel=1e-3)  # (ridge / n kappa)^2 * test


def test_theory_matches_simulated_linear_random_features():
    M, n = 200, 50
    lam, v = power_law(M, 1.2), power_law_target(M, 1.4)
    ridges = np.array([0.0, 1e-2, 1.0])
    for N, noise_var in ((20, 0.0), (150, 0.05)):
        test, train = [], []
        for seed in range(40):
            rng = np.random.default_rng(seed)
            X = rng.standard_normal((n, M))
            y = X @ v + np.sqrt(noise_var) * rng.standard_normal(n)
            H = np.sqrt(lam)[:, None] * rng.standard_normal((M, N)) / np.sqrt(N)
            path = RidgePath.from_features(X @ H, y)
            w = H @ ((X @ H).T @ path.dual_coef(ridges))
            test.append(np.sum((w - v[:, None]) ** 2, axis=0) + noise_var)
            train.append(path.train_mse(ridges))
        theory = rf_ridge_theory(lam, v, n, N, ridges, noise_var)
        np.testing.assert_allclose(np.mean(test, axis=0), theory["test"], rtol=0.08)
        # at a tiny ridge the train error hangs on the smallest eigenvalues: compare at ridge 1 only
        np.testing.assert_allclose(np.mean(train, axis=0)[2], theory["train"][2], rtol=0.08)


def test_with_targets_equals_a_fresh_fit():
    Z, y, Z_new, y_new = problem(15, 30, seed=5)
    y2 = np.random.default_rng(6).standard_normal(15)
    path = RidgePath.fit(Z @ Z.T, y)
    fresh, reused = RidgePath.fit(Z @ Z.T, y2), path.with_targets(y2)
    ridges = [0.0, *RIDGES]
    np.testing.assert_allclose(reused.train_mse(ridges), fresh.train_mse(ridges), atol=1e-10)
    np.testing.assert_allclose(reused.dual_coef(ridges), fresh.dual_coef(ridges), rtol=1e-8, atol=1e-8)
    with pytest.raises(ValueError, match="shape"):
        path.with_targets(y2[:-1])


def test_kernel_eigenstructure_of_a_pool():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((40, 6))
    K, y = A @ A.T, rng.standard_normal(40)
    eigvals, coeffs_sq = kernel_eigenstructure(K, y)
    np.testing.assert_allclose(eigvals.sum(), np.trace(K) / 40, rtol=1e-10)  # mean of the diagonal
    assert coeffs_sq.sum() == pytest.approx(np.mean(y**2), rel=1e-10)  # Parseval on the pool
    assert np.all(np.diff(eigvals) <= 1e-12) and np.all(eigvals >= 0)
    np.testing.assert_allclose(eigvals[:6], np.sort(np.linalg.eigvalsh(K))[::-1][:6] / 40, rtol=1e-9)
    # several targets at once: the same as one at a time
    both = kernel_eigenstructure(K, np.stack([y, 2 * y], axis=1))[1]
    np.testing.assert_allclose(both[:, 0], coeffs_sq, atol=1e-12)
    np.testing.assert_allclose(both[:, 1], 4 * coeffs_sq, atol=1e-12)
    # a target that is one eigenvector (times sqrt(P)) puts all its power on that mode
    u = np.linalg.eigh(K)[1][:, -1]
    single = kernel_eigenstructure(K, np.sqrt(40) * u)[1]
    assert single[0] == pytest.approx(1.0, rel=1e-9) and single[1:].sum() == pytest.approx(0.0, abs=1e-9)


def test_power_law_exponent_recovers_an_exact_power_law():
    values = 3.0 * np.arange(1, 201, dtype=float) ** -1.37
    exponent, r2 = power_law_exponent(values, 5, 100)
    assert exponent == pytest.approx(1.37, rel=1e-10) and r2 == pytest.approx(1.0, abs=1e-12)
    noisy = values * np.exp(0.3 * np.random.default_rng(8).standard_normal(200))
    assert power_law_exponent(noisy, 5, 100)[1] < 0.99
    with pytest.raises(ValueError):
        power_law_exponent(values, 0, 10)


def test_optimal_fitting_ratio_minimises_the_papers_risk_curve():
    # the paper's plots/plotting.ipynb: test MSE as a function of R = train/test, noise 0
    def risk(R, a, b):
        s = np.sqrt(R)
        return (1 - s) ** (1 - b) / (1 + (a - 1) * s)

    R = np.linspace(0, 0.999, 200_001)
    for a, b in [(1.17, 1.14), (1.22, 1.20), (1.6, 1.3), (1.5, 1.05), (1.12, 1.36), (1.2, 1.4)]:
        assert optimal_fitting_ratio(a, b) == pytest.approx(R[np.argmin(risk(R, a, b))], abs=2e-4)
    # the paper's reading of its CNTK exponents: small ratios; beta >= alpha interpolates
    assert optimal_fitting_ratio(1.17, 1.14) == pytest.approx(0.024, abs=5e-4)
    assert optimal_fitting_ratio(1.12, 1.36) == 0.0
    assert optimal_fitting_ratio(1.5, 1.0) == 1.0  # no decay of the target: regularise fully
    with pytest.raises(ValueError):
        optimal_fitting_ratio(1.0, 1.2)


def test_tuned_per_draw_uses_the_ridge_best_on_average():
    risks = np.array(
        [
            [[3.0, 1.0, 2.0], [1.0, 5.0, 5.0]],
            [[3.0, 2.0, 0.5], [2.0, 5.0, 5.0]],
        ]
    )  # (2 draws, 2 grid points, 3 ridges): mean risks (3, 1.5, 1.25) and (1.5, 5, 5)
    got = tuned_per_draw(risks)
    best = risks.mean(axis=0).argmin(axis=-1)
    assert list(best) == [2, 0]
    np.testing.assert_allclose(got, [[2.0, 1.0], [0.5, 2.0]])


def test_largest_rise_t_is_a_paired_t_statistic():
    rng = np.random.default_rng(9)
    base = np.exp(rng.standard_normal((8, 1)))  # draw-to-draw spread cancels in the pairing
    falling = base * np.exp(-np.arange(5) - 0.01 * rng.standard_normal((8, 5)))
    assert largest_rise_t(falling) < -10
    spike = falling.copy()
    spike[:, 3] *= np.exp(2 + 0.1 * rng.standard_normal(8))  # every draw rises at step 2 -> 3
    assert largest_rise_t(spike) > 10
    steps = np.diff(np.log(spike), axis=1)[:, 2]
    assert largest_rise_t(spike) == pytest.approx(steps.mean() / (steps.std(ddof=1) / np.sqrt(8)))
    with pytest.raises(ValueError):
        largest_rise_t(falling[:1])
