import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from overparam_utils import noisy


def as_module(params, m):
    """The m-th stacked model as an nn.Sequential with the same weights (a reference)."""
    d_in, width = params["W1"].shape[1:]
    n_classes = params["head"].shape[2]
    net = nn.Sequential(
        nn.Linear(d_in, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, n_classes, bias=False)
    )
    with torch.no_grad():
        net[0].weight.copy_(params["W1"][m].T)
        net[0].bias.copy_(params["b1"][m, 0])
        net[2].weight.copy_(params["W2"][m].T)
        net[2].bias.copy_(params["b2"][m, 0])
        net[4].weight.copy_(params["head"][m].T)
    return net


def test_init_shapes_bounds_and_seeding():
    p = noisy.init_stacked_mlp([1, 2, 1], d_in=5, width=8, n_classes=3)
    assert p["W1"].shape == (3, 5, 8) and p["b2"].shape == (3, 1, 8) and p["head"].shape == (3, 8, 3)
    assert p["W1"].abs().max() <= 1 / np.sqrt(5) and p["head"].abs().max() <= 1 / np.sqrt(8)
    for k in p:
        torch.testing.assert_close(p[k][0], p[k][2])
        assert not torch.equal(p[k][0], p[k][1])


def test_forward_matches_an_nn_module_and_truncation_zeroes_the_tail():
    p = noisy.init_stacked_mlp([3, 4], d_in=5, width=8, n_classes=3)
    X = torch.randn(6, 5, generator=torch.Generator().manual_seed(0))
    out = noisy.stacked_predict(p, X)
    for m in range(2):
        torch.testing.assert_close(out[m], as_module(p, m)(X).detach())
    feats = noisy.stacked_features(p, X)
    cut = noisy.stacked_predict(p, X, k=3)
    torch.testing.assert_close(cut, torch.bmm(feats[..., :3], p["head"][:, :3]).detach())


def test_nested_k_probabilities():
    p = noisy.nested_k_probabilities(50, sigma=10.0)
    assert p.shape == (50,) and p.sum() == pytest.approx(1.0)
    assert np.all(np.diff(p) < 0)
    assert p[0] / p[9] == pytest.approx(np.exp(-(0.1**2) + 1.0))


def test_compression_masks_dropout_and_nested():
    gen = torch.Generator().manual_seed(0)
    masks = noisy.compression_masks(3, 400, 50, drop_p=[0.0, 0.5, 0.0], nested_sigma=[0, 0, 5.0], generator=gen)
    assert masks.shape == (3, 400, 50)
    assert torch.all(masks[0] == 1.0)
    drop = masks[1]
    assert set(torch.unique(drop).tolist()) == {0.0, 2.0}
    assert drop.mean().item() == pytest.approx(1.0, abs=0.03)  # inverted dropout is unbiased
    nested = masks[2]
    k = int(nested[0].sum())
    assert 1 <= k <= 50 and torch.all(nested[:, :k] == 1) and torch.all(nested[:, k:] == 0)
    ks = [int(noisy.compression_masks(1, 1, 50, [0.0], [5.0], gen).sum()) for _ in range(2000)]
    expected = np.sum(np.arange(1, 51) * noisy.nested_k_probabilities(50, 5.0))
    assert np.mean(ks) == pytest.approx(expected, rel=0.05)


def test_coteaching_weights_use_the_peers_small_losses():
    losses = torch.tensor([[0.1, 0.9, 0.5, 0.2], [0.8, 0.1, 0.2, 0.9], [5.0, 1.0, 2.0, 3.0]])
    peers = torch.tensor([1, 0, 2])
    w = noisy.coteaching_weights(losses, peers, keep_fraction=0.5)
    torch.testing.assert_close(w[0], torch.tensor([0.0, 1.0, 1.0, 0.0]))  # peer 1's smallest
    torch.testing.assert_close(w[1], torch.tensor([1.0, 0.0, 0.0, 1.0]))  # peer 0's smallest
    torch.testing.assert_close(w[2], torch.ones(4))  # its own peer: the whole batch


def reference_adam(params, m, X, Y, steps, lr, batch_size, seed, M, width):
    """Train model m alone with torch modules on the batches train_noisy draws (no compression)."""
    net = as_module(params, m)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        idx = torch.randint(X.shape[0], (M, batch_size), generator=gen)
        noisy.compression_masks(M, batch_size, width, np.zeros(M), np.zeros(M), gen)  # same draws
        opt.zero_grad()
        F.cross_entropy(net(X[idx[m]]), Y[m, idx[m]]).backward()
        opt.step()
    return net


def test_train_noisy_without_compression_is_adam_per_model():
    p = noisy.init_stacked_mlp([5, 6], d_in=4, width=6, n_classes=3)
    g = torch.Generator().manual_seed(1)
    X = torch.randn(30, 4, generator=g)
    Y = torch.randint(0, 3, (2, 30), generator=g)
    out = noisy.train_noisy(p, X, Y, steps=7, lr=0.01, batch_size=5, seed=3)
    for m in range(2):
        ref = reference_adam(p, m, X, Y, 7, 0.01, 5, 3, 2, 6)
        torch.testing.assert_close(noisy.stacked_predict(out, X)[m], ref(X).detach(), rtol=1e-4, atol=1e-5)


def test_coteaching_pair_with_nothing_forgotten_trains_like_two_separate_models():
    p = noisy.init_stacked_mlp([5, 6], d_in=4, width=6, n_classes=3)
    g = torch.Generator().manual_seed(2)
    X = torch.randn(30, 4, generator=g)
    y = torch.randint(0, 3, (30,), generator=g)
    Y = torch.stack([y, y])
    paired = noisy.train_noisy(p, X, Y, steps=5, lr=0.01, batch_size=6, peers=[1, 0], seed=4)
    with_forget = noisy.train_noisy(p, X, Y, steps=5, lr=0.01, batch_size=6, peers=[1, 0], forget_rate=0.5, seed=4)
    assert not torch.allclose(paired["W1"], with_forget["W1"])
    # with forget_rate 0 each model sees the pair's shared batch: model 1 follows model 0's batches
    gen = torch.Generator().manual_seed(4)
    net1 = as_module(p, 1)
    opt = torch.optim.Adam(net1.parameters(), lr=0.01)
    for _ in range(5):
        idx = torch.randint(30, (2, 6), generator=gen)
        noisy.compression_masks(2, 6, 6, np.zeros(2), np.zeros(2), gen)
        opt.zero_grad()
        F.cross_entropy(net1(X[idx[0]]), y[idx[0]]).backward()
        opt.step()
    torch.testing.assert_close(noisy.stacked_predict(paired, X)[1], net1(X).detach(), rtol=1e-4, atol=1e-5)


def test_train_noisy_checks_its_arguments():
    p = noisy.init_stacked_mlp([5, 6, 7], d_in=4, width=6, n_classes=3)
    X = torch.randn(10, 4)
    Y = torch.zeros(3, 10, dtype=torch.int64)
    with pytest.raises(ValueError, match="pair"):
        noisy.train_noisy(p, X, Y, steps=1, lr=0.1, batch_size=2, peers=[1, 2, 0])
    Y[1, 0] = 1
    with pytest.raises(ValueError, match="same labels"):
        noisy.train_noisy(p, X, Y, steps=1, lr=0.1, batch_size=2, peers=[1, 0, 2])
    with pytest.raises(ValueError, match="one row"):
        noisy.train_noisy(p, X, Y[:2], steps=1, lr=0.1, batch_size=2)
    seen = []
    noisy.train_noisy(p, X, Y, steps=3, lr=0.1, batch_size=2, callback=lambda t, q: seen.append(t), every=[0, 3])
    assert seen == [0, 3]


def test_feature_width_masks_a_fixed_prefix_and_draws_no_random_numbers():
    gen, ref = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    masks = noisy.compression_masks(3, 7, 10, [0.0, 0.0, 0.5], [0.0, 0.0, 0.0], gen, feature_width=[0, 4, 4])
    noisy.compression_masks(3, 7, 10, [0.0, 0.0, 0.5], [0.0, 0.0, 0.0], ref)
    assert torch.equal(gen.get_state(), ref.get_state())
    assert torch.all(masks[0] == 1.0)
    assert torch.all(masks[1, :, :4] == 1.0) and torch.all(masks[1, :, 4:] == 0.0)
    assert torch.all(masks[2, :, 4:] == 0.0) and set(torch.unique(masks[2, :, :4]).tolist()) <= {0.0, 2.0}


def test_a_narrow_model_in_the_stack_trains_like_a_network_with_k_features():
    k, width = 3, 6
    p = noisy.init_stacked_mlp([5], d_in=4, width=width, n_classes=3)
    g = torch.Generator().manual_seed(1)
    X = torch.randn(30, 4, generator=g)
    Y = torch.randint(0, 3, (1, 30), generator=g)
    out = noisy.train_noisy(p, X, Y, steps=6, lr=0.01, batch_size=5, feature_width=[k], seed=3)
    torch.testing.assert_close(out["W2"][0, :, k:], p["W2"][0, :, k:])  # the tail never moves
    torch.testing.assert_close(out["head"][0, k:], p["head"][0, k:])
    # reference: a torch network 4 -> width -> k -> 3 with the same first weights
    net = nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, k), nn.ReLU(), nn.Linear(k, 3, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(p["W1"][0].T)
        net[0].bias.copy_(p["b1"][0, 0])
        net[2].weight.copy_(p["W2"][0, :, :k].T)
        net[2].bias.copy_(p["b2"][0, 0, :k])
        net[4].weight.copy_(p["head"][0, :k].T)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    gen = torch.Generator().manual_seed(3)
    for _ in range(6):
        idx = torch.randint(30, (1, 5), generator=gen)[0]
        opt.zero_grad()
        F.cross_entropy(net(X[idx]), Y[0, idx]).backward()
        opt.step()
    torch.testing.assert_close(noisy.stacked_predict(out, X, k=k)[0], net(X).detach(), rtol=1e-4, atol=1e-5)


def test_predictions_by_cut_are_the_argmax_of_the_cut_networks():
    p = noisy.init_stacked_mlp([3, 4], d_in=5, width=8, n_classes=3)
    X = torch.randn(9, 5, generator=torch.Generator().manual_seed(0))
    pred = noisy.predictions_by_cut(p, X, [1, 4, 8])
    assert pred.shape == (3, 2, 9)
    for i, k in enumerate([1, 4, 8]):
        np.testing.assert_array_equal(pred[i], noisy.stacked_predict(p, X, k=k).argmax(-1).numpy())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU visible here")
def test_training_on_cuda_agrees_with_the_cpu():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5)).astype(np.float32)
    Y = np.stack([rng.integers(0, 3, 60)] * 4)
    out = {}
    for device in ("cpu", "cuda"):
        params = noisy.init_stacked_mlp([1, 2, 3, 4], 5, 8, 3, device=device)
        trained = noisy.train_noisy(
            params,
            X,
            Y,
            steps=30,
            lr=1e-2,
            batch_size=16,
            drop_p=[0, 0.5, 0, 0],
            nested_sigma=[0, 0, 4.0, 0],
            peers=[0, 1, 3, 2],
            forget_rate=0.2,
            seed=5,
        )
        out[device] = {k: v.cpu() for k, v in trained.items()}
        assert noisy.predictions_by_cut(trained, X, [2, 8]).shape == (2, 4, 60)
    for k in out["cpu"]:
        assert torch.allclose(out["cpu"][k], out["cuda"][k], atol=1e-4), k
