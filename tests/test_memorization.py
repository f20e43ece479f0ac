import numpy as np
import pytest
from sklearn.kernel_ridge import KernelRidge

from overparam_utils.features import relu_features
from overparam_utils.memorization import (
    LongTailMixture,
    arccos_kernel,
    expected_singletons,
    feldman_tau1,
    kernel_fit_predict,
    loo_memorization,
    one_hot,
    random_subsets,
    ridge_path,
    subsample_memorization,
    zipf_frequencies,
)


def small_problem(n=40, seed=0):
    rng = np.random.default_rng(seed)
    mix = LongTailMixture.draw(rng, n_subpops=30, tail=1.0, dim=6, n_classes=3, sigma=0.3)
    X, y, sub = mix.sample(n, rng)
    return mix, X, y, sub, arccos_kernel(X, X)


def test_zipf_frequencies():
    p = zipf_frequencies(4, 1.0)
    np.testing.assert_allclose(p, np.array([1, 1 / 2, 1 / 3, 1 / 4]) / (25 / 12))
    np.testing.assert_allclose(zipf_frequencies(5, 0.0), 0.2)
    with pytest.raises(ValueError):
        zipf_frequencies(0, 1.0)


def test_tau1_links_singleton_mass_and_singleton_count():
    """E[test mass of singleton subpopulations] = tau_1 * E[#singletons] (Monte Carlo over samples)."""
    p = zipf_frequencies(50, 1.0)
    n, rng = 60, np.random.default_rng(1)
    counts = rng.multinomial(n, p, size=40_000)
    singles = counts == 1
    np.testing.assert_allclose(singles.sum(axis=1).mean(), expected_singletons(p, n), rtol=0.01)
    mass = (p * singles).sum(axis=1).mean()
    np.testing.assert_allclose(mass, feldman_tau1(p, n) * expected_singletons(p, n), rtol=0.02)


def test_mixture_samples_follow_the_frequencies_and_labels():
    rng = np.random.default_rng(2)
    mix = LongTailMixture.draw(rng, n_subpops=5, tail=1.5, dim=3, n_classes=4, sigma=0.1)
    X, y, sub = mix.sample(50_000, rng)
    np.testing.assert_allclose(mix.counts(sub) / 50_000, mix.freqs, atol=5e-3)
    np.testing.assert_array_equal(y, mix.labels[sub])
    assert (X - mix.centers[sub]).std() == pytest.approx(0.1, rel=0.02)
    counts = np.array([0, 1, 3, 1, 0])
    assert mix.unseen_mass(counts) == pytest.approx(mix.freqs[[0, 4]].sum())
    assert mix.singleton_mass(counts) == pytest.approx(mix.freqs[[1, 3]].sum())


def test_arccos_kernel_is_the_wide_limit_of_relu_features():
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((5, 4)), rng.standard_normal((3, 4))
    W = rng.standard_normal((4, 400_000))
    mc = relu_features(A, W) @ relu_features(B, W).T / W.shape[1]
    np.testing.assert_allclose(arccos_kernel(A, B), mc, rtol=0.02, atol=1e-3)
    np.testing.assert_allclose(np.diag(arccos_kernel(A, A)), (A**2).sum(1) / (2 * 4))


def test_kernel_fit_predict_matches_sklearn():
    _, X, y, _, K = small_problem()
    Y = one_hot(y, 3)
    S = np.arange(0, 40, 2)
    ours = kernel_fit_predict(K, K, Y, ridge=0.05, subset=S)
    ref = KernelRidge(alpha=0.05, kernel="precomputed").fit(K[np.ix_(S, S)], Y[S]).predict(K[:, S])
    np.testing.assert_allclose(ours, ref, rtol=1e-8, atol=1e-10)


def test_subsampled_memorization_matches_brute_force_refits():
    _, X, y, _, K = small_problem()
    subsets = random_subsets(40, 28, 12, np.random.default_rng(4))
    mem, n_in, n_out = subsample_memorization(K, y, 3, subsets, ridge=1e-3, chunk=5)
    hit = np.zeros((12, 40))
    for t, S in enumerate(subsets):
        hit[t] = kernel_fit_predict(K, K, one_hot(y, 3), 1e-3, subset=S).argmax(1) == y
    member = np.zeros((12, 40), dtype=bool)
    for t, S in enumerate(subsets):
        member[t, S] = True
    np.testing.assert_array_equal(n_in, member.sum(0))
    np.testing.assert_array_equal(n_out, (~member).sum(0))
    ok = (n_in > 0) & (n_out > 0)
    expected = (hit * member).sum(0)[ok] / n_in[ok] - (hit * ~member).sum(0)[ok] / n_out[ok]
    np.testing.assert_allclose(mem[ok], expected)
    assert np.all(np.isnan(mem[~ok]))


def test_loo_memorization_matches_refitting_without_each_example():
    _, X, y, _, K = small_problem()
    Y = one_hot(y, 3)
    ours = loo_memorization(K, y, 3, ridge=1e-3)
    full = kernel_fit_predict(K, K, Y, 1e-3).argmax(1) == y
    for i in range(40):
        rest = np.delete(np.arange(40), i)
        loo = kernel_fit_predict(K, K[[i]], Y, 1e-3, subset=rest).argmax(1)[0] == y[i]
        assert ours[i] == float(full[i]) - float(loo)


def test_ridge_path_matches_direct_solves():
    _, X, y, _, K = small_problem()
    Y = one_hot(y, 3)
    K_eval = K[:7]
    ridges = [1e-4, 0.1, 10.0]
    train, evals = ridge_path(K, K_eval, Y, ridges)
    for r, ridge in enumerate(ridges):
        np.testing.assert_allclose(evals[r], kernel_fit_predict(K, K_eval, Y, ridge), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(train[r], kernel_fit_predict(K, K, Y, ridge), rtol=1e-6, atol=1e-9)


def test_random_subsets_are_distinct_indices():
    S = random_subsets(10, 7, 3, np.random.default_rng(0))
    assert S.shape == (3, 7) and all(len(set(s)) == 7 for s in S)
    with pytest.raises(ValueError):
        random_subsets(10, 10, 1, np.random.default_rng(0))
