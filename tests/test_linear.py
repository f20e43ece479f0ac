"""LeastSquaresPath against explicit gradient-descent loops and numpy's least squares."""

import numpy as np
import pytest

from overparam_utils.linear import LeastSquaresPath, stable_lr


def problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, p)), rng.standard_normal(n), rng.standard_normal(p)


def explicit_gd(X, y, w0, lr, steps):
    w = w0.copy()
    out = {}
    for k in range(max(steps) + 1):
        if k in steps:
            out[k] = w.copy()
        w = w - lr * X.T @ (X @ w - y) / X.shape[0]
    return np.array([out[k] for k in steps])


@pytest.mark.parametrize("n, p", [(30, 10), (20, 20), (10, 40)])
def test_weights_gd_equal_an_explicit_loop(n, p):
    X, y, w0 = problem(n, p)
    lr = 0.5 * stable_lr(X)
    steps = [0, 1, 7, 50, 300]
    path = LeastSquaresPath.fit(X, y, w0)
    np.testing.assert_allclose(path.weights_gd(steps, lr), explicit_gd(X, y, w0, lr, steps), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("n, p", [(30, 10), (10, 40)])
def test_limit_is_min_norm_least_squares_plus_frozen_init(n, p):
    X, y, w0 = problem(n, p)
    path = LeastSquaresPath.fit(X, y, w0)
    w_star = np.linalg.pinv(X) @ y
    frozen = w0 - np.linalg.pinv(X) @ X @ w0  # projection of w0 on the null space of X
    np.testing.assert_allclose(path.weights_limit(), w_star + frozen, atol=1e-9)
    np.testing.assert_allclose(LeastSquaresPath.fit(X, y).weights_limit(), w_star, atol=1e-9)
    assert path.rank == min(n, p)


def test_flow_matches_small_step_gd_and_reaches_the_limit():
    X, y, w0 = problem(25, 15)
    path = LeastSquaresPath.fit(X, y, w0)
    lr = 1e-3
    np.testing.assert_allclose(path.weights_flow([0.0])[0], w0, atol=1e-12)
    np.testing.assert_allclose(path.weights_flow([2.0])[0], path.weights_gd([2000], lr)[0], rtol=5e-3, atol=5e-3)
    np.testing.assert_allclose(path.weights_flow([1e7])[0], path.weights_limit(), atol=1e-8)


def test_frozen_part_never_moves():
    X, y, w0 = problem(5, 20)
    path = LeastSquaresPath.fit(X, y, w0)
    null_basis = np.linalg.svd(X)[2][5:]  # rows spanning the null space
    for w in path.weights_flow([0.1, 10.0, 1e6]):
        np.testing.assert_allclose(null_basis @ w, null_basis @ w0, atol=1e-10)


def test_stable_lr_is_one_over_the_top_hessian_eigenvalue():
    X, _, _ = problem(40, 12)
    lam_max = np.linalg.eigvalsh(X.T @ X / 40).max()
    assert stable_lr(X) == pytest.approx(1 / lam_max)


def test_shape_errors_and_bad_steps():
    X, y, w0 = problem(5, 3)
    with pytest.raises(ValueError, match="y has shape"):
        LeastSquaresPath.fit(X, y[:4])
    with pytest.raises(ValueError, match="w0 has shape"):
        LeastSquaresPath.fit(X, y, w0[:2])
    with pytest.raises(ValueError, match="integers"):
        LeastSquaresPath.fit(X, y).weights_gd([1.5], 0.1)
