import itertools

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from overparam_utils.bayes import (
    SoftSignNetwork,
    bernoulli_kl,
    boolean_inputs,
    function_weights,
    hamming,
    kl_ball_bound,
    lookup_table_tables,
    mixture_regret,
    n_parameters,
    noisy_labels,
    per_input_kl,
    reflect,
    relevant_inputs,
    sgld,
    sign_network_tables,
    table_bits,
    total_influence,
    uniform_prior_predictive,
    uniform_prior_regret,
)

EPS = 0.2


def test_boolean_inputs_and_parameter_count():
    X = boolean_inputs(3)
    assert X.shape == (8, 3)
    np.testing.assert_array_equal(X[5], [1, -1, 1])  # 5 = 0b101
    assert n_parameters(4, 3) == 3 * 4 + 3 + 3 + 1


def test_sign_network_tables_match_a_direct_evaluation():
    n_bits, width, m = 3, 4, 50
    tables = sign_network_tables(n_bits, width, m, np.random.default_rng(0))
    rng = np.random.default_rng(0)  # the same draws, in the order the function makes them
    W, b = rng.uniform(-1, 1, (m, width, n_bits)), rng.uniform(-1, 1, (m, width))
    v, c = rng.uniform(-1, 1, (m, width)), rng.uniform(-1, 1, m)
    for j in range(m):
        for i, x in enumerate(boolean_inputs(n_bits)):
            out = sum(v[j, k] * np.sign(W[j, k] @ x + b[j, k]) for k in range(width)) + c[j]
            assert (tables[j] >> i) & 1 == int(out > 0)


def test_function_weights_are_sorted_and_sum_to_one():
    functions, weights = function_weights([5, 3, 5, 5, 7, 3])
    np.testing.assert_array_equal(functions, [5, 3, 7])
    np.testing.assert_allclose(weights, [3 / 6, 2 / 6, 1 / 6])
    np.testing.assert_array_equal(table_bits([5], 4), [[1, 0, 1, 0]])
    np.testing.assert_array_equal(hamming([5, 6, 5 ^ 15], 5, 4), [0, 2, 4])


def tiny_class():
    """Every Boolean function of 2 inputs (16 of them) with random prior weights."""
    functions = np.arange(16)
    weights = np.random.default_rng(1).dirichlet(np.ones(16))
    return functions, weights


def test_mixture_regret_matches_brute_force_and_sequential_prediction():
    functions, weights = tiny_class()
    target = 6
    x, y = noisy_labels(target, 30, 4, EPS, np.random.default_rng(2))
    ours = mixture_regret(functions, weights, target, x, y, EPS, 4)

    def lik(f, t):
        return np.prod([(1 - EPS) if ((f >> x[s]) & 1) == y[s] else EPS for s in range(t)])

    for t in (1, 7, 30):
        brute = np.log(lik(target, t)) - np.log(sum(w * lik(f, t) for f, w in zip(functions, weights, strict=True)))
        assert ours[t - 1] == pytest.approx(brute, rel=1e-9)
    # the same number is the excess log-loss of the Bayes posterior predictive, step by step
    log_post = np.log(weights)
    excess = 0.0
    for s in range(30):
        p_f = np.where(((functions >> x[s]) & 1) == y[s], 1 - EPS, EPS)
        predictive = np.exp(logsumexp(log_post, b=p_f))
        excess += np.log((1 - EPS) if ((target >> x[s]) & 1) == y[s] else EPS) - np.log(predictive)
        log_post = log_post + np.log(p_f)
        log_post -= logsumexp(log_post)
    assert ours[-1] == pytest.approx(excess, rel=1e-9)
    # and it never exceeds -log W(target) (the mixture puts at least that weight on the truth)
    assert np.all(ours <= -np.log(weights[target]) + 1e-12)


def test_kl_ball_bound_covers_the_expected_regret():
    functions, weights = tiny_class()
    target, n = 9, np.array([1, 3, 10, 40])
    rng = np.random.default_rng(3)
    runs = []
    for _ in range(3000):
        x, y = noisy_labels(target, 40, 4, EPS, rng)
        runs.append(mixture_regret(functions, weights, target, x, y, EPS, 4)[n - 1])
    bound = kl_ball_bound(functions, weights, target, n, EPS, 4)
    assert np.all(np.mean(runs, axis=0) <= bound + 0.02)
    assert np.all(bound <= -np.log(weights[target]) + 1e-12)
    # with no data the bound is 0: the ball that holds the whole class has weight 1
    assert kl_ball_bound(functions, weights, target, [0], EPS, 4)[0] == pytest.approx(0.0)
    assert per_input_kl(0.5) == 0.0


def test_bernoulli_kl():
    p, q = np.array([0.1, 0.5, 0.0, 1.0]), np.array([0.3, 0.5, 0.2, 0.9])
    expected = [
        0.1 * np.log(0.1 / 0.3) + 0.9 * np.log(0.9 / 0.7),
        0.0,
        np.log(1 / 0.8),
        np.log(1 / 0.9),
    ]
    np.testing.assert_allclose(bernoulli_kl(p, q), expected)


def test_sgld_samples_a_gaussian_target():
    mean, sd = np.array([1.0, -2.0]), np.array([0.5, 2.0])
    rng = np.random.default_rng(4)
    samples = sgld(
        lambda th, t: -(th - mean) / sd**2,
        np.zeros((400, 2)),
        step=0.02,
        n_steps=6000,
        rng=rng,
        keep_every=100,
        burn_in=3000,
    ).reshape(-1, 2)
    np.testing.assert_allclose(samples.mean(axis=0), mean, atol=0.1)
    np.testing.assert_allclose(samples.std(axis=0), sd, rtol=0.05)


def test_sgld_with_noisy_gradients_still_finds_the_mean():
    rng_grad = np.random.default_rng(5)
    samples = sgld(
        lambda th, t: -(th - 3.0) + 0.5 * rng_grad.standard_normal(th.shape),
        np.zeros((400, 1)),
        step=0.005,
        n_steps=3000,
        rng=np.random.default_rng(6),
        keep_every=100,
        burn_in=1500,
    )
    assert samples.mean() == pytest.approx(3.0, abs=0.1)
    assert samples.std() == pytest.approx(1.0, rel=0.1)


def test_reflection_keeps_a_flat_target_uniform_on_the_box():
    samples = sgld(
        lambda th, t: np.zeros_like(th),
        np.zeros((500, 2)),
        step=0.05,
        n_steps=1000,
        rng=np.random.default_rng(7),
        keep_every=100,
        burn_in=300,
        box=1.0,
    )
    assert np.all(np.abs(samples) <= 1.0)
    assert samples.mean() == pytest.approx(0.0, abs=0.03)
    assert samples.var() == pytest.approx(1 / 3, rel=0.05)
    np.testing.assert_allclose(reflect(np.array([0.3, 1.2, -1.5, 3.5]), 1.0), [0.3, 0.8, -0.5, -0.5])


def test_soft_network_gradient_matches_torch_autograd():
    rng = np.random.default_rng(9)
    net = SoftSignNetwork(3, 5, eps=0.1, sharpness=3.0, gain=2.0)
    theta = rng.uniform(-1, 1, (6, net.size))
    ones, zeros = rng.integers(0, 5, (6, 8)).astype(float), rng.integers(0, 5, (6, 8)).astype(float)
    th = torch.tensor(theta, requires_grad=True)
    net.log_likelihood(th, torch.tensor(ones), torch.tensor(zeros)).sum().backward()
    np.testing.assert_allclose(net.grad_log_likelihood(theta, ones, zeros), th.grad.numpy(), rtol=1e-9, atol=1e-10)


def test_soft_network_numpy_and_torch_agree_and_sharpen_into_sign_networks():
    rng = np.random.default_rng(8)
    theta = rng.uniform(-1, 1, (20, n_parameters(3, 4)))
    net = SoftSignNetwork(3, 4, eps=0.1)
    p_np = net.prob_one(theta)
    p_t = net.prob_one(torch.as_tensor(theta)).numpy()
    np.testing.assert_allclose(p_np, p_t, rtol=1e-10)
    assert np.all((p_np > 0.1) & (p_np < 0.9))
    sharp = SoftSignNetwork(3, 4, eps=0.1, sharpness=1e4, gain=1e4).prob_one(theta)
    W, b = theta[:, :12].reshape(-1, 4, 3), theta[:, 12:16]
    v, c = theta[:, 16:20], theta[:, 20]
    for j, i in itertools.product(range(20), range(8)):
        x = boolean_inputs(3)[i]
        out = np.sign(W[j] @ x + b[j]) @ v[j] + c[j]
        if abs(out) > 1e-2 and np.min(np.abs(W[j] @ x + b[j])) > 1e-2:
            assert sharp[j, i] == pytest.approx(0.9 if out > 0 else 0.1, abs=1e-6)
    ones, zeros = np.array([2.0] * 8), np.array([1.0] * 8)
    ll = net.log_likelihood(theta, ones, zeros)
    np.testing.assert_allclose(ll, (2 * np.log(p_np) + np.log(1 - p_np)).sum(1))


def test_mixture_regret_at_selected_sizes_matches_the_full_curve():
    functions, weights = tiny_class()
    x, y = noisy_labels(6, 40, 4, EPS, np.random.default_rng(11))
    full = mixture_regret(functions, weights, 6, x, y, EPS, 4)
    at = np.array([1, 5, 17, 40])
    np.testing.assert_allclose(mixture_regret(functions, weights, 6, x, y, EPS, 4, at=at), full[at - 1])


def test_regret_never_exceeds_minus_log_weight_on_a_sampled_class():
    """The chapter's old check ``regret_within_weight_bound`` (a theorem): R_n <= -log W(f*) pathwise."""
    functions, weights = function_weights(sign_network_tables(3, 4, 5000, np.random.default_rng(12)))
    for r in (0, 5, len(functions) - 1):
        x, y = noisy_labels(functions[r], 300, 8, 0.1, np.random.default_rng(r))
        regret = mixture_regret(functions, weights, functions[r], x, y, 0.1, 8)
        assert np.all(regret <= -np.log(weights[r]) + 1e-9)
        assert regret[-1] <= np.log(5000) + 1e-9  # hence never above log M: parameter counts cannot show


def test_uniform_prior_regret_is_the_mixture_over_all_functions():
    functions = np.arange(16)  # every function of 2 inputs
    weights = np.full(16, 1 / 16)
    for target in (0, 6, 9):
        x, y = noisy_labels(target, 50, 4, EPS, np.random.default_rng(target))
        np.testing.assert_allclose(
            uniform_prior_regret(target, x, y, EPS, 4),
            mixture_regret(functions, weights, target, x, y, EPS, 4),
            atol=1e-12,
        )
    # the same data relative to the target (same inputs and flips) cost every target the same
    rng_a, rng_b = np.random.default_rng(13), np.random.default_rng(13)
    xa, ya = noisy_labels(3, 30, 4, EPS, rng_a)
    xb, yb = noisy_labels(12, 30, 4, EPS, rng_b)
    np.testing.assert_allclose(uniform_prior_regret(3, xa, ya, EPS, 4), uniform_prior_regret(12, xb, yb, EPS, 4))


def test_uniform_prior_predictive_is_the_posterior_predictive():
    ones, zeros = np.array([0, 3, 1, 2]), np.array([0, 1, 1, 5])
    a = (1 - EPS) ** ones * EPS**zeros  # bit 1
    b = EPS**ones * (1 - EPS) ** zeros  # bit 0
    expected = (a * (1 - EPS) + b * EPS) / (a + b)
    np.testing.assert_allclose(uniform_prior_predictive(ones, zeros, EPS), expected)


def test_lookup_tables_are_uniform_over_functions():
    tables = lookup_table_tables(2, 160_000, np.random.default_rng(14))
    functions, weights = function_weights(tables)
    assert len(functions) == 16
    np.testing.assert_allclose(weights, 1 / 16, atol=0.003)


def test_total_influence_and_relevant_inputs():
    n_bits = 3
    X = boolean_inputs(n_bits)
    powers = 2 ** np.arange(8)
    constant, dictator = 0, int((X[:, 1] > 0) @ powers)
    parity = int((np.prod(X, axis=1) > 0) @ powers)
    majority = int((X.sum(axis=1) > 0) @ powers)
    tables = [constant, 255, dictator, parity, majority]
    np.testing.assert_allclose(total_influence(tables, n_bits), [0, 0, 1, 3, 1.5])
    np.testing.assert_array_equal(relevant_inputs(tables, n_bits), [0, 0, 1, 3, 3])


def test_an_ensemble_is_never_worse_than_its_members():
    """The chapter's old check ``ensemble_beats_single_network``: by convexity of KL in its second argument
    (Jensen), the averaged prediction's excess loss is at most the members' mean."""
    rng = np.random.default_rng(15)
    p = rng.uniform(0.05, 0.95, 16)
    q = rng.uniform(0.01, 0.99, (50, 16))
    assert bernoulli_kl(p, q.mean(axis=0)).mean() <= bernoulli_kl(p, q).mean() + 1e-12


def test_sgld_at_zero_temperature_is_gradient_ascent():
    samples = sgld(
        lambda th, t: -(th - 2.0),
        np.zeros((3, 2)),
        step=0.1,
        n_steps=400,
        rng=np.random.default_rng(16),
        keep_every=1,
        burn_in=399,
        temperature=0.0,
    )
    np.testing.assert_allclose(samples[-1], 2.0, atol=1e-6)
