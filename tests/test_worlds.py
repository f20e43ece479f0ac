import numpy as np
import pytest
from scipy.stats import chisquare, ks_2samp

from overparam_utils.worlds import (
    expected_distinct_fraction,
    lagrange_interpolate,
    least_squares_toward_reference,
    linear_learner_worlds,
    off_sample_relabel,
    polynomial_worlds,
    random_target_worlds,
)


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


def test_least_squares_with_one_feature_per_point_is_the_memorise_then_default_learner():
    """One-hot point identity as features: the least-squares learner returns the sample's labels on the
    sample and the reference labelling elsewhere, exactly the learner of random_target_worlds."""
    rng = np.random.default_rng(4)
    n_pool, m, k, trials = 40, 15, 5, 6
    worlds = random_target_worlds(n_pool, m, k, trials, rng)
    for w in (1, 2):
        labels = np.take_along_axis(worlds.target[w], worlds.sample[w], axis=1)
        h = least_squares_toward_reference(np.eye(n_pool), worlds.sample[w], labels, worlds.reference[w], k)
        np.testing.assert_array_equal(h, worlds.h[w])


def test_least_squares_matches_a_direct_weighted_solve():
    rng = np.random.default_rng(5)
    n_pool, p, k, m, pull, ridge = 30, 4, 3, 12, 0.05, 1e-2
    X = rng.standard_normal((n_pool, p))
    sample = rng.integers(0, n_pool, (2, m))
    labels = rng.integers(0, k, (2, m))
    reference = rng.integers(0, k, (2, n_pool))
    h = least_squares_toward_reference(X, sample, labels, reference, k, pull, ridge)
    phi = np.hstack([X, np.ones((n_pool, 1))])
    for t in range(2):
        rows = np.vstack([phi[sample[t]], np.sqrt(pull) * phi, np.sqrt(ridge) * np.eye(p + 1)])
        targets = np.vstack([np.eye(k)[labels[t]], np.sqrt(pull) * np.eye(k)[reference[t]], np.zeros((p + 1, k))])
        W = np.linalg.lstsq(rows, targets, rcond=None)[0]
        np.testing.assert_array_equal(h[t], np.argmax(phi @ W, axis=1))


def test_linear_learner_worlds_are_told_apart_by_the_training_error():
    """The low-capacity control: its reference is a linear labelling, it learns world 1 far better than
    world 2, and it cannot fit the random labels of world 2 (training error well above world 1's)."""
    rng = np.random.default_rng(6)
    n_pool, p, m, k, trials = 400, 5, 150, 3, 40
    X = rng.standard_normal((n_pool, p))
    worlds = linear_learner_worlds(X, m, k, trials, rng)
    train_error = {}
    for w in (1, 2):
        labels = np.take_along_axis(worlds.target[w], worlds.sample[w], axis=1)
        train_error[w] = (np.take_along_axis(worlds.h[w], worlds.sample[w], axis=1) != labels).mean()
        assert worlds.h[w].shape == (trials, n_pool) and worlds.loss[w].shape == (trials,)
    np.testing.assert_array_equal(worlds.target[1], worlds.reference[1])
    assert worlds.loss[1].mean() < 0.25 < 0.5 < worlds.loss[2].mean()
    assert train_error[1] < 0.2 < 0.4 < train_error[2]
    with pytest.raises(ValueError, match="n_classes"):
        linear_learner_worlds(X, m, 1, trials, rng)


def test_lagrange_interpolate_recovers_a_polynomial_over_a_prime_field():
    rng = np.random.default_rng(7)
    q, r, trials = 31, 5, 4
    coefs = rng.integers(0, q, (trials, r))
    grid = np.arange(q)
    values = np.stack([sum(int(c[i]) * grid**i for i in range(r)) % q for c in coefs])
    xs = np.stack([rng.permutation(q)[:r] for _ in range(trials)])
    np.testing.assert_array_equal(lagrange_interpolate(xs, np.take_along_axis(values, xs, 1), q), values)


def test_polynomial_worlds_full_family_is_blind_and_one_coefficient_fewer_is_not():
    """degree_below = m: both worlds fit the sample (training error 0) and world 1 is learned exactly;
    degree_below = m - 1: random labels leave a training error except with probability 1/q."""
    rng = np.random.default_rng(8)
    q, m, trials = 31, 6, 600
    full = polynomial_worlds(q, m, m, trials, rng)
    fewer = polynomial_worlds(q, m, m - 1, trials, rng)
    for worlds in (full, fewer):
        np.testing.assert_array_equal(worlds.loss[1], 0.0)
        np.testing.assert_array_equal(worlds.train_error[1], 0.0)
        assert all(len(np.unique(row)) == m for row in worlds.sample[1])
    np.testing.assert_array_equal(full.train_error[2], 0.0)
    assert abs(full.loss[2].mean() - (1 - 1 / q) * (1 - m / q)) < 0.02
    assert abs(np.mean(fewer.train_error[2] == 0) - 1 / q) < 0.03
    # the labelled sample of the full family is uniform in both worlds
    labels = {w: np.take_along_axis(full.target[w], full.sample[w], 1) for w in (1, 2)}
    assert ks_2samp(labels[1][:, 0], labels[2][:, 0]).pvalue > 1e-3
    with pytest.raises(ValueError, match="degree_below"):
        polynomial_worlds(q, m, m + 1, 3, rng)
