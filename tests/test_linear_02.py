"""Chapter 02's stopping rule: closed-form GD and NumPy Adam against explicit loops (and torch.optim.Adam)."""

import numpy as np
import pytest

from overparam_utils.linear import LeastSquaresPath, adam_readouts_until_flat, gd_steps_until_flat, stable_lr


def problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, p)), rng.standard_normal(n)


def explicit_rule(losses, tol, patience):
    """The stopping step of the flat-loss rule applied to a loss curve ``losses[t]``, t = 0, 1, ..."""
    count = 0
    for t in range(1, len(losses)):
        count = count + 1 if losses[t - 1] - losses[t] < tol else 0
        if count >= patience:
            return t
    return len(losses) - 1


def gd_losses(X, y, lr, steps):
    w = np.zeros(X.shape[1])
    out = []
    for _ in range(steps + 1):
        out.append(np.mean((X @ w - y) ** 2) / 2)
        w = w - lr * X.T @ (X @ w - y) / X.shape[0]
    return np.array(out)


@pytest.mark.parametrize("n, p, lr_scale", [(30, 10, 1.0), (20, 20, 0.5), (10, 40, 1.9)])
@pytest.mark.parametrize("tol", [1e-3, 1e-5])
def test_gd_rule_equals_the_rule_applied_to_an_explicit_loop(n, p, lr_scale, tol):
    X, y = problem(n, p)
    lr = lr_scale * stable_lr(X)
    losses = gd_losses(X, y, lr, 3000)
    expected = explicit_rule(losses, tol, patience=10)
    assert expected < 3000  # the rule fires inside the loop
    assert gd_steps_until_flat(LeastSquaresPath.fit(X, y), lr, tol, patience=10) == expected


def test_gd_rule_returns_max_steps_when_it_never_fires():
    X, y = problem(20, 20)
    assert gd_steps_until_flat(LeastSquaresPath.fit(X, y), stable_lr(X), 1e-30, max_steps=50) == 50
    with pytest.raises(ValueError):
        gd_steps_until_flat(LeastSquaresPath.fit(X, y), 3 * stable_lr(X), 1e-3)


def test_numpy_adam_follows_torch_adam_and_stops_by_the_rule():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    S, n, M = 2, 15, 12
    F, y = rng.standard_normal((S, n, M)), rng.standard_normal((S, n))
    widths, lr, tols = [5, 12], 1e-2, [1e-4, 1e-6]
    weights, steps = adam_readouts_until_flat(F, y, widths, lr=lr, tols=tols, max_steps=4000)
    assert steps.shape == (2, S, 2) and np.all(steps < 4000) and np.all(steps[1] >= steps[0])
    for s in range(S):
        for k, width in enumerate(widths):
            Ft = torch.as_tensor(F[s, :, :width])
            yt = torch.as_tensor(y[s])
            w = torch.zeros(width, dtype=torch.float64, requires_grad=True)
            opt = torch.optim.Adam([w], lr=lr)
            losses, snaps = [], []
            for _ in range(int(steps[1, s, k]) + 1):
                loss = 0.5 * ((Ft @ w - yt) ** 2).mean()
                losses.append(float(loss.detach()))
                snaps.append(w.detach().numpy().copy())
                opt.zero_grad()
                loss.backward()
                opt.step()
            for j, tol in enumerate(tols):
                t = explicit_rule(np.array(losses), tol, patience=10)
                assert t == steps[j, s, k]
                np.testing.assert_allclose(weights[j, s, k, :width], snaps[t], rtol=1e-8, atol=1e-10)
                assert np.all(weights[j, s, k, width:] == 0)
