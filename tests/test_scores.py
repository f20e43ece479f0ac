import numpy as np
import pytest
import torch
import torch.nn.functional as F

from overparam_utils import pergrad, scores
from overparam_utils.training import mlp


def test_el2n_is_the_distance_of_probabilities_to_the_one_hot_label():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((2, 6, 4))
    y = rng.integers(0, 4, size=(2, 6))
    out = scores.el2n(torch.as_tensor(logits), y).numpy()
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    onehot = np.eye(4)[y]
    np.testing.assert_allclose(out, np.linalg.norm(probs - onehot, axis=-1), rtol=1e-12)
    confident = torch.tensor([[50.0, 0.0, 0.0]], dtype=torch.float64)
    assert scores.el2n(confident, [0]).item() == pytest.approx(0.0, abs=1e-12)
    assert scores.el2n(confident, [1]).item() == pytest.approx(np.sqrt(2), rel=1e-9)


def test_grand_equals_the_norm_of_each_autograd_gradient():
    models = [mlp(5, 7, 3, depth=2, seed=s) for s in range(2)]
    base, params = pergrad.stack_models(models)
    g = torch.Generator().manual_seed(1)
    X = torch.randn(9, 5, generator=g)
    Y = torch.randint(0, 3, (2, 9), generator=g)
    out = scores.grand(base, params, X, Y, chunk=4)
    assert out.shape == (2, 9)
    for k, model in enumerate(models):
        for i in range(9):
            model.zero_grad()
            F.cross_entropy(model(X[i : i + 1]), Y[k, i : i + 1]).backward()
            norm = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.parameters()))
            assert out[k, i].item() == pytest.approx(norm.item(), rel=1e-5)


def test_keep_subset_hardest_easiest_random():
    s = np.array([0.5, 0.1, 0.9, 0.3, 0.7])
    np.testing.assert_array_equal(scores.keep_subset(s, 0.4, "hardest"), [2, 4])
    np.testing.assert_array_equal(scores.keep_subset(s, 0.4, "easiest"), [1, 3])
    np.testing.assert_array_equal(scores.keep_subset(s, 1.0, "hardest"), np.arange(5))
    r = scores.keep_subset(s, 0.6, "random", np.random.default_rng(0))
    assert len(r) == 3 and len(set(r)) == 3 and np.all(np.diff(r) > 0)
    with pytest.raises(ValueError):
        scores.keep_subset(s, 0.5, "random")
    with pytest.raises(ValueError):
        scores.keep_subset(s, 0.0, "hardest")
    with pytest.raises(ValueError):
        scores.keep_subset(s, 0.5, "middle")


def test_last_layer_grand_is_el2n_times_the_feature_norm():
    """The last layer's share of GraNd is EL2N * sqrt(|h|^2 + 1): an identity, checked against
    autograd (why GraNd and EL2N rank examples alike early in training, chapter 18)."""
    model = mlp(5, 7, 3, depth=2, seed=3).double()
    g = torch.Generator().manual_seed(2)
    X = torch.randn(6, 5, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (6,), generator=g)
    h = model[:-1](X)
    out = scores.last_layer_grand(model(X), h, y)
    last = model[-1]
    for i in range(6):
        model.zero_grad()
        F.cross_entropy(model(X[i : i + 1]), y[i : i + 1]).backward()
        norm = torch.sqrt(last.weight.grad.pow(2).sum() + last.bias.grad.pow(2).sum())
        assert out[i].item() == pytest.approx(norm.item(), rel=1e-10)
    np.testing.assert_allclose(
        out.detach().numpy() / np.sqrt((h.detach().numpy() ** 2).sum(-1) + 1),
        scores.el2n(model(X), y).detach().numpy(),
        rtol=1e-12,
    )


def test_paired_t_is_the_mean_difference_over_its_standard_error():
    a, b = np.array([0.90, 0.92, 0.95, 0.91]), np.array([0.89, 0.90, 0.92, 0.91])
    d = a - b
    expected = d.mean() / (d.std(ddof=1) / 2)
    assert scores.paired_t(a, b) == pytest.approx(expected, rel=1e-12)
    assert scores.paired_t(b, a) == pytest.approx(-expected, rel=1e-12)
    assert scores.paired_t(np.arange(4.0) + 1, np.arange(4.0)) == np.inf
    assert np.isnan(scores.paired_t(a, a))
    with pytest.raises(ValueError):
        scores.paired_t([1.0], [0.0])
