import numpy as np
import pytest
import scipy.linalg
import torch
import torch.nn.functional as F
from torch.func import functional_call

from overparam_utils.subspace import (
    DenseProjection,
    FastfoodProjection,
    SparseProjection,
    SubspaceModel,
    fast_walsh_hadamard,
    intrinsic_dimension,
    make_projection,
    nested_mask,
    train_subspace,
)
from overparam_utils.training import mlp, train_classifier


def gram(P):
    P = P.double()
    return (P.T @ P).numpy()


@pytest.mark.parametrize("L", [1, 2, 8, 64, 128, 1024, 4096])
def test_fast_walsh_hadamard_matches_scipy(L):
    x = torch.randn(3, L, dtype=torch.float64)
    expected = x.numpy() @ scipy.linalg.hadamard(L)
    np.testing.assert_allclose(fast_walsh_hadamard(x).numpy(), expected, atol=1e-9)


def test_fast_walsh_hadamard_needs_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        fast_walsh_hadamard(torch.zeros(2, 12))


@pytest.mark.parametrize("kind", ["dense", "sparse", "fastfood"])
def test_projection_is_the_linear_map_of_its_matrix(kind):
    P = make_projection(kind, D=3000, d=40, seed=3)
    M = P.dense()
    assert M.shape == (3000, 40)
    z = torch.randn(5, 40)
    np.testing.assert_allclose(P(z).numpy(), (z @ M.T).numpy(), atol=1e-5)
    a, b = torch.randn(40), torch.randn(40)
    np.testing.assert_allclose(P((2 * a - 3 * b)[None]).numpy(), (2 * P(a[None]) - 3 * P(b[None])).numpy(), atol=1e-5)


def test_dense_projection_columns_are_unit_and_nearly_orthogonal():
    D, d = 20000, 50
    G = gram(DenseProjection(D, d, seed=0).dense())
    np.testing.assert_allclose(np.diag(G), 1.0, atol=1e-5)
    off = G[~np.eye(d, dtype=bool)]
    # inner products of independent random unit vectors: mean 0, standard deviation 1/sqrt(D)
    assert abs(off.mean()) < 5 / np.sqrt(D * len(off))
    assert np.std(off) == pytest.approx(1 / np.sqrt(D), rel=0.1)


def test_sparse_projection_density_signs_and_unit_columns():
    D, d = 40000, 60
    P = SparseProjection(D, d, seed=1)
    M = P.dense().numpy()
    nnz = (M != 0).sum(axis=0)
    assert nnz.mean() == pytest.approx(np.sqrt(D), rel=0.1)  # density 1/sqrt(D) by default
    assert P.nnz == nnz.sum()
    for j in range(d):  # every non-zero of a column is +-1/sqrt(its count)
        np.testing.assert_allclose(np.abs(M[M[:, j] != 0, j]), 1 / np.sqrt(nnz[j]), rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(M, axis=0), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="density"):
        SparseProjection(D, d, density=0.0)


def test_fastfood_projection_columns_are_unit_on_average_and_nearly_orthogonal():
    D, d = 30000, 64  # L = 32768: the slice to D keeps most of each column
    P = FastfoodProjection(D, d, seed=2)
    G = gram(P.dense())
    norms = np.sqrt(np.diag(G))
    assert norms.mean() == pytest.approx(1.0, abs=0.02)
    assert norms.std() < 0.02
    off = G[~np.eye(d, dtype=bool)]
    assert np.abs(off).max() < 6 / np.sqrt(D)
    with pytest.raises(ValueError):
        FastfoodProjection(10, 20)


def test_make_projection_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="kind"):
        make_projection("hadamard", 10, 2)


def small_problem(seed=0, n=60):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 5, generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    return X, y


def test_subspace_gradient_is_projected_autograd_gradient_and_matches_finite_differences():
    X, y = small_problem()
    model = mlp(5, 7, 3, seed=0).double()
    D = sum(p.numel() for p in model.parameters())
    sub = SubspaceModel(model, DenseProjection(D, 6, seed=4))
    sub.projection.P = sub.projection.P.double()
    z = (0.3 * torch.randn(1, 6, dtype=torch.float64)).requires_grad_(True)
    loss = F.cross_entropy(sub.forward(z, X.double())[0], y)
    (grad_z,) = torch.autograd.grad(loss, z)

    # reference: plain autograd on the model's own parameters at theta_0 + P z
    theta = (sub.theta0 + sub.projection(z.detach()))[0]
    params = {n: t[0].detach().requires_grad_(True) for n, t in sub.unflatten(theta[None]).items()}
    ref_loss = F.cross_entropy(functional_call(model, params, (X.double(),)), y)
    grads = torch.autograd.grad(ref_loss, list(params.values()))
    grad_theta = torch.cat([g.reshape(-1) for g in grads])
    np.testing.assert_allclose(grad_z[0].numpy(), (sub.projection.P.T @ grad_theta).numpy(), rtol=1e-9)

    eps = 1e-6
    for i in range(6):
        e = torch.zeros(1, 6, dtype=torch.float64)
        e[0, i] = eps
        up = F.cross_entropy(sub.forward(z.detach() + e, X.double())[0], y)
        down = F.cross_entropy(sub.forward(z.detach() - e, X.double())[0], y)
        assert float((up - down) / (2 * eps)) == pytest.approx(float(grad_z[0, i]), rel=1e-5, abs=1e-9)


def test_zero_coordinates_give_the_initial_network():
    X, _ = small_problem()
    model = mlp(5, 7, 3, seed=1)
    D = sum(p.numel() for p in model.parameters())
    sub = SubspaceModel(model, FastfoodProjection(D, 10, seed=0))
    out = sub.forward(torch.zeros(2, 10), X)
    with torch.no_grad():
        np.testing.assert_allclose(out[1].numpy(), model(X).numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="parameters"):
        SubspaceModel(model, DenseProjection(D + 1, 3))


def trained_params(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()


def test_full_dimensional_orthonormal_subspace_reproduces_gradient_descent():
    X, y = small_problem(seed=2)
    model = mlp(5, 4, 3, seed=2)
    D = sum(p.numel() for p in model.parameters())
    Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((D, D)))
    sub = SubspaceModel(model, DenseProjection.from_matrix(Q))
    out = train_subspace(sub, X, y, [D], steps=40, lr=0.3, optimizer="sgd")
    theta_sub = (sub.theta0 + sub.projection(torch.as_tensor(out["z"], dtype=torch.float32)))[0]

    reference = mlp(5, 4, 3, seed=2)
    train_classifier(reference, X, y, steps=40, lr=0.3, optimizer="sgd")
    np.testing.assert_allclose(theta_sub.numpy(), trained_params(reference), atol=2e-5)


def test_identity_subspace_reproduces_adam():
    X, y = small_problem(seed=3)
    model = mlp(5, 4, 3, seed=3)
    D = sum(p.numel() for p in model.parameters())
    sub = SubspaceModel(model, DenseProjection.from_matrix(np.eye(D)))
    out = train_subspace(sub, X, y, [D], steps=30, lr=0.01)
    reference = mlp(5, 4, 3, seed=3)
    train_classifier(reference, X, y, steps=30, lr=0.01, optimizer="adam")
    np.testing.assert_allclose(out["z"][0] + sub.theta0.numpy(), trained_params(reference), atol=2e-5)


def test_nested_models_train_independently_and_stay_in_their_subspace():
    X, y = small_problem(seed=4)
    model = mlp(5, 6, 3, seed=4)
    D = sum(p.numel() for p in model.parameters())
    sub = SubspaceModel(model, SparseProjection(D, 12, density=0.3, seed=0))
    both = train_subspace(sub, X, y, [4, 12], steps=25, lr=0.05, batch_size=16, seed=1, X_test=X, y_test=y)
    alone = train_subspace(sub, X, y, [4], steps=25, lr=0.05, batch_size=16, seed=1)
    np.testing.assert_allclose(both["z"][0], alone["z"][0], atol=1e-6)
    np.testing.assert_array_equal(both["z"][0, 4:], 0.0)
    assert both["train_loss"][1] < both["train_loss"][0]
    np.testing.assert_allclose(both["test_acc"], both["train_acc"])  # same data passed as test set
    with pytest.raises(ValueError, match="optimizer"):
        train_subspace(sub, X, y, [4], steps=1, lr=0.1, optimizer="lbfgs")


def test_nested_mask():
    np.testing.assert_array_equal(nested_mask([1, 3], 4).numpy(), [[1, 0, 0, 0], [1, 1, 1, 0]])
    with pytest.raises(ValueError):
        nested_mask([5], 4)


def test_intrinsic_dimension_interpolates_in_log_d():
    dims = [10, 100, 1000]
    assert intrinsic_dimension(dims, [0.2, 0.5, 0.9], 0.7) == pytest.approx(np.sqrt(100 * 1000))
    assert intrinsic_dimension(dims, [0.2, 0.5, 0.9], 0.5) == pytest.approx(100)
    assert intrinsic_dimension(dims, [0.8, 0.9, 0.95], 0.5) == 10
    assert np.isnan(intrinsic_dimension(dims, [0.1, 0.2, 0.3], 0.5))
    # the first crossing counts, even if the curve dips again later
    assert intrinsic_dimension([1, 2, 4, 8], [0.1, 0.6, 0.4, 0.9], 0.5) < 2
    batched = intrinsic_dimension(dims, np.array([[0.2, 0.5, 0.9], [0.8, 0.9, 0.95]]), 0.5)
    np.testing.assert_allclose(batched, [100, 10])


def test_participation_ratio_counts_the_coordinates_a_vector_uses():
    from overparam_utils.subspace import participation_ratio

    assert participation_ratio([0, 3, 0, 0]) == pytest.approx(1)
    assert participation_ratio([2, -2, 2, 0, 0]) == pytest.approx(3)
    v = np.random.default_rng(0).standard_normal(100_000)
    assert participation_ratio(v) == pytest.approx(len(v) / 3, rel=0.02)  # Gaussian: E x^4 = 3
    assert np.isnan(participation_ratio(np.zeros(4)))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU visible here")
@pytest.mark.parametrize("kind", ["dense", "sparse", "fastfood"])
def test_subspace_training_on_cuda_agrees_with_the_cpu(kind):
    X, y = small_problem(seed=4)
    runs = []
    for device in ("cpu", "cuda"):
        model = mlp(5, 6, 3, seed=4, device=device)
        D = sum(p.numel() for p in model.parameters())
        sub = SubspaceModel(model, make_projection(kind, D, 12, seed=0))
        runs.append(train_subspace(sub, X, y, [4, 12], steps=25, lr=0.05, seed=1))
    np.testing.assert_allclose(runs[1]["z"], runs[0]["z"], atol=1e-4)
