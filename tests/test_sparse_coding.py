"""Reference tests of the sparse-coding helpers (chapter 25)."""

import numpy as np
import pytest

from overparam_utils import sparse_coding as sc


def brute_prox(penalty, lam, step, u):
    """argmin_x 0.5 (x - u)^2 + step * penalty(x) on a fine grid."""
    grid = np.linspace(-6, 6, 240_001)
    obj = 0.5 * (grid[None, :] - u[:, None]) ** 2 + step * sc.penalty_value(grid, penalty, lam)[None, :]
    return grid[np.argmin(obj, axis=1)]


@pytest.mark.parametrize("penalty", ["soft", "hard", "cel0"])
def test_each_threshold_is_the_prox_of_its_penalty(penalty):
    lam, step = 0.7, 0.4
    u = np.linspace(-3, 3, 121) + 0.013  # off the thresholds, where the argmin is unique
    got = sc.prox(penalty, lam, step)(u)
    np.testing.assert_allclose(got, brute_prox(penalty, lam, step, u), atol=1e-4)


def test_cel0_prox_zero_ramp_and_identity():
    lam, step = 2.0, 0.5
    t = np.sqrt(2 * lam)
    assert sc.cel0_prox(np.array([step * t * 0.99]), lam, step)[0] == 0.0
    assert sc.cel0_prox(np.array([t]), lam, step)[0] == pytest.approx(t)
    assert sc.cel0_prox(np.array([-5.0]), lam, step)[0] == -5.0
    with pytest.raises(ValueError):
        sc.cel0_prox(np.array([1.0]), lam, 1.0)


def test_ista_with_an_orthonormal_dictionary_is_one_soft_threshold():
    rng = np.random.default_rng(0)
    D, _ = np.linalg.qr(rng.standard_normal((16, 16)))
    X = rng.standard_normal((5, 16))
    A = sc.infer(X, D, "soft", 0.3, steps=50)
    np.testing.assert_allclose(A, sc.soft_threshold(X @ D, 0.3), atol=1e-10)


def test_refit_on_support_is_least_squares_on_each_rows_support():
    rng = np.random.default_rng(1)
    D = sc.random_dictionary(10, 20, rng)
    X = rng.standard_normal((4, 10))
    A = np.zeros((4, 20))
    supports = [[0, 3], [5], [1, 2, 7, 9], []]
    for i, s in enumerate(supports):
        A[i, s] = 1.0
    R = sc.refit_on_support(X, A, D)
    for i, s in enumerate(supports):
        want = np.zeros(20)
        if s:
            want[s] = np.linalg.lstsq(D[:, s], X[i], rcond=None)[0]
        np.testing.assert_allclose(R[i], want, atol=1e-6)


def test_lambda_path_counts_and_errors():
    rng = np.random.default_rng(2)
    D = sc.random_dictionary(8, 16, rng)
    X = rng.standard_normal((30, 8))
    lams = np.array([0.01, 0.1, 1.0, 10.0])
    active, error, refit = sc.lambda_path(X, D, "soft", lams, steps=200, refit=True)
    assert np.all(np.diff(active) <= 0) and np.all(np.diff(error) >= 0)  # heavier penalty: sparser, worse
    assert active[-1] == 0 and error[-1] == pytest.approx(1.0)
    assert np.all(refit <= error + 1e-12)  # refitting on the support never increases the error


def test_reading_a_power_law_path_at_a_target():
    active = np.array([40.0, 20.0, 10.0, 5.0])
    error = 0.1 * (active / 10.0) ** -2.0
    assert sc.active_at_error(active, error, 0.1 * 2.0**-2) == pytest.approx(20.0)
    assert sc.error_at_active(active, error, 14.142135623730951) == pytest.approx(0.05)
    assert np.isnan(sc.active_at_error(active, error, 10.0))
    assert np.isnan(sc.error_at_active(active, error, 100.0))


def test_dictionary_learning_keeps_unit_atoms_and_beats_a_random_dictionary():
    rng = np.random.default_rng(3)
    true = sc.random_dictionary(16, 16, rng)
    codes = rng.standard_normal((3000, 16)) * (rng.random((3000, 16)) < 0.1)
    X = codes @ true.T
    D0 = sc.random_dictionary(16, 16, rng)
    D = sc.learn_dictionary(X, 16, "cel0", 0.01, batches=80, batch=200, steps=30, lr=0.5, rng=rng, D0=D0)
    np.testing.assert_allclose(np.linalg.norm(D, axis=0), 1.0)
    err = lambda Dict: sc.rel_error(X[:500], sc.infer(X[:500], Dict, "cel0", 0.01, 100), Dict)  # noqa: E731
    assert err(D) < 0.5 * err(D0)


def test_whitened_patches_are_white_and_noise_patches_have_unit_scale():
    rng = np.random.default_rng(4)
    X = sc.whitened_patches(4000, 6, rng)
    assert X.shape == (4000, 36) and X.std() == pytest.approx(1.0)
    np.testing.assert_allclose(X.mean(axis=1), 0.0, atol=1e-8)
    eig = np.linalg.eigvalsh(np.cov(X.T))[1:]  # the first is the removed patch mean (about 0)
    assert eig.max() / eig.min() < 20  # a raw patch covariance spans several orders of magnitude
    N = sc.noise_patches(100, 6, rng)
    assert N.shape == (100, 36) and N.std() == pytest.approx(1.0)
