import numpy as np
import pytest
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LogisticRegression

from overparam_utils.features import relu_features
from overparam_utils.memorization import (
    LongTailMixture,
    expected_singletons,
    feldman_tau1,
    kernel_fit_predict,
    loo_memorization,
    one_hot,
    path_outputs,
    random_subsets,
    subsample_memorization,
    zipf_frequencies,
)
from overparam_utils.ridge import relu_kernel


def small_problem(n=40, seed=0):
    rng = np.random.default_rng(seed)
    mix = LongTailMixture.draw(rng, n_subpops=30, tail=1.0, dim=6, n_classes=3, sigma=0.3)
    X, y, sub = mix.sample(n, rng)
    return mix, X, y, sub, relu_kernel(X)


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


def test_relu_kernel_argument_order_and_normalisation():
    """relu_kernel(X, X_new) is K(X_new, X), shape (m, n), and the wide limit of relu_features / width.

    It replaced chapter 16's own arc-cosine kernel, which took (A, B) and returned K(A, B) (len(A), len(B))
    with the same 1 / (2 pi d) normalisation: arccos_kernel(A, B) == relu_kernel(B, A).
    """
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((5, 4)), rng.standard_normal((3, 4))
    W = rng.standard_normal((4, 400_000))
    mc = relu_features(A, W) @ relu_features(B, W).T / W.shape[1]  # (5, 3) = K(A, B)
    K_AB = relu_kernel(B, A)
    assert K_AB.shape == (5, 3)
    np.testing.assert_allclose(K_AB, mc, rtol=0.02, atol=1e-3)
    np.testing.assert_allclose(relu_kernel(A, B), K_AB.T, rtol=1e-12)
    np.testing.assert_allclose(np.diag(relu_kernel(A)), (A**2).sum(1) / (2 * 4))
    na, nb = np.linalg.norm(A, axis=1), np.linalg.norm(B, axis=1)
    t = np.arccos(np.clip(A @ B.T / np.outer(na, nb), -1, 1))
    closed = np.outer(na, nb) * (np.sin(t) + (np.pi - t) * np.cos(t)) / (2 * np.pi * 4)
    np.testing.assert_allclose(K_AB, closed, rtol=1e-10)


def test_linear_labels_and_label_noise():
    rng = np.random.default_rng(5)
    mix = LongTailMixture.draw(rng, n_subpops=400, tail=1.0, dim=5, n_classes=3, sigma=0.1, labels="linear")
    # a linear arg-max labelling: a linear classifier on the centres separates it exactly
    clf = LogisticRegression(C=1e4, max_iter=5000).fit(mix.centers, mix.labels)
    assert clf.score(mix.centers, mix.labels) > 0.97
    X, y, sub = mix.sample(40_000, rng, label_noise=0.3)
    wrong = np.mean(y != mix.labels[sub])
    assert wrong == pytest.approx(0.3 * (1 - 1 / 3), abs=0.01)
    _, y0, sub0 = mix.sample(1000, rng)
    np.testing.assert_array_equal(y0, mix.labels[sub0])
    with pytest.raises(ValueError):
        LongTailMixture.draw(rng, n_subpops=4, tail=1.0, dim=2, n_classes=2, sigma=0.1, labels="x")
    with pytest.raises(ValueError):
        mix.sample(5, rng, label_noise=1.5)


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


def test_path_outputs_match_direct_solves():
    _, X, y, _, K = small_problem()
    Y = one_hot(y, 3)
    K_eval = relu_kernel(X, X[:7] + 0.1)
    ridges = [1e-4, 0.1, 10.0]
    train, evals = path_outputs(K, K_eval, Y, ridges)
    assert train.shape == (3, 40, 3) and evals.shape == (3, 7, 3)
    for r, ridge in enumerate(ridges):
        np.testing.assert_allclose(evals[r], kernel_fit_predict(K, K_eval, Y, ridge), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(train[r], kernel_fit_predict(K, K, Y, ridge), rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError):
        path_outputs(K, K_eval, Y, [-1.0])


def test_random_subsets_are_distinct_indices():
    S = random_subsets(10, 7, 3, np.random.default_rng(0))
    assert S.shape == (3, 7) and all(len(set(s)) == 7 for s in S)
    with pytest.raises(ValueError):
        random_subsets(10, 10, 1, np.random.default_rng(0))
