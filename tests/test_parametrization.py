import numpy as np
import pytest
import torch

from overparam_utils.fits import loglog_slope
from overparam_utils.parametrization import (
    MUP,
    NTK,
    PARAMETRIZATIONS,
    SP,
    SP_LR_OVER_N,
    best_log2_lr,
    coordinate_check,
    forward,
    init_weights,
    largest_stable_log2_lr,
    layer_shapes,
    lr_sweep,
    per_model_loss,
    reuse_regret,
    sgd_step,
)


def test_layer_shapes():
    assert layer_shapes(64, 128, 10, 2) == [(64, 128), (128, 128), (128, 10)]
    with pytest.raises(ValueError):
        layer_shapes(3, 4, 2, 0)


def test_multipliers_follow_the_table():
    r = 8
    assert SP.lr_multipliers(512, 64, 2) == [1, 1, 1]
    assert NTK.lr_multipliers(512, 64, 2) == [1, 1 / r, 1 / r]
    assert MUP.lr_multipliers(512, 64, 3) == [r, 1, 1, 1 / r]
    assert MUP.init_variance_factors(512, 64, 2) == [1, 1, 1 / r]
    assert SP.init_variance_factors(512, 64, 2) == NTK.init_variance_factors(512, 64, 2) == [1, 1, 1]
    assert SP_LR_OVER_N.lr_multipliers(512, 64, 2) == [1 / r] * 3
    assert SP_LR_OVER_N.init_variance_factors(512, 64, 2) == [1, 1, 1]


def test_parametrizations_coincide_at_the_base_width():
    ws = [init_weights(p, 10, 64, 3, base_width=64, seed=5) for p in PARAMETRIZATIONS.values()]
    for a, b in zip(ws[0], ws[2], strict=True):
        torch.testing.assert_close(a, b)
    for p in PARAMETRIZATIONS.values():
        assert p.lr_multipliers(64, 64, 2) == [1, 1, 1]


def test_init_has_the_expected_width_scaling():
    X = torch.randn(256, 32)
    widths = [64, 256, 1024]
    for param, readout_slope in ((SP, 0.0), (NTK, 0.0), (MUP, -0.5)):
        sizes = []
        for w in widths:
            weights = init_weights(param, 32, w, 10, depth=2, base_width=64, n_models=8, seed=w)
            sizes.append([float(h.abs().mean()) for h in forward(weights, X)])
        slopes = loglog_slope(widths, np.array(sizes).T)
        np.testing.assert_allclose(slopes, [0.0, 0.0, readout_slope], atol=0.05)


def test_init_variance_is_factor_over_fan_in():
    weights = init_weights(MUP, 40, 512, 10, depth=2, base_width=128, n_models=4, seed=0)
    for W, factor in zip(weights, MUP.init_variance_factors(512, 128, 2), strict=True):
        fan_in = W.shape[1]
        assert float(W.var()) == pytest.approx(factor / fan_in, rel=0.05)


def test_sgd_step_applies_each_layers_learning_rate():
    torch.manual_seed(0)
    X, y = torch.randn(20, 6), torch.randint(0, 3, (20,))
    weights = init_weights(MUP, 6, 32, 3, depth=2, base_width=8, n_models=3, seed=1)
    before = [w.clone() for w in weights]
    params = [w.clone().requires_grad_(True) for w in weights]
    grads = torch.autograd.grad(per_model_loss(forward(params, X)[-1], y).sum(), params)
    lr = torch.tensor([0.1, 0.2, 0.0])
    mults = MUP.lr_multipliers(32, 8, 2)
    sgd_step(weights, X, y, lr, mults)
    for w, w0, g, m in zip(weights, before, grads, mults, strict=True):
        torch.testing.assert_close(w - w0, -lr.reshape(-1, 1, 1) * m * g, rtol=1e-5, atol=1e-7)


def test_models_do_not_interact_and_diverged_ones_stop():
    X, y = torch.randn(16, 5), torch.randint(0, 4, (16,))
    weights = init_weights(SP, 5, 16, 4, depth=1, base_width=16, n_models=2, seed=3)
    weights[-1][0] = float("inf")  # model 0 diverged: its loss is not finite
    alone = [w[1:].clone() for w in weights]
    broken = [w[0].clone() for w in weights]
    losses = sgd_step(weights, X, y, 0.5, [1.0, 1.0])
    assert not torch.isfinite(losses[0])
    sgd_step(alone, X, y, 0.5, [1.0, 1.0])
    for w, a, b in zip(weights, alone, broken, strict=True):
        torch.testing.assert_close(w[1:], a)
        torch.testing.assert_close(w[0], b, equal_nan=True)


def test_loglog_slope_recovers_power_laws():
    widths = [64, 128, 256, 1024]
    values = np.array([[3 * w**-0.5 for w in widths], [0.2 * w**1.0 for w in widths]])
    np.testing.assert_allclose(loglog_slope(widths, values), [-0.5, 1.0])
    assert loglog_slope(widths, [2.0] * 4) == pytest.approx(0.0)


def test_best_log2_lr_is_exact_for_a_parabola_and_handles_ends_and_divergence():
    lrs = 2.0 ** np.arange(-4, 3)
    x = np.log2(lrs)
    losses = np.exp((x + 0.7) ** 2 / 4)  # log loss is a parabola with its minimum at -0.7
    assert best_log2_lr(lrs, losses) == pytest.approx(-0.7)
    assert best_log2_lr(lrs, np.exp(-x)) == pytest.approx(2.0)  # still falling: the grid's end
    with_inf = np.exp((x - 1.2) ** 2)
    with_inf[-1] = np.inf
    assert best_log2_lr(lrs, with_inf) == pytest.approx(1.0)  # a diverged neighbour: no refinement
    np.testing.assert_allclose(best_log2_lr(lrs, np.stack([losses, losses])), [-0.7, -0.7])
    with pytest.raises(ValueError, match="evenly"):
        best_log2_lr([0.1, 0.2, 0.8], [1.0, 0.5, 1.0])


def test_coordinate_check_separates_the_parametrizations():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(64, 16, generator=g).numpy()
    y = torch.randint(0, 5, (64,), generator=g).numpy()
    widths = [32, 128, 512]
    params = {**PARAMETRIZATIONS, "SP-lr/n": SP_LR_OVER_N}
    out = {
        name: coordinate_check(p, widths, X, y, steps=2, lr=0.1, n_draws=2, base_width=32) for name, p in params.items()
    }
    assert out["SP"]["change"].shape == (3, 3, 3) and out["SP"]["loss"].shape == (3, 3)
    np.testing.assert_array_equal(out["muP"]["change"][:, :, 0], 0.0)
    mup = loglog_slope(widths, out["muP"]["change"][:, :, 2])
    ntk = loglog_slope(widths, out["NTK"]["change"][:, :, 2])
    sp = loglog_slope(widths, out["SP"]["change"][:, :, 1])
    assert np.all(np.abs(mup) < 0.15)
    assert np.all(ntk[:2] < -0.35) and abs(ntk[2]) < 0.15
    assert sp[2] > 0.5
    # SP with a rate ~ 1/n: logits stable, hidden features freeze (predicted -3/2, -1/2, 0)
    small = loglog_slope(widths, out["SP-lr/n"]["change"][:, :, 2])
    assert small[0] < -1.0 and small[1] < -0.35 and abs(small[2]) < 0.15


def test_lr_sweep_shares_the_initial_weights_across_learning_rates():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(40, 6, generator=g).numpy()
    y = torch.randint(0, 3, (40,), generator=g).numpy()
    out = lr_sweep(SP, [16, 32], [1e-9, 1e-9, 0.5], X, y, steps=5, n_draws=2, depth=1, base_width=16)
    assert out.shape == (2, 3, 2)
    np.testing.assert_allclose(out[:, 0], out[:, 1], rtol=1e-6)  # same start, (almost) no step
    assert not np.allclose(out[:, 0, 0], out[:, 0, 1])  # the seeds differ
    assert np.all(out[:, 2] < out[:, 0])  # a real step lowers the training loss

    # the same as training one model by hand
    weights = init_weights(SP, 6, 32, 3, depth=1, base_width=16, seed=0 + 1000 * 1 + 32)
    for _ in range(5):
        sgd_step(weights, torch.as_tensor(X), torch.as_tensor(y), 0.5, [1.0, 1.0])
    final = per_model_loss(forward(weights, torch.as_tensor(X))[-1], torch.as_tensor(y))
    assert float(final[0]) == pytest.approx(out[1, 2, 1], rel=1e-5)


def test_largest_stable_log2_lr_interpolates_the_crossing_after_the_minimum():
    lrs = 2.0 ** np.arange(-3, 3)  # log2: -3 .. 2
    losses = np.array([2.0, 1.5, 1.0, 1.2, 4.0, np.inf])
    threshold = 2.0
    # crossing between log2 lr = 0 (loss 1.2) and 1 (loss 4.0), linear in log loss
    expected = 0 + (np.log(2.0) - np.log(1.2)) / (np.log(4.0) - np.log(1.2))
    assert largest_stable_log2_lr(lrs, losses, threshold) == pytest.approx(expected)
    # a diverged (inf) run right after a stable one: the crossing is placed at the diverged point
    assert largest_stable_log2_lr(lrs, [2.0, 1.5, 1.0, 1.2, 1.9, np.inf], threshold) == pytest.approx(2.0)
    # never above the threshold: the grid's end; the loss before the minimum does not count
    assert largest_stable_log2_lr(lrs, [3.0, 1.5, 1.0, 1.2, 1.5, 1.9], threshold) == pytest.approx(2.0)
    np.testing.assert_allclose(largest_stable_log2_lr(lrs, np.stack([losses, losses]), threshold), [expected] * 2)
    assert np.isnan(largest_stable_log2_lr(lrs, [5.0, 4.0, 3.0, 3.5, 4.0, 6.0], threshold))


def test_lr_sweep_also_returns_held_out_losses():
    g = torch.Generator().manual_seed(2)
    X = torch.randn(40, 6, generator=g).numpy()
    y = torch.randint(0, 3, (40,), generator=g).numpy()
    plain = lr_sweep(SP, [16], [0.1, 0.5], X, y, steps=3, n_draws=2, depth=1, base_width=16)
    train, test = lr_sweep(
        SP, [16], [0.1, 0.5], X, y, steps=3, n_draws=2, depth=1, base_width=16, X_test=X[:10], y_test=y[:10]
    )
    np.testing.assert_allclose(train, plain)
    assert test.shape == train.shape and not np.allclose(test, train)


def test_reuse_regret_is_the_cost_of_the_base_rows_argmin():
    losses = np.array([[2.0, 1.0, 3.0], [1.5, 1.2, 0.9], [np.inf, 0.8, 0.7]])
    np.testing.assert_allclose(reuse_regret(losses), [0.0, 0.3, 0.1])
    np.testing.assert_allclose(reuse_regret(losses, base=1), [2.0, 0.0, 0.0])
    assert reuse_regret([[1.0, 2.0], [np.inf, 1.0]])[1] == np.inf
    with pytest.raises(ValueError):
        reuse_regret([1.0, 2.0])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU visible here")
def test_coordinate_check_and_lr_sweep_on_cuda_agree_with_the_cpu():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 10)).astype(np.float32), rng.integers(0, 3, 64)
    param = MUP
    out = {}
    for device in ("cpu", "cuda"):
        coord = coordinate_check(param, [16, 64], X, y, steps=3, lr=0.1, n_draws=2, device=device)
        sweep = lr_sweep(param, [16, 64], [0.05, 0.2], X, y, steps=20, n_draws=2, batch_size=16, device=device)
        out[device] = (coord["change"], sweep)
    assert np.allclose(out["cpu"][0], out["cuda"][0], rtol=1e-3, atol=1e-5)
    assert np.allclose(out["cpu"][1], out["cuda"][1], rtol=1e-3, atol=1e-5)
