import numpy as np
import pytest

from overparam_utils.online_sgd import (
    decayed_expected_risk,
    decayed_sgd_risk,
    linear_decay,
    online_sgd_linear,
    sgd_expected_risk,
)
from overparam_utils.ridge import RidgePath


def test_primal_ridge_path_on_the_gram_matrix_matches_scikit_learn_and_the_pseudo_inverse():
    """Chapter 15 gets its per-sample-penalty ridge weights from RidgePath on the P x P Gram matrix."""
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(3)
    for n, P in ((40, 25), (25, 40)):  # under- and over-parameterised
        F = rng.standard_normal((n, P))
        y = rng.standard_normal(n)
        lams = np.array([0.0, 0.1, 2.0])
        W = RidgePath.fit(F.T @ F, F.T @ y).dual_coef(n * lams)  # (P, lams)
        np.testing.assert_allclose(W[:, 0], np.linalg.pinv(F) @ y, rtol=1e-7, atol=1e-9)
        for k in (1, 2):
            # per-sample loss ||y - F w||^2 / n + lam ||w||^2 is sklearn's alpha = n * lam
            ref = Ridge(alpha=n * lams[k], fit_intercept=False).fit(F, y).coef_
            np.testing.assert_allclose(W[:, k], ref, rtol=1e-8, atol=1e-10)


def test_expected_risk_equals_the_iterated_recursion():
    lam = np.array([1.0, 0.5, 0.1])
    lr, b, noise_var = 0.3, 2, 0.25
    m = np.array([1.0, 2.0, 0.5])
    expected = []
    for _ in range(31):
        expected.append(lam @ m)
        m = (1 - 2 * lr * lam + lr**2 * lam**2 * (1 + 1 / b)) * m + (lr**2 / b) * lam * (lam @ m + noise_var)
    got = sgd_expected_risk(lam, noise_var, lr, b, np.arange(31), [1.0, 2.0, 0.5])
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    with pytest.raises(ValueError, match="unstable"):
        sgd_expected_risk(lam, noise_var, 3.0, 1, [1], np.ones(3))


def naive_sgd(lam, noise_std, lr, batch, n_samples, seed):
    """Reference: one run, one example at a time, drawing the same random numbers."""
    import torch

    g = torch.Generator().manual_seed(seed)
    d = len(lam)
    w_star = torch.randn(d, generator=g, dtype=torch.float64)
    X = torch.randn(n_samples, d, generator=g, dtype=torch.float64) * torch.as_tensor(lam).sqrt()
    noise = torch.randn(n_samples, generator=g, dtype=torch.float64)
    y = X @ w_star + noise_std * noise
    w, grad, risks = torch.zeros(d, dtype=torch.float64), torch.zeros(d, dtype=torch.float64), []
    for i in range(n_samples):
        grad += (X[i] @ w - y[i]) * X[i]
        if (i + 1) % batch == 0:
            w -= lr / batch * grad
            grad.zero_()
        risks.append(float(((w - w_star) ** 2 * torch.as_tensor(lam)).sum()))
    return np.array(risks)


def test_batched_online_sgd_equals_a_naive_loop():
    lam = np.arange(1, 9) ** -1.5
    lrs, batches, seeds = [0.5, 0.05, 0.5], [2, 2, 8], [4, 9]
    checkpoints = [8, 24, 64]
    out = online_sgd_linear(lam, 0.5, lrs, batches, 64, checkpoints, seeds, chunk=64)
    assert out.shape == (3, 3, 2)
    for s, seed in enumerate(seeds):
        for k in range(3):
            ref = naive_sgd(lam, 0.5, lrs[k], batches[k], 64, seed)
            np.testing.assert_allclose(out[:, k, s], ref[np.array(checkpoints) - 1], rtol=1e-9)
    with pytest.raises(ValueError, match="multiples"):
        online_sgd_linear(lam, 0.5, [0.1], [4], 64, [10], [0])


def test_simulated_mean_risk_follows_the_expected_risk():
    lam = np.arange(1, 6) ** -1.0
    checkpoints = [10, 40, 160]
    out = online_sgd_linear(lam, 0.5, [0.4], [1], 160, checkpoints, list(range(400)))
    expected = sgd_expected_risk(lam, 0.25, 0.4, 1, checkpoints, np.ones(5))
    np.testing.assert_allclose(out[:, 0].mean(axis=1), expected, rtol=0.12)


def test_linear_decay_ends_at_zero():
    np.testing.assert_allclose(linear_decay(0.8, 4), [0.8, 0.6, 0.4, 0.2])
    with pytest.raises(ValueError, match="at least 1"):
        linear_decay(0.1, 0)


def test_decayed_expected_risk_equals_the_iterated_recursion_and_the_constant_step_at_one_step():
    lam = np.array([1.0, 0.5, 0.1])
    lr, b, noise_var, T = 0.3, 2, 0.25, 20
    m = np.array([1.0, 2.0, 0.5])
    for eta in linear_decay(lr, T // b):
        m = (1 - 2 * eta * lam + eta**2 * lam**2 * (1 + 1 / b)) * m + (eta**2 / b) * lam * (lam @ m + noise_var)
    got = decayed_expected_risk(lam, noise_var, [lr, 0.1], b, [T, b], [1.0, 2.0, 0.5])
    assert got.shape == (2, 2)
    assert got[0, 0] == pytest.approx(lam @ m, rel=1e-12)
    # a run of one step takes the peak rate: the constant-step recursion after one step
    one = sgd_expected_risk(lam, noise_var, 0.1, b, [1], [1.0, 2.0, 0.5])[0]
    assert got[1, 1] == pytest.approx(one, rel=1e-12)


def naive_decayed_sgd(lam, noise_std, lr, batch, horizon, seed, stream):
    """Reference: one run on the first ``horizon`` examples of a stream of ``stream``, one step at a time."""
    g = np.random.default_rng(seed)
    d = len(lam)
    w_star = g.standard_normal(d)
    steps = horizon // batch
    X = g.standard_normal((stream // batch, batch, d)) * np.sqrt(lam)
    eps = g.standard_normal((stream // batch, batch))
    w = np.zeros(d)
    for s, eta in enumerate(linear_decay(lr, steps)):
        resid = X[s] @ w - (X[s] @ w_star + noise_std * eps[s])
        w -= eta / batch * resid @ X[s]
    return float(((w - w_star) ** 2 * lam).sum())


def test_decayed_sgd_equals_a_naive_loop_per_run():
    lam = np.arange(1, 7) ** -1.5
    noise, lrs, horizons, seeds = [0.5, 0.0], [0.5, 0.1], [8, 24, 40], [4, 9]
    # chunk=64 draws the whole stream of the longest run at once, as the naive loop does
    out = decayed_sgd_risk(lam, noise, lrs, horizons, 4, seeds, chunk=64)
    assert out.shape == (2, 3, 2, 2)
    for a, sd in enumerate(noise):
        for h, T in enumerate(horizons):
            for k, lr in enumerate(lrs):
                for s, seed in enumerate(seeds):
                    ref = naive_decayed_sgd(lam, sd, lr, 4, T, seed, 40)
                    assert out[a, h, k, s] == pytest.approx(ref, rel=1e-9)
    with pytest.raises(ValueError, match="multiples"):
        decayed_sgd_risk(lam, [0.5], [0.1], [10], 4, [0])


def test_decayed_sgd_mean_risk_follows_the_expected_risk():
    lam = np.arange(1, 6) ** -1.0
    out = decayed_sgd_risk(lam, [0.5], [0.4, 0.1], [16, 64], 2, list(range(400)))[0]
    expected = decayed_expected_risk(lam, 0.25, [0.4, 0.1], 2, [16, 64], np.ones(5))
    np.testing.assert_allclose(out.mean(axis=-1), expected, rtol=0.1)
