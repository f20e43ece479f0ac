"""Reference tests of the alignment-search helpers (chapter 24)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from overparam_utils import alignment as al  # noqa: E402


def test_equality_data_balances_the_variables_and_labels_by_the_algorithm():
    rng = np.random.default_rng(0)
    emb = rng.standard_normal((6, 3))
    X, sym, V1, V2, y = al.equality_data(4000, 6, emb, rng)
    assert X.shape == (4000, 12) and np.allclose(X[:, 3:6], emb[sym[:, 1]])
    assert abs(V1.mean() - 0.5) < 0.03 and abs(V2.mean() - 0.5) < 0.03
    np.testing.assert_array_equal(V1, sym[:, 0] == sym[:, 1])
    np.testing.assert_array_equal(y, V1 == V2)
    allowed = np.zeros(6**4, dtype=bool)
    allowed[::3] = True
    _, sym, *_ = al.equality_data(500, 6, emb, rng, allowed)
    assert allowed[al.tuple_code(sym, 6)].all()


def test_counterfactual_sets_one_variable_to_the_sources():
    V1b, V2b, V1s, V2s = np.array([1, 1, 0]), np.array([1, 0, 0]), np.array([0, 1, 1]), np.array([0, 0, 1])
    np.testing.assert_array_equal(al.counterfactual(V1b, V2b, V1s, V2s, 0), [0, 0, 0])
    np.testing.assert_array_equal(al.counterfactual(V1b, V2b, V1s, V2s, 1), [0, 0, 0])
    np.testing.assert_array_equal(al.counterfactual(V1b, V2b, V1b, V2b, 0), V1b == V2b)


@pytest.mark.parametrize("kind", ["linear", "revnet"])
def test_alignment_maps_are_exactly_invertible(kind):
    phi = al.alignment_map(16, kind, blocks=3, width=8, seed=1)
    h = torch.randn(50, 16)
    with torch.no_grad():
        assert torch.allclose(phi.inverse(phi(h)), h, atol=1e-5)
        if kind == "linear":
            assert torch.allclose(phi(h).norm(dim=1), h.norm(dim=1), atol=1e-5)  # orthogonal
    with pytest.raises(ValueError):
        al.alignment_map(16, "quadratic")


class Identity(torch.nn.Module):
    def forward(self, h):
        return h

    def inverse(self, z):
        return z


class EqualityHead(torch.nn.Module):
    """Reads V1 from coordinate 0 and V2 from coordinate 1 and outputs [V1 == V2]."""

    def forward(self, h):
        same = 1.0 - (h[:, 0] - h[:, 1]).abs()
        return torch.stack([0.5 - same, same - 0.5], dim=1)


def test_interchange_on_a_network_that_holds_the_variables_is_exact():
    rng = np.random.default_rng(0)
    Vb, Vs = rng.integers(2, size=(2, 200)), rng.integers(2, size=(2, 200))
    hb, hs = torch.as_tensor(Vb.T, dtype=torch.float32), torch.as_tensor(Vs.T, dtype=torch.float32)
    head, phi = EqualityHead(), Identity()
    for k in (0, 1):
        target = al.counterfactual(Vb[0], Vb[1], Vs[0], Vs[1], k)
        assert al.iia(head, phi, hb, hs, target, slice(k, k + 1)) == 1.0
    # swapping nothing gives the base's own label, which is not the counterfactual on about half the pairs
    target = al.counterfactual(Vb[0], Vb[1], Vs[0], Vs[1], 0)
    assert al.iia(head, phi, hb, hs, target, slice(0, 0)) < 0.8


def test_fit_alignment_trains_only_the_map_and_finds_rotated_variables():
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    Q = torch.as_tensor(Q, dtype=torch.float32)

    class Rotated(torch.nn.Module):  # the variables live in a rotated basis of a 4-d layer
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(1))
            self.inner = EqualityHead()

        def forward(self, h):
            return self.inner(h @ Q.T) * self.w

    Vb, Vs = rng.integers(2, size=(2, 2000)), rng.integers(2, size=(2, 2000))
    pad = np.zeros((2000, 2))
    hb = torch.as_tensor(np.c_[Vb.T, pad], dtype=torch.float32) @ Q
    hs = torch.as_tensor(np.c_[Vs.T, pad], dtype=torch.float32) @ Q
    targets = [al.counterfactual(Vb[0], Vb[1], Vs[0], Vs[1], k) for k in (0, 1)]
    head, phi = Rotated(), al.alignment_map(4, "linear", seed=0)
    blocks = [slice(0, 1), slice(1, 2)]
    losses = al.fit_alignment(head, phi, hb, hs, targets, blocks, steps=150, lr=3e-2, batch_size=128)
    assert losses[-20:].mean() < losses[:20].mean() and head.w.item() == 1.0
    assert min(al.iia(head, phi, hb, hs, targets[k], blocks[k]) for k in (0, 1)) > 0.95
