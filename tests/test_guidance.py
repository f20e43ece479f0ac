"""Reference tests of the guided-training helpers (chapter 21)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from overparam_utils import guidance  # noqa: E402
from overparam_utils.modular import linear_cka  # noqa: E402
from overparam_utils.training import mlp  # noqa: E402


def test_cka_gram_form_equals_the_feature_form_and_its_invariances():
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((50, 7)), rng.standard_normal((50, 12))
    B[:, :7] += 2 * A  # related, so the value is far from 0 and 1
    value = float(guidance.cka(torch.as_tensor(A), torch.as_tensor(B)))
    assert value == pytest.approx(linear_cka(A, B), rel=1e-9)
    Q, _ = np.linalg.qr(rng.standard_normal((7, 7)))
    assert float(guidance.cka(torch.as_tensor(3 * A @ Q + 1.0), torch.as_tensor(B))) == pytest.approx(value)
    assert float(guidance.cka(torch.as_tensor(A), torch.as_tensor(A))) == pytest.approx(1.0)


def test_conv_guide_features_have_the_strided_lengths_and_a_seed_fixes_the_weights():
    g = guidance.conv_guide(40, 10, channels=4, seed=3)
    x = torch.randn(6, 40)
    feats = g.features(x)
    assert [f.shape for f in feats] == [(6, 4 * 20), (6, 4 * 10), (6, 4 * 5)]
    assert g(x).shape == (6, 10)
    assert torch.equal(guidance.conv_guide(40, 10, channels=4, seed=3)(x), g(x))


def test_hidden_states_are_the_post_activation_layers():
    net = mlp(5, 8, 3, depth=3, seed=0)
    x = torch.randn(4, 5)
    hs = guidance.hidden_states(net, x)
    assert len(hs) == 3 and all(h.shape == (4, 8) and (h >= 0).all() for h in hs)
    assert torch.allclose(net[-1](hs[-1]), net(x))


def test_train_guided_pulls_the_layers_towards_the_guide_and_a_partner_breaks_it():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    target = torch.as_tensor(np.tanh(X @ rng.standard_normal((6, 10))), dtype=torch.float32)
    feats = [target] * 2

    def fit(**kw):
        net = mlp(6, 16, 2, depth=2, seed=1)
        losses = guidance.train_guided(net, X, y, steps=300, lr=1e-2, batch_size=64, cka_size=64, seed=2, **kw)
        with torch.no_grad():
            h = guidance.hidden_states(net, torch.as_tensor(X))[-1]
        return losses, linear_cka(h.numpy(), target.numpy())

    plain_losses, plain = fit(guide_features=None, lam=0.0)
    _, guided = fit(guide_features=feats, lam=5.0)
    _, other = fit(guide_features=feats, lam=5.0, partner=rng.permutation(200))
    assert plain_losses[-20:].mean() < 0.5 * plain_losses[:20].mean()  # it learns the task
    assert guided > plain + 0.1 and guided > other + 0.1
