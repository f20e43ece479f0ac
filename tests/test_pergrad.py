import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import mstats

from overparam_utils import pergrad
from overparam_utils.training import mlp


def stacked(m=2, width=8, d_in=5, d_out=3):
    models = [mlp(d_in, width, d_out, depth=2, seed=s) for s in range(m)]
    base, params = pergrad.stack_models(models)
    return models, base, params


def data(n=7, d_in=5, d_out=3, m=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d_in, generator=g)
    Y = torch.randint(0, d_out, (m, n), generator=g)
    return X, Y


def test_stacked_logits_match_each_module():
    models, base, params = stacked()
    X, _ = data()
    out = pergrad.stacked_logits(base, params, X)
    assert out.shape == (2, 7, 3)
    for k, model in enumerate(models):
        torch.testing.assert_close(out[k], model(X))
    per_model = torch.stack([X, 2 * X])
    out = pergrad.stacked_logits(base, params, per_model)
    torch.testing.assert_close(out[1], models[1](2 * X))


def test_per_example_grads_equal_a_loop_of_autograd_calls():
    models, base, params = stacked()
    X, Y = data()
    grads = pergrad.per_example_grads(base, params, X, Y)
    names = [name for name, _ in models[0].named_parameters()]
    assert set(grads) == set(names)
    for k, model in enumerate(models):
        for i in range(len(X)):
            model.zero_grad()
            F.cross_entropy(model(X[i : i + 1]), Y[k, i : i + 1]).backward()
            for name, p in model.named_parameters():
                torch.testing.assert_close(grads[name][k, i], p.grad, rtol=1e-5, atol=1e-6)


def test_coherence_of_identical_orthogonal_and_opposite_gradients():
    m = 6
    same = torch.ones(m, m)
    assert pergrad.coherence(same).item() == pytest.approx(m)
    orthogonal = 3.0 * torch.eye(m)
    assert pergrad.coherence(orthogonal).item() == pytest.approx(1.0)
    cancelling = torch.cat([torch.ones(3, 4), -torch.ones(3, 4)])
    assert pergrad.coherence(cancelling).item() == pytest.approx(0.0)
    batched = torch.stack([same, orthogonal])
    torch.testing.assert_close(pergrad.coherence(batched), torch.tensor([float(m), 1.0]))


def test_coherence_is_m_times_expected_dot_over_expected_square():
    rng = np.random.default_rng(1)
    G = rng.standard_normal((9, 20)) + 0.5
    dots = G @ G.T
    alpha = dots.mean() / np.mean(np.diag(dots))
    assert pergrad.coherence(torch.as_tensor(G)).item() == pytest.approx(9 * alpha, rel=1e-12)


def test_coherence_of_sample_in_chunks_equals_the_direct_computation():
    _, base, params = stacked()
    X, Y = data(n=11)
    direct = pergrad.coherence(pergrad.flatten_grads(pergrad.per_example_grads(base, params, X, Y), 2))
    chunked = pergrad.coherence_of_sample(base, params, X, Y, chunk=4)
    torch.testing.assert_close(chunked, direct, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("c", [0, 1, 2, 4])
def test_winsorized_mean_matches_scipy(c):
    rng = np.random.default_rng(c)
    G = rng.standard_normal((12, 3, 5))
    G[:4, 0, 0] = 0.0  # ties, as dead ReLU units give
    G[:, 1, 1] = 2.0
    out = pergrad.winsorized_mean(torch.as_tensor(G), c, dim=0).numpy()
    n = G.shape[0]
    expected = np.empty(G.shape[1:])
    for i in range(G.shape[1]):
        for j in range(G.shape[2]):
            expected[i, j] = np.mean(mstats.winsorize(G[:, i, j], limits=(c / n, c / n)))
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_winsorized_mean_along_another_axis_and_bad_c():
    rng = np.random.default_rng(3)
    G = torch.as_tensor(rng.standard_normal((2, 9, 4)))
    along_1 = pergrad.winsorized_mean(G, 2, dim=1)
    along_0 = pergrad.winsorized_mean(G.movedim(1, 0), 2, dim=0)
    torch.testing.assert_close(along_1, along_0)
    with pytest.raises(ValueError):
        pergrad.winsorized_mean(G, 5, dim=1)


def test_kth_largest_counts_ties_like_kthvalue():
    rng = np.random.default_rng(4)
    G = torch.as_tensor(rng.integers(0, 3, size=(2, 10, 30)).astype(float))
    for k in range(1, 6):
        expected = torch.kthvalue(G, 10 - k + 1, dim=1, keepdim=True).values
        torch.testing.assert_close(pergrad._kth_largest(G, k, 1), expected)


@pytest.mark.parametrize("groups", [1, 2, 3, 4, 8, 16, 24])  # 24: the sort fallback (> 16)
def test_median_of_means_matches_numpy(groups):
    rng = np.random.default_rng(groups)
    G = rng.standard_normal((48, 6))
    G[:, 0] = rng.integers(0, 2, size=48)  # ties among the group means
    expected = np.median(G.reshape(groups, 48 // groups, 6).mean(axis=1), axis=0)
    out = pergrad.median_of_means(torch.as_tensor(G), groups, dim=0).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    along_1 = pergrad.median_of_means(torch.as_tensor(G.T[None]), groups, dim=2)[0].numpy()
    np.testing.assert_allclose(along_1, expected, rtol=1e-12)
    with pytest.raises(ValueError):
        pergrad.median_of_means(torch.as_tensor(G), 5, dim=0)


def test_train_stacked_models_do_not_interact_and_mean_aggregate_is_plain_sgd():
    _, base, params = stacked(m=2)
    X, Y = data(n=20)
    kw = dict(steps=15, lr=0.3, batch_size=4, seed=5, momentum=0.5)
    plain = pergrad.train_stacked(base, params, X, Y, **kw)
    via_mean = pergrad.train_stacked(base, params, X, Y, aggregate=lambda g: g.mean(dim=1), **kw)
    for name in plain:
        torch.testing.assert_close(plain[name], via_mean[name], rtol=1e-5, atol=1e-6)
    assert not torch.equal(plain["0.weight"], params["0.weight"])
    # model 1 trained alongside a model with other labels = model 1 with its own batches
    other = Y.clone()
    other[0] = (other[0] + 1) % 3
    changed = pergrad.train_stacked(base, params, X, other, **kw)
    torch.testing.assert_close(changed["4.bias"][1], plain["4.bias"][1])
    assert not torch.allclose(changed["4.bias"][0], plain["4.bias"][0])


def test_train_stacked_equals_torch_sgd_with_momentum_on_a_one_example_subset():
    models, base, params = stacked(m=2)
    X, Y = data(n=20)
    out = pergrad.train_stacked(base, params, X, Y, steps=6, lr=0.2, batch_size=3, momentum=0.9, subsets=[[4], [7, 7]])
    for k, i in ((0, 4), (1, 7)):
        model = models[k]
        opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
        for _ in range(6):
            opt.zero_grad()
            F.cross_entropy(model(X[[i, i, i]]), Y[k, [i, i, i]]).backward()
            opt.step()
        for name, p in model.named_parameters():
            torch.testing.assert_close(out[name][k], p.detach(), rtol=1e-5, atol=1e-6)


def test_train_stacked_callback_and_checks():
    _, base, params = stacked(m=2)
    X, Y = data(n=10)
    seen = []
    pergrad.train_stacked(
        base, params, X, Y, steps=5, lr=0.1, batch_size=2, callback=lambda t, p: seen.append(t), every=[0, 2, 5]
    )
    assert seen == [0, 2, 5]
    with pytest.raises(ValueError):
        pergrad.train_stacked(base, params, X, Y[:1], steps=1, lr=0.1, batch_size=2)
    with pytest.raises(ValueError):
        pergrad.train_stacked(base, params, X, Y, steps=1, lr=0.1, batch_size=2, subsets=[[0], []])


def test_group_grads_are_the_means_of_per_example_grads_within_groups():
    _, base, params = stacked(m=2)
    X, Y = data(n=12)
    per_example = pergrad.per_example_grads(base, params, X, Y)
    grouped = pergrad.group_grads(base, params, X, Y, group_size=3)
    for name, g in per_example.items():
        expected = g.unflatten(1, (4, 3)).mean(dim=2)
        torch.testing.assert_close(grouped[name], expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        pergrad.group_grads(base, params, X, Y, group_size=5)


def test_median_of_means_training_with_one_group_is_plain_sgd():
    _, base, params = stacked(m=2)
    X, Y = data(n=20)
    kw = dict(steps=8, lr=0.3, batch_size=4, seed=2)
    plain = pergrad.train_stacked(base, params, X, Y, **kw)
    mom = pergrad.train_stacked(
        base, params, X, Y, aggregate=lambda g: pergrad.median_of_means(g, 1, dim=1), group_size=4, **kw
    )
    for name in plain:
        torch.testing.assert_close(mom[name], plain[name], rtol=1e-5, atol=1e-6)


def test_felt_coherence_averages_to_the_coherence_and_splits_by_example():
    _, base, params = stacked()
    X, Y = data(n=11)
    felt = pergrad.felt_coherence(base, params, X, Y)
    assert felt.shape == (2, 11)
    torch.testing.assert_close(felt.mean(dim=1), pergrad.coherence_of_sample(base, params, X, Y))
    chunked = pergrad.felt_coherence(base, params, X, Y, chunk=4)
    torch.testing.assert_close(chunked, felt, rtol=1e-5, atol=1e-6)
    G = pergrad.flatten_grads(pergrad.per_example_grads(base, params, X, Y), 2)
    expected = 11 * (G @ G.mean(dim=1)[..., None])[..., 0] / G.pow(2).sum(-1).mean(-1)[:, None]
    torch.testing.assert_close(felt, expected, rtol=1e-5, atol=1e-6)


def test_train_stacked_with_one_step_size_per_model_equals_separate_runs():
    _, base, params = stacked(m=2)
    X, Y = data(n=20)
    kw = dict(steps=10, batch_size=4, seed=3)
    both = pergrad.train_stacked(base, params, X, Y, lr=[0.3, 0.05], **kw)
    for k, lr in ((0, 0.3), (1, 0.05)):
        alone = pergrad.train_stacked(base, params, X, Y, lr=lr, **kw)
        for name in both:
            torch.testing.assert_close(both[name][k], alone[name][k], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        pergrad.train_stacked(base, params, X, Y, lr=[0.1, 0.2, 0.3], **kw)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU visible here")
def test_stacked_training_and_coherence_on_cuda_agree_with_the_cpu():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6)).astype(np.float32)
    Y = np.stack([rng.integers(0, 3, 40)] * 2)
    out = {}
    for device in ("cpu", "cuda"):
        base, params = pergrad.stack_models([mlp(6, 8, 3, seed=s, device=device) for s in (1, 2)])
        trained = pergrad.train_stacked(base, params, X, Y, steps=10, lr=0.1, batch_size=8, seed=3)
        felt = pergrad.felt_coherence(base, trained, X, Y)
        out[device] = ({k: v.cpu() for k, v in trained.items()}, felt.cpu())
    for k in out["cpu"][0]:
        assert torch.allclose(out["cpu"][0][k], out["cuda"][0][k], atol=1e-5), k
    assert torch.allclose(out["cpu"][1], out["cuda"][1], rtol=1e-3, atol=1e-4)
