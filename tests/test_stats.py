import numpy as np
import pytest
from scipy.stats import rankdata, spearmanr

from overparam_utils.stats import average_ranks, spearman


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_average_ranks_match_scipy_with_and_without_ties(seed):
    rng = np.random.default_rng(seed)
    for x in (rng.standard_normal(50), rng.integers(0, 5, size=40), np.array([3.0])):
        np.testing.assert_array_equal(average_ranks(x), rankdata(x))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spearman_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(200)
    b = a + rng.standard_normal(200)
    assert spearman(a, b) == pytest.approx(spearmanr(a, b).statistic, abs=1e-12)
    ties_a, ties_b = rng.integers(0, 4, size=60), rng.integers(0, 4, size=60)
    assert spearman(ties_a, ties_b) == pytest.approx(spearmanr(ties_a, ties_b).statistic, abs=1e-12)
    assert spearman(a, np.exp(a)) == pytest.approx(1.0)  # monotone: perfect rank agreement
    assert spearman(a, -a) == pytest.approx(-1.0)


def test_spearman_of_a_constant_sample_is_nan_and_shapes_are_checked():
    assert np.isnan(spearman([1, 1, 1], [1, 2, 3]))
    with pytest.raises(ValueError):
        spearman([1, 2, 3], [1, 2])
    with pytest.raises(ValueError):
        average_ranks(np.zeros((2, 2)))


def test_paired_gap_mean_se_and_lower_bound():
    from overparam_utils.stats import paired_gap

    a, b = np.array([1.0, 2.0, 4.0]), np.array([0.0, 1.0, 1.0])
    d = a - b
    gap = paired_gap(a, b, n_se=2.0)
    assert gap["mean"] == pytest.approx(d.mean())
    assert gap["se"] == pytest.approx(d.std(ddof=1) / np.sqrt(3))
    assert gap["lower"] == pytest.approx(d.mean() - 2 * gap["se"])
    assert paired_gap([1.0], [0.5])["se"] == 0.0
    with pytest.raises(ValueError):
        paired_gap([], [])
