"""Sensing operators and factored loops against references: explicit sums, torch.autograd, closed forms."""

import numpy as np
import pytest
import torch

from overparam_utils import sensing
from overparam_utils.fits import loglog_slope
from overparam_utils.sensing import (
    SensingLoss,
    adjoint,
    asymmetric_descent,
    factored_descent,
    frobenius,
    gaussian_operator,
    linear_rate,
    loss_gradient_matrix,
    low_rank_psd,
    measure,
    random_orthonormal,
    rebalance,
)


@pytest.mark.parametrize("symmetric", [False, True])
def test_measure_is_the_sum_of_entrywise_products(symmetric):
    rng = np.random.default_rng(0)
    A = gaussian_operator(7, 5, rng=rng, symmetric=symmetric)
    M = rng.standard_normal((3, 5, 5))
    expected = np.array([[np.sum(A[i] * Mb) for i in range(7)] for Mb in M])
    np.testing.assert_allclose(measure(A, M), expected, rtol=1e-12)
    if symmetric:
        np.testing.assert_array_equal(A, np.swapaxes(A, -1, -2))


def test_adjoint_identity_holds_for_batched_rectangular_operators():
    rng = np.random.default_rng(1)
    A = gaussian_operator(11, 4, 6, rng=rng, size=(3,))  # 3 draws of a 4 x 6 operator
    M = rng.standard_normal((3, 2, 4, 6))
    v = rng.standard_normal((3, 2, 11))
    lhs = np.sum(measure(A, M) * v, axis=-1)
    rhs = np.sum(M * adjoint(A, v), axis=(-2, -1))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)
    assert adjoint(A, v).shape == (3, 2, 4, 6)
    with pytest.raises(ValueError, match="square"):
        gaussian_operator(5, 3, 4, rng=rng, symmetric=True)
    with pytest.raises(ValueError, match="do not match"):
        measure(A, M[..., :5])
    with pytest.raises(ValueError, match="entries"):
        adjoint(A, v[..., :10])


@pytest.mark.parametrize("symmetric", [False, True])
def test_operator_is_near_isotropic_on_low_rank_matrices(symmetric):
    """RIP-like concentration: ||A(M)||^2 / m is close to ||M||_F^2 for rank-2 matrices once m >> n r."""
    rng = np.random.default_rng(2)
    n, m = 10, 4000
    A = gaussian_operator(m, n, rng=rng, symmetric=symmetric)
    U, V = rng.standard_normal((50, n, 2)), rng.standard_normal((50, n, 2))
    M = U @ np.swapaxes(U if symmetric else V, -1, -2)
    ratio = np.sum(measure(A, M) ** 2, axis=-1) / m / frobenius(M) ** 2
    assert np.all(np.abs(ratio - 1) < 0.15), ratio
    # and A^* A / m is the identity on average over draws of the operator
    draws = gaussian_operator(400, 4, rng=rng, symmetric=symmetric, size=(200,))
    M0 = M[0, :4, :4]
    mean = np.mean(adjoint(draws, measure(draws, M0[None])) / 400, axis=0)[0]
    np.testing.assert_allclose(mean, M0, atol=0.05 * np.abs(M0).max())


def test_low_rank_psd_has_the_requested_spectrum():
    rng = np.random.default_rng(3)
    M = low_rank_psd(12, [2.0, 1.0, 0.25], rng, size=(4,))
    assert M.shape == (4, 12, 12)
    np.testing.assert_allclose(M, np.swapaxes(M, -1, -2), atol=1e-14)
    eig = np.linalg.eigvalsh(M)[:, ::-1]
    np.testing.assert_allclose(eig[:, :3], np.tile([2.0, 1.0, 0.25], (4, 1)), atol=1e-12)
    np.testing.assert_allclose(eig[:, 3:], 0.0, atol=1e-12)
    Q = random_orthonormal(9, 3, rng, size=(2,))
    np.testing.assert_allclose(np.swapaxes(Q, -1, -2) @ Q, np.tile(np.eye(3), (2, 1, 1)), atol=1e-12)
    with pytest.raises(ValueError, match="positive"):
        low_rank_psd(5, [1.0, -1.0], rng)


def problem(seed, n=6, m=80, k=3, n_runs=2):
    rng = np.random.default_rng(seed)
    A = gaussian_operator(m, n, rng=rng)
    y = rng.standard_normal((n_runs, m))
    X = rng.standard_normal((n_runs, n, k))
    return A, y, X, rng


@pytest.mark.parametrize("loss", ["l2", "l1"])
def test_symmetric_factor_gradient_matches_autograd(loss):
    A, y, X, _ = problem(4)
    m = A.shape[0]
    X_t = torch.tensor(X, requires_grad=True)
    pred = torch.einsum("iab,rab->ri", torch.tensor(A), X_t @ X_t.transpose(-1, -2))
    residual = pred - torch.tensor(y)
    value = (residual**2).sum() / (2 * m) if loss == "l2" else residual.abs().sum() / m
    value.backward()
    D = loss_gradient_matrix(A, y, X @ np.swapaxes(X, -1, -2), loss)
    np.testing.assert_allclose((D + np.swapaxes(D, -1, -2)) @ X, X_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    fast = SensingLoss(A, y, loss).gradient(X @ np.swapaxes(X, -1, -2))
    np.testing.assert_allclose(fast, D, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", ["l2", "l1"])
def test_packed_symmetric_loss_gives_the_reference_gradient(loss):
    rng = np.random.default_rng(10)
    A = gaussian_operator(90, 6, rng=rng, symmetric=True, size=(2,))
    y = rng.standard_normal((2, 3, 90))
    X = rng.standard_normal((2, 3, 6, 4))
    M = X @ np.swapaxes(X, -1, -2)
    packed = SensingLoss(A, y, loss, symmetric=True)
    assert packed.packed and not SensingLoss(A, y, loss).packed
    np.testing.assert_allclose(packed.gradient(M), loss_gradient_matrix(A, y, M, loss), rtol=1e-10, atol=1e-12)
    # a non-symmetric operator is never packed, whatever the promise
    assert not SensingLoss(gaussian_operator(9, 3, rng=rng), y[..., :9], loss, symmetric=True).packed


def test_asymmetric_factor_gradient_matches_autograd_and_residual_shortcut():
    rng = np.random.default_rng(5)
    A = gaussian_operator(60, 5, 7, rng=rng)
    y = rng.standard_normal((2, 60))
    F, G = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 7, 3))
    F_t, G_t = torch.tensor(F, requires_grad=True), torch.tensor(G, requires_grad=True)
    pred = torch.einsum("iab,rab->ri", torch.tensor(A), F_t @ G_t.transpose(-1, -2))
    ((pred - torch.tensor(y)) ** 2).sum().div(2 * 60).backward()
    M = F @ np.swapaxes(G, -1, -2)
    D = loss_gradient_matrix(A, y, M)
    np.testing.assert_allclose(D @ G, F_t.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(np.swapaxes(D, -1, -2) @ F, G_t.grad.numpy(), rtol=1e-10)
    objective = SensingLoss(A, y)
    direct = np.linalg.norm(measure(A, M) - y, axis=-1) / np.linalg.norm(y, axis=-1)
    np.testing.assert_allclose(objective.relative_residual(M, objective.gradient(M)), direct, rtol=1e-9)
    with pytest.raises(ValueError, match="l2"):
        SensingLoss(A, y, "l1").relative_residual(M, D)


def test_factored_descent_takes_the_documented_steps():
    A, y, X0, _ = problem(6)
    lr, decay = 0.01, 0.9
    X, errors = factored_descent(A, y, X0, lr=lr, steps=2, loss="l1", decay=decay, target=np.eye(6))
    X_ref = X0.copy()
    for t in range(2):
        D = loss_gradient_matrix(A, y, X_ref @ np.swapaxes(X_ref, -1, -2), "l1")
        X_ref = X_ref - lr * decay**t * (D + np.swapaxes(D, -1, -2)) @ X_ref
    np.testing.assert_allclose(X, X_ref, rtol=1e-12)
    assert errors.shape == (3, 2)
    np.testing.assert_allclose(errors[-1], frobenius(X_ref @ np.swapaxes(X_ref, -1, -2) - np.eye(6)))
    # per-run step sizes: a zero step leaves that run where it started
    X2, none = factored_descent(A, y, X0, lr=np.array([0.0, lr]), steps=3)
    np.testing.assert_array_equal(X2[0], X0[0])
    assert none.size == 0
    with pytest.raises(ValueError, match="loss"):
        factored_descent(A, y, X0, lr=lr, steps=1, loss="huber")


def test_exactly_parameterised_gradient_descent_recovers_the_target():
    rng = np.random.default_rng(7)
    n, r, m = 8, 2, 300
    A = gaussian_operator(m, n, rng=rng)
    M_star = low_rank_psd(n, [1.0, 0.5], rng)
    y = measure(A, M_star[None])
    X0 = 0.1 * rng.standard_normal((1, n, r))
    _, errors = factored_descent(A, y, X0, lr=0.2, steps=600, target=M_star)
    assert errors[-1, 0] < 1e-10 < errors[0, 0]
    F0, G0 = 0.3 * rng.standard_normal((1, n, r)), 0.1 * rng.standard_normal((1, n, r))
    *_, errors_fg, switched = asymmetric_descent(A, y, F0, G0, lr=0.2, steps=800, target=M_star)
    assert errors_fg[-1, 0] < 1e-10 and switched[0] == -1


def test_rebalance_keeps_the_product_and_equalises_the_first_factor():
    rng = np.random.default_rng(8)
    F = rng.standard_normal((3, 9, 4)) * np.array([1.0, 0.5, 1e-2, 1e-3])
    G = rng.standard_normal((3, 7, 4))
    F2, G2 = rebalance(F, G)
    np.testing.assert_allclose(F2 @ np.swapaxes(G2, -1, -2), F @ np.swapaxes(G, -1, -2), atol=1e-12)
    s2 = np.linalg.norm(F @ np.swapaxes(G, -1, -2), ord=2, axis=(-2, -1))
    np.testing.assert_allclose(np.swapaxes(F2, -1, -2) @ F2, s2[:, None, None] * np.eye(4), atol=1e-10)


def test_asymmetric_descent_rebalances_each_run_once_when_its_residual_is_small():
    rng = np.random.default_rng(9)
    n, k, m = 8, 4, 300
    A = gaussian_operator(m, n, rng=rng)
    M_star = low_rank_psd(n, [1.0, 0.5], rng)
    y = measure(A, M_star[None])
    F0 = 0.3 * rng.standard_normal((2, n, k)) / np.sqrt(n)
    G0 = 0.1 * rng.standard_normal((2, n, k)) / np.sqrt(n)
    tol = 1e-2
    F, G, errors, switched = asymmetric_descent(A, y, F0, G0, lr=0.2, steps=400, target=M_star, rebalance_below=tol)
    assert np.all(switched > 0)
    # replay run 0 by hand: plain steps until the residual first drops below tol, then one rebalance
    objective = SensingLoss(A, y[:1])
    F_ref, G_ref = F0[:1].copy(), G0[:1].copy()
    for t in range(400):
        M = F_ref @ np.swapaxes(G_ref, -1, -2)
        D = objective.gradient(M)
        if t == switched[0]:
            assert objective.relative_residual(M, D)[0] < tol
            F_ref, G_ref = rebalance(F_ref, G_ref)
        elif t < switched[0]:
            assert objective.relative_residual(M, D)[0] >= tol
        F_ref, G_ref = F_ref - 0.2 * D @ G_ref, G_ref - 0.2 * np.swapaxes(D, -1, -2) @ F_ref
    np.testing.assert_allclose(F[0], F_ref[0], rtol=1e-8, atol=1e-12)
    assert errors[-1].max() < errors[switched[0]].max()
    # per-run thresholds: 0 means plain gradient descent, identical to a run without the option
    F_mix, _, _, switched_mix = asymmetric_descent(A, y, F0, G0, lr=0.2, steps=400, rebalance_below=[tol, 0.0])
    F_plain, *_ = asymmetric_descent(A, y, F0, G0, lr=0.2, steps=400)
    assert switched_mix[0] == switched[0] and switched_mix[1] == -1
    np.testing.assert_allclose(F_mix[0], F[0], rtol=1e-12)
    np.testing.assert_allclose(F_mix[1], F_plain[1], rtol=1e-12)


def test_rate_fits_recover_known_rates():
    t = np.arange(400)
    curves = np.stack([np.exp(-0.05 * t), 3 * np.exp(-0.01 * t)], axis=1)
    np.testing.assert_allclose(linear_rate(curves, 1e-8, 1.0), [0.05, 0.01], rtol=1e-10)
    assert np.isnan(linear_rate(curves, 1e-30, 1e-29)).all()
    # one window per curve: the second curve's window leaves too few points
    np.testing.assert_allclose(linear_rate(curves, 1e-8, [1.0, 3 * np.exp(-3.95)]), [0.05, np.nan])
    steps = np.arange(10, 1000)
    power = np.stack([2.0 / steps, 5.0 * steps**-0.5], axis=1)
    np.testing.assert_allclose(loglog_slope(steps, power, axis=0), [-1.0, -0.5], rtol=1e-10)


def test_module_lists_its_losses():
    assert sensing.LOSSES == ("l2", "l1")


def test_subgradient_iterates_move_no_further_than_the_step_schedule():
    """Why chapter 08 does not count the l1 error's rate -ln(rho) as evidence: a sub-gradient step has length at
    most ``lr * decay**t * 2 * mean_i ||A_i||_F * ||U_t||_2`` (only signs of residuals enter), so the iterates
    settle geometrically at the schedule's rate, whatever they settle on."""
    rng = np.random.default_rng(10)
    d, m, lr, decay, steps = 6, 200, 0.3, 0.9, 30
    A = gaussian_operator(m, d, rng=rng, symmetric=True)
    X_star = low_rank_psd(d, [1.0, 0.5], rng)
    y = measure(A, X_star[None]) + (rng.random(m) < 0.3) * 10.0  # outliers
    U = 0.5 * rng.standard_normal((1, d, 3))
    bound_D = np.mean(frobenius(A))  # ||D||_F <= mean_i ||A_i||_F for D = mean_i sign_i A_i
    path = [U]
    for t in range(steps):  # one step at a time, continuing the schedule lr * decay**t
        U, _ = factored_descent(A, y, U, lr=lr * decay**t, steps=1, loss="l1")
        path.append(U)
    for t in range(steps):
        move = frobenius(path[t + 1] - path[t])[0]
        assert move <= lr * decay**t * 2 * bound_D * np.linalg.norm(path[t][0], 2) + 1e-12
    # hence the distance to the last iterate is bounded by a geometric tail of the schedule
    U_max = max(np.linalg.norm(P[0], 2) for P in path)
    for t in (0, 10, 20):
        tail = lr * 2 * bound_D * U_max * sum(decay**s for s in range(t, steps))
        assert frobenius(path[-1] - path[t])[0] <= tail
    # and the whole schedule reproduces the same end point as one call
    U_one, _ = factored_descent(A, y, path[0], lr=lr, decay=decay, steps=steps, loss="l1")
    np.testing.assert_allclose(U_one, path[-1], rtol=1e-10, atol=1e-12)
