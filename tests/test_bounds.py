import numpy as np
import pytest
from scipy.stats import chisquare, ks_2samp

from overparam_utils.bounds import expected_distinct_fraction, off_sample_relabel, random_target_worlds


def test_expected_distinct_fraction_matches_simulation():
    rng = np.random.default_rng(0)
    n_pool, m = 500, np.array([10, 300, 2000])
    for mm, expected in zip(m, expected_distinct_fraction(n_pool, m), strict=True):
        hits = [len(np.unique(rng.integers(0, n_pool, mm))) / n_pool for _ in range(400)]
        assert abs(np.mean(hits) - expected) < 0.005
    assert expected_distinct_fraction(n_pool, 0) == 0.0


def test_off_sample_relabel_keeps_the_sample_and_contradicts_h_elsewhere():
    rng = np.random.default_rng(1)
    n_pool, k = 200, 10
    y = rng.integers(0, k, n_pool)
    sample = rng.integers(0, n_pool, 60)
    h = y.copy()  # a hypothesis that fits the sample (and everything else)
    h[rng.random(n_pool) < 0.1] = 0
    h[sample] = y[sample]
    y2 = off_sample_relabel(y, h, sample, k)
    seen = np.zeros(n_pool, dtype=bool)
    seen[sample] = True
    np.testing.assert_array_equal(y2[seen], y[seen])
    assert np.all(y2[~seen] != h[~seen]) and y2.min() >= 0 and y2.max() < k
    assert np.mean(h != y2) == 1 - seen.mean()  # the loss of h is the unseen mass


def test_random_target_worlds_losses_and_learner():
    rng = np.random.default_rng(2)
    n_pool, m, k, trials = 300, 100, 5, 2000
    worlds = random_target_worlds(n_pool, m, k, trials, rng)
    np.testing.assert_array_equal(worlds.loss[1], 0.0)
    unseen = 1 - expected_distinct_fraction(n_pool, m)
    assert abs(worlds.loss[2].mean() - (1 - 1 / k) * unseen) < 0.005
    for w in (1, 2):
        inside = worlds.in_sample[w]
        np.testing.assert_array_equal(worlds.h[w][inside], worlds.target[w][inside])
        np.testing.assert_array_equal(worlds.h[w][~inside], worlds.reference[w][~inside])
        assert np.all(inside.sum(axis=1) == [len(np.unique(s)) for s in worlds.sample[w]])


def test_sample_and_hypothesis_have_the_same_law_in_both_worlds():
    """Functions of (S, h) only: their distributions agree; a function that also reads the learner's
    reference labelling g (an algorithm-dependent statistic) separates the worlds at once."""
    rng = np.random.default_rng(3)
    n_pool, m, k, trials = 200, 80, 4, 3000
    worlds = random_target_worlds(n_pool, m, k, trials, rng)
    stats = {
        "share of label 0": lambda w: (worlds.h[w] == 0).mean(axis=1),
        "seen share": lambda w: worlds.in_sample[w].mean(axis=1),
        "h on the sample equals label 0": lambda w: ((worlds.h[w] == 0) & worlds.in_sample[w]).sum(axis=1),
        "h agrees with its neighbour": lambda w: (worlds.h[w][:, 1:] == worlds.h[w][:, :-1]).mean(axis=1),
    }
    for name, stat in stats.items():
        assert ks_2samp(stat(1), stat(2)).pvalue > 1e-3, name
    # h at one fixed point is uniform in both worlds
    for w in (1, 2):
        counts = np.bincount(worlds.h[w][:, 0], minlength=k)
        assert chisquare(counts).pvalue > 1e-3
    # the algorithm-dependent statistic: does h agree with g on the sample?
    agree = {w: (worlds.h[w] == worlds.reference[w])[worlds.in_sample[w]].mean() for w in (1, 2)}
    assert agree[1] == 1.0 and abs(agree[2] - 1 / k) < 0.01


def test_random_target_worlds_refuses_bad_class_counts():
    with pytest.raises(ValueError, match="n_classes"):
        random_target_worlds(10, 5, 1, 3, np.random.default_rng(0))
