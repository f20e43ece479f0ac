"""Reference tests of the copy and quality measures of chapter 27."""

import numpy as np
import pytest

from overparam_utils import copies


def test_nearest_two_matches_brute_force():
    rng = np.random.default_rng(0)
    S, X = rng.standard_normal((30, 5)), rng.standard_normal((12, 5))
    d = np.linalg.norm(S[:, None] - X[None], axis=2)
    d1, d2 = copies.nearest_two(S, X)
    np.testing.assert_allclose(d1, np.sort(d, axis=1)[:, 0], atol=1e-9)
    np.testing.assert_allclose(d2, np.sort(d, axis=1)[:, 1], atol=1e-9)
    with pytest.raises(ValueError):
        copies.nearest_two(S, X[:1])


def test_copy_fraction_counts_near_copies_not_blends():
    X = np.eye(4) * 10.0
    near = X[:3] + 0.1  # almost training images 0, 1, 2
    blends = (X[:2] + X[1:3]) / 2  # halfway between two training images
    samples = np.concatenate([near, blends])
    assert copies.copy_fraction(samples, X) == pytest.approx(3 / 5)
    assert copies.copy_fraction(blends, X, ratio=0.99) == 0.0


def test_frechet_distance_is_the_gaussian_w2():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0.0, 1.0, (400, 1)), rng.normal(2.0, 3.0, (300, 1))
    sa, sb = a.std(ddof=1), b.std(ddof=1)  # in 1-D: sqrt(dmu^2 + (sd_a - sd_b)^2)
    expected = np.sqrt((a.mean() - b.mean()) ** 2 + (sa - sb) ** 2)
    assert copies.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    A = rng.standard_normal((500, 6)) @ rng.standard_normal((6, 6))
    assert copies.frechet_distance(A, A) == pytest.approx(0.0, abs=1e-5)
    assert copies.frechet_distance(A, A + 1.0) == pytest.approx(np.sqrt(6.0), rel=1e-6)  # a shift


def test_subset_mask_names_the_layers_and_their_share():
    torch = pytest.importorskip("torch")
    from overparam_utils.diffusion import denoiser

    net = denoiser(4, 10, width=8, depth=2, n_freq=2)
    sizes = {name: p.numel() for name, p in net.named_parameters()}
    total = sum(sizes.values())
    full, share = copies.subset_mask(net, "full")
    assert all(full.values()) and share == 1.0
    none, share = copies.subset_mask(net, "none")
    assert not any(none.values()) and share == 0.0
    biases, share = copies.subset_mask(net, "biases")
    assert share == pytest.approx(sum(v for k, v in sizes.items() if k.endswith("bias")) / total)
    first, _ = copies.subset_mask(net, "input")
    last, share = copies.subset_mask(net, "output")
    assert [k for k, v in first.items() if v] == ["layers.0.weight", "layers.0.bias"]
    assert [k for k, v in last.items() if v] == ["layers.2.weight", "layers.2.bias"]
    assert share == pytest.approx((8 * 4 + 4) / total)
    with pytest.raises(ValueError):
        copies.subset_mask(net, "middle")
    assert torch is not None
