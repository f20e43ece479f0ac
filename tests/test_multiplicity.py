"""Reference tests of overparam_utils.multiplicity (chapter 23)."""

import numpy as np
import pytest
from scipy.optimize import minimize

from overparam_utils import multiplicity as mp


def tiny_problem(seed=0, n=40, d=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = mp.logistic_labels(X, np.array([1.5, -1.0, 0.5])[:d], rng)
    return mp.add_intercept(X), y, mp.add_intercept(rng.standard_normal((4, d)))


def test_fit_has_zero_gradient_and_matches_bfgs():
    X1, y, _ = tiny_problem()
    theta, L = mp.fit_logistic(X1, y, 0.1)
    ref = minimize(
        lambda th: mp.penalised_loss(th, X1, y, 0.1), np.zeros(X1.shape[1]), method="BFGS", options=dict(gtol=1e-10)
    )
    assert L == pytest.approx(ref.fun, abs=1e-10)
    np.testing.assert_allclose(theta, ref.x, atol=1e-5)


def test_loss_is_log2_at_zero_and_intercept_is_unpenalised():
    X1, y, _ = tiny_problem()
    assert mp.penalised_loss(np.zeros(X1.shape[1]), X1, y, 5.0) == pytest.approx(np.log(2))
    theta = np.zeros(X1.shape[1])
    theta[-1] = 1.0
    assert mp.penalised_loss(theta, X1, y, 5.0) == pytest.approx(mp.penalised_loss(theta, X1, y, 0.0))


def test_extremes_match_slsqp_and_the_constraint_is_active():
    X1, y, P = tiny_problem()
    lam, eps = 0.1, 0.02
    r = mp.extreme_logits(X1, y, lam, P, eps)
    assert np.max(np.abs(r["gap"])) < 1e-9
    for j in range(len(P)):
        lo = mp.extreme_logit_slsqp(X1, y, lam, P[j], eps, 1, r["theta_star"])
        hi = mp.extreme_logit_slsqp(X1, y, lam, P[j], eps, -1, r["theta_star"])
        assert r["lo"][j] == pytest.approx(lo, abs=1e-5)
        assert r["hi"][j] == pytest.approx(hi, abs=1e-5)


def test_ranges_are_nested_in_eps_and_zero_at_eps_zero():
    X1, y, P = tiny_problem(1)
    widths = []
    for eps in (0.0, 0.005, 0.02, 0.05):
        r = mp.extreme_logits(X1, y, 0.1, P, eps)
        widths.append(mp.viable_prediction_range(r["lo"], r["hi"]))
    assert np.all(widths[0] == 0)
    assert np.all(np.diff(np.array(widths), axis=0) > 0)


def test_small_eps_follows_the_quadratic_approximation():
    # for small eps the set is an ellipsoid: half-width of the logit = sqrt(2 eps x' H^-1 x)
    X1, y, P = tiny_problem(2)
    lam, eps = 0.1, 1e-7
    r = mp.extreme_logits(X1, y, lam, P, eps)
    p = mp.sigmoid(X1 @ r["theta_star"])
    H = (X1.T * (p * (1 - p))) @ X1 / len(y) + lam * np.diag([1.0] * (X1.shape[1] - 1) + [0.0])
    half = np.sqrt(2 * eps * np.einsum("kd,kd->k", P, np.linalg.solve(H, P.T).T))
    np.testing.assert_allclose((r["hi"] - r["lo"]) / 2, half, rtol=1e-3)


def test_helpers_sigmoid_farthest_and_tasks():
    assert mp.sigmoid(0.0) == 0.5 and mp.sigmoid(-1000.0) == 0.0
    X = np.array([[0.0], [3.0], [-5.0], [1.0]])
    assert list(mp.farthest(X, [1.0], 0.5)) == [False, True, True, False]
    rng = np.random.default_rng(0)
    X, y, minor = mp.minority_task(20, 5, [1.0, 0.0], [0.0, 1.0], [0.0, 3.0], rng)
    assert minor.sum() == 5 and X.shape == (25, 2) and set(y) <= {0, 1}
    Xs, ys = mp.separated_task(10, 3, 4.0, rng)
    assert ys.sum() == 5 and Xs.shape == (10, 3)
