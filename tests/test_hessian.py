import numpy as np
import pytest
import torch

from overparam_utils.data import gaussian_mixture, sample_mixture
from overparam_utils.hessian import (
    FlatModel,
    barrier_height,
    count_outliers,
    cross_entropy_gauss_newton,
    cross_entropy_loss,
    hessian,
    loss_along_line,
    loss_hessian,
    numerical_rank,
    output_jacobian,
    rank_tolerance,
)
from overparam_utils.training import mlp


def small_problem(seed=0, n=40, d=3, k=3, width=5):
    rng = np.random.default_rng(seed)
    X, y, _ = gaussian_mixture(n // k, k, d, 1.5, rng)
    model = mlp(d, width, k, depth=2, activation="tanh", seed=seed).double()
    return model, X, y


def test_flat_model_round_trip_and_functional_call():
    model, X, _ = small_problem()
    flat = FlatModel.of(model)
    assert flat.size == sum(p.numel() for p in model.parameters())
    X_t = torch.as_tensor(X, dtype=torch.float64)
    np.testing.assert_allclose(flat(flat.theta, X_t).detach(), model(X_t).detach())
    shifted = flat.theta + 0.1
    out = flat(shifted, X_t).detach()
    flat.load(shifted)
    np.testing.assert_allclose(model(X_t).detach(), out)


def test_hessian_of_a_quadratic_is_its_matrix():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((6, 6))
    A = torch.as_tensor(A + A.T)
    b = torch.as_tensor(rng.standard_normal(6))
    H = hessian(lambda t: 0.5 * t @ A @ t + b @ t + torch.sin(b @ b), torch.zeros(6, dtype=torch.float64))
    np.testing.assert_allclose(H.numpy(), A.numpy(), atol=1e-12)


def test_hessian_of_a_linear_function_is_zero_and_chunks_do_not_matter():
    """A gradient that does not depend on theta (no graph to differentiate) gives the zero matrix, and the
    column chunking changes nothing."""
    b = torch.arange(5, dtype=torch.float64)
    np.testing.assert_array_equal(hessian(lambda t: b @ t, torch.ones(5, dtype=torch.float64)).numpy(), 0.0)
    f = lambda t: torch.cos(t).sum() * (t**2).sum()  # noqa: E731
    theta = torch.linspace(-1, 1, 7, dtype=torch.float64)
    np.testing.assert_allclose(hessian(f, theta, chunk_size=3).numpy(), hessian(f, theta).numpy(), atol=1e-14)


def test_hessian_of_least_squares_is_the_closed_form():
    """Linear model, squared loss: H = X^T X / n exactly, whatever the parameters."""
    rng = np.random.default_rng(2)
    X = torch.as_tensor(rng.standard_normal((30, 4)))
    y = torch.as_tensor(rng.standard_normal(30))
    model = torch.nn.Linear(4, 1, bias=False).double()
    flat = FlatModel.of(model)
    H = hessian(lambda t: 0.5 * ((flat(t, X)[:, 0] - y) ** 2).mean(), flat.theta, chunk_size=2)
    np.testing.assert_allclose(H.numpy(), (X.T @ X / 30).numpy(), atol=1e-12)


def test_network_hessian_matches_finite_differences_of_the_gradient():
    model, X, y = small_problem()
    H = loss_hessian(model, X, y)
    flat = FlatModel.of(model)
    f = cross_entropy_loss(flat, torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(y))
    g = torch.func.grad(f)
    eps = 1e-5
    fd = np.empty_like(H)
    for j in range(flat.size):
        e = torch.zeros(flat.size, dtype=torch.float64)
        e[j] = eps
        fd[:, j] = ((g(flat.theta + e) - g(flat.theta - e)) / (2 * eps)).numpy()
    np.testing.assert_allclose(H, fd, atol=1e-7)
    np.testing.assert_allclose(H, H.T)


def test_gauss_newton_matches_the_hessian_of_a_linear_model():
    """For a linear softmax model the residual term vanishes, so the Hessian is the Gauss-Newton matrix."""
    rng = np.random.default_rng(3)
    X, y, _ = gaussian_mixture(10, 3, 4, 1.0, rng)
    model = torch.nn.Linear(4, 3).double()
    H = loss_hessian(model, X, y)
    J = output_jacobian(model, X)
    assert J.shape == (30, 3, 4 * 3 + 3)
    with torch.no_grad():
        logits = model(torch.as_tensor(X, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(cross_entropy_gauss_newton(J, logits), H, atol=1e-12)


def test_closed_form_mlp_jacobian_matches_forward_mode():
    """The closed form for Linear/ReLU stacks gives jacfwd's numbers, dead and always-on units included."""
    from torch.func import jacfwd

    from overparam_utils.hessian import mlp_output_jacobian

    rng = np.random.default_rng(5)
    X = rng.standard_normal((13, 4))
    for depth in (0, 1, 3):
        model = mlp(4, 7, 3, depth=depth, seed=depth).double()
        if depth:
            with torch.no_grad():
                model[0].bias[0] = -100.0  # a dead unit
                model[0].bias[1] = 100.0  # an always-on unit
        flat = FlatModel.of(model)
        X_t = torch.as_tensor(X)
        with torch.no_grad():
            reference = jacfwd(lambda theta, flat=flat, X_t=X_t: flat(theta, X_t))(flat.theta).numpy()
        J = mlp_output_jacobian(model, X)
        assert J.shape == reference.shape == (13, 3, flat.size)
        np.testing.assert_allclose(J, reference, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(output_jacobian(model, X), J)


def test_output_jacobian_matches_finite_differences():
    model, X, _ = small_problem(n=9)
    J = output_jacobian(model, X)
    flat = FlatModel.of(model)
    X_t = torch.as_tensor(X, dtype=torch.float64)
    j, eps = 7, 1e-6
    e = torch.zeros(flat.size, dtype=torch.float64)
    e[j] = eps
    fd = ((flat(flat.theta + e, X_t) - flat(flat.theta - e, X_t)) / (2 * eps)).detach().numpy()
    np.testing.assert_allclose(J[:, :, j], fd, atol=1e-8)


def test_numerical_rank_agrees_with_numpy_on_constructed_low_rank_matrices():
    rng = np.random.default_rng(4)
    for r, shape in [(3, (20, 12)), (7, (9, 40)), (1, (5, 5))]:
        M = rng.standard_normal((shape[0], r)) @ rng.standard_normal((r, shape[1]))
        assert numerical_rank(M) == r == np.linalg.matrix_rank(M)
    S = rng.standard_normal((15, 4))
    assert numerical_rank(S @ S.T, hermitian=True) == 4
    assert numerical_rank(np.zeros((3, 3))) == 0
    assert rank_tolerance(2.0, (10, 3)) == pytest.approx(20 * np.finfo(float).eps)
    # values above the tolerance count, values at round-off do not
    D = np.diag([1.0, 1e-8, 1e-18])
    assert numerical_rank(D) == 2


def test_count_outliers_finds_the_largest_gap():
    assert count_outliers([10, 9, 8, 1, 0.9, 0.5, -0.1], 4) == 3
    assert count_outliers([5, 0.1, 0.09, 0.08], 2) == 1
    with pytest.raises(ValueError):
        count_outliers([1.0, 0.0], 2)


def test_line_and_barrier():
    f = lambda t: (t**2).sum()  # noqa: E731
    a, b = torch.tensor([-1.0, 0.0]), torch.tensor([1.0, 0.0])
    alphas = np.linspace(0, 1, 5)
    L = loss_along_line(f, a, b, alphas)
    np.testing.assert_allclose(L, (2 * alphas - 1) ** 2)
    assert barrier_height(alphas, L) == 0.0  # convex: never above the chord
    bump = 1 - (2 * alphas - 1) ** 2
    assert barrier_height(alphas, bump) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        barrier_height([0.1, 1.0], [0.0, 0.0])


def test_gaussian_mixture_means_separation_and_labels():
    rng = np.random.default_rng(5)
    X, y, means = gaussian_mixture(2000, 4, 6, 3.0, rng)
    assert X.shape == (8000, 6) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 3.0)
    for c in range(4):
        np.testing.assert_allclose(X[y == c].mean(axis=0), means[c], atol=0.1)
        np.testing.assert_allclose(X[y == c].std(axis=0), 1.0, atol=0.05)
    X2, y2 = sample_mixture(means, 3, rng)
    np.testing.assert_array_equal(y2, np.repeat(np.arange(4), 3))


def test_top_eigenvalues_match_the_full_spectrum():
    """Lanczos on Hessian-vector products gives the same top eigenvalues as the exact Hessian."""
    from overparam_utils.hessian import top_eigenvalues

    model, X, y = small_problem(seed=3)
    flat = FlatModel.of(model)
    f = cross_entropy_loss(flat, torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(y))
    full = np.linalg.eigvalsh(hessian(f, flat.theta).numpy())[::-1]
    np.testing.assert_allclose(top_eigenvalues(f, flat.theta, 4), full[:4], rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError):
        top_eigenvalues(f, flat.theta, flat.size)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU visible here")
def test_hessian_jacobian_and_lanczos_on_cuda_agree_with_the_cpu():
    from overparam_utils.hessian import top_eigenvalues

    _, X, y = small_problem()
    on = {}
    for device in ("cpu", "cuda"):
        model = mlp(3, 5, 3, depth=2, seed=0, device=device)
        flat = FlatModel.of(model.double())
        loss = cross_entropy_loss(
            flat, torch.as_tensor(X, dtype=torch.float64, device=device), torch.as_tensor(y, device=device)
        )
        on[device] = (loss_hessian(model, X, y), output_jacobian(model, X), top_eigenvalues(loss, flat.theta, 2))
    for a, b in zip(on["cpu"], on["cuda"], strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-8, atol=1e-10)
