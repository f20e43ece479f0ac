import numpy as np
import pytest
import torch

from overparam_utils.modular import (
    TrainingRecord,
    addition_table,
    dominant_frequency,
    forward,
    fourier_concentration,
    fourier_power,
    frequency_counts,
    hidden_features,
    init_two_layer,
    loss_and_gradients,
    random_splits,
    ridge_readout_accuracy,
    train_two_layer,
)


def test_addition_table_lists_every_pair_once_with_its_sum():
    a, b, c = addition_table(7)
    assert len(a) == 49 and len(set(zip(a, b, strict=True))) == 49
    np.testing.assert_array_equal(c, (a + b) % 7)
    assert a[3 * 7 + 5] == 3 and b[3 * 7 + 5] == 5
    with pytest.raises(ValueError):
        addition_table(1)


def test_random_splits_sizes_seeds_and_errors():
    m = random_splits(11, [0.3, 0.5, 0.5], [1, 2, 2])
    assert m.shape == (3, 121)
    np.testing.assert_array_equal(m.sum(axis=1), [36, 60, 60])
    np.testing.assert_array_equal(m[1], m[2])  # same seed, same split
    assert not np.array_equal(m[1], random_splits(11, [0.5], [3])[0])
    with pytest.raises(ValueError):
        random_splits(11, [1.0], [0])
    with pytest.raises(ValueError):
        random_splits(11, [0.5, 0.5], [0])


def pure_unit(p, k, phase_a=0.3, phase_b=1.1):
    """Halves of a first layer whose single unit is a pure cosine of frequency k."""
    r = np.arange(p)
    w_a = np.cos(2 * np.pi * k * r / p + phase_a)[:, None]
    w_b = np.cos(2 * np.pi * k * r / p + phase_b)[:, None]
    return w_a, w_b


@pytest.mark.parametrize("p, k", [(23, 1), (23, 7), (23, 11), (10, 5)])
def test_a_pure_frequency_unit_is_fully_concentrated(p, k):
    w_a, w_b = pure_unit(p, k)
    np.testing.assert_allclose(fourier_concentration(w_a, w_b), [1.0], atol=1e-12)
    assert dominant_frequency(w_a, w_b)[0] == k


def test_fourier_power_obeys_parseval_and_matches_a_direct_sum():
    rng = np.random.default_rng(0)
    for p in (7, 10, 23):
        W = rng.standard_normal((3, p, 5))
        power = fourier_power(W)
        assert power.shape == (3, p // 2 + 1, 5)
        np.testing.assert_allclose(power.sum(axis=1), p * (W**2).sum(axis=1), rtol=1e-12)
        k = 2
        direct = np.abs(np.exp(-2j * np.pi * k * np.arange(p) / p) @ W[0]) ** 2
        np.testing.assert_allclose(power[0, k], 2 * direct, rtol=1e-12)


def test_random_units_are_spread_over_frequencies():
    rng = np.random.default_rng(1)
    w_a, w_b = rng.standard_normal((2, 23, 4000))
    conc = fourier_concentration(w_a, w_b)
    # Each frequency's power is a sum of 4 squared Gaussians (chi-squared with 4 degrees of
    # freedom): the largest of 11 such shares is about 0.18, far from 1.
    assert 0.15 < conc.mean() < 0.22
    counts = np.bincount(dominant_frequency(w_a, w_b), minlength=12)[1:]
    assert counts.min() > 250  # every frequency wins for some unit (4000 / 11 on average)


def test_frequency_counts_only_count_concentrated_units():
    p = 11
    units = [pure_unit(p, k) for k in (1, 1, 3, 5)]
    w_a = np.hstack([u[0] for u in units] + [np.random.default_rng(0).standard_normal((p, 1))])
    w_b = np.hstack([u[1] for u in units] + [np.random.default_rng(1).standard_normal((p, 1))])
    counts = frequency_counts(w_a, w_b, threshold=0.9)
    np.testing.assert_array_equal(counts, [2, 0, 1, 0, 1])


def test_hidden_features_and_forward_agree_with_one_hot_inputs():
    p, width = 5, 4
    W, V = init_two_layer(2, p, width, [0, 1])
    a, b, _ = addition_table(p)
    X = np.hstack([np.eye(p)[a], np.eye(p)[b]])  # (p*p, 2p) one-hot inputs
    for i in range(2):
        first = np.vstack([W[i, 0], W[i, 1]])  # (2p, width)
        np.testing.assert_allclose(hidden_features(W[i]), (X @ first) ** 2, rtol=1e-12)
        out = forward(torch.as_tensor(W), torch.as_tensor(V))[i].numpy()
        np.testing.assert_allclose(out, (X @ first) ** 2 @ V[i], rtol=1e-10)


def test_hand_written_gradients_equal_autograd():
    p, width, B = 7, 6, 3
    W_np, V_np = init_two_layer(B, p, width, [0, 1, 2])
    W = torch.as_tensor(W_np).requires_grad_(True)
    V = torch.as_tensor(V_np).requires_grad_(True)
    c = torch.as_tensor(addition_table(p)[2])
    target = torch.nn.functional.one_hot(c, p).double() - 1.0 / p
    mask = torch.as_tensor(random_splits(p, [0.5] * B, [0, 1, 2]), dtype=torch.float64)
    weights = mask / mask.sum(1, keepdim=True)
    loss = (((forward(W, V) - target) ** 2).sum(-1) * weights).sum()
    loss.backward()
    with torch.no_grad():
        out, per_pair, grad_W, grad_V = loss_and_gradients(W, V, target, weights)
    np.testing.assert_allclose((per_pair * weights).sum().item(), loss.item(), rtol=1e-12)
    np.testing.assert_allclose(grad_W.numpy(), W.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_V.numpy(), V.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_batched_training_equals_separate_runs():
    p, width, steps = 11, 16, 40
    masks = random_splits(p, [0.4, 0.6, 0.8], [5, 6, 7])
    wds = [0.0, 1.0, 3.0]
    seeds = [10, 11, 12]
    kw = dict(width=width, lr=1e-2, steps=steps, eval_every=10)
    together = train_two_layer(masks, wds, init_seeds=seeds, **kw)
    for i in range(3):
        alone = train_two_layer(masks[i : i + 1], wds[i], init_seeds=seeds[i : i + 1], **kw)
        np.testing.assert_allclose(together.final["W"][i], alone.final["W"][0], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(together.final["V"][i], alone.final["V"][0], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(together.test_acc[:, i], alone.test_acc[:, 0], atol=1e-6)


def test_training_follows_torch_adamw_with_decoupled_weight_decay():
    p, width, steps, lr, wd = 7, 8, 25, 1e-2, 0.5
    mask = random_splits(p, [0.6], [3])
    rec = train_two_layer(mask, wd, width=width, lr=lr, steps=steps, init_seeds=[4])
    W_np, V_np = init_two_layer(1, p, width, [4])
    W = torch.tensor(W_np, dtype=torch.float32, requires_grad=True)
    V = torch.tensor(V_np, dtype=torch.float32, requires_grad=True)
    opt = torch.optim.AdamW([W, V], lr=lr, betas=(0.9, 0.98), weight_decay=wd)
    c = torch.as_tensor(addition_table(p)[2])
    target = torch.nn.functional.one_hot(c, p).float() - 1.0 / p
    m = torch.as_tensor(mask[0], dtype=torch.float32)
    for _ in range(steps):
        opt.zero_grad()
        per_pair = ((forward(W, V)[0] - target) ** 2).sum(-1)
        ((per_pair * m).sum() / m.sum()).backward()
        opt.step()
    np.testing.assert_allclose(rec.final["W"][0], W.detach().numpy()[0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(rec.final["V"][0], V.detach().numpy()[0], rtol=1e-4, atol=1e-6)


def test_training_records_and_memorises():
    p = 11
    mask = random_splits(p, [0.5, 0.5], [0, 1])
    rec = train_two_layer(
        mask,
        [0.0, 1.0],
        width=64,
        lr=1e-2,
        steps=60,
        init_seeds=[0, 1],
        eval_every=20,
        eval_steps=[5],
        snapshot_steps=[0, 30],
    )
    np.testing.assert_array_equal(rec.steps, [0, 5, 20, 30, 40, 60])
    assert rec.train_acc.shape == rec.concentration.shape == (6, 2)
    np.testing.assert_allclose(rec.w_move[0], 0.0, atol=1e-7)
    assert rec.train_acc[-1].min() == 1.0  # 60 full-batch Adam steps memorise 60 pairs
    assert set(rec.snapshots) == {0, 30} and rec.snapshots[30]["W"].shape == (2, 2, p, 64)
    with pytest.raises(ValueError, match="square"):
        train_two_layer(np.ones((1, 10), bool), 0.0, width=4, lr=1e-2, steps=1, init_seeds=[0])


def test_first_step_reads_the_first_crossing_or_inf():
    rec = TrainingRecord(
        steps=np.array([0, 10, 20]),
        train_acc=np.array([[0.1, 0.1], [0.6, 0.2], [1.0, 0.3]]),
        test_acc=np.zeros((3, 2)),
        train_loss=np.zeros((3, 2)),
        w_move=np.zeros((3, 2)),
        v_move=np.zeros((3, 2)),
        concentration=np.zeros((3, 2)),
    )
    np.testing.assert_array_equal(rec.first_step("train_acc", 0.5), [10, np.inf])


def test_ridge_readout_matches_scikit_learn():
    from sklearn.linear_model import Ridge

    p, width = 11, 40
    W, _ = init_two_layer(1, p, width, [2])
    mask = random_splits(p, [0.5], [2])[0]
    train_acc, test_acc = ridge_readout_accuracy(W[0], mask, ridge=1e-3)
    H = hidden_features(W[0])
    c = addition_table(p)[2]
    Y = np.eye(p)[c] - 1.0 / p
    model = Ridge(alpha=1e-3, fit_intercept=False).fit(H[mask], Y[mask])
    pred = model.predict(H).argmax(axis=1)
    assert train_acc == pytest.approx((pred[mask] == c[mask]).mean())
    assert test_acc == pytest.approx((pred[~mask] == c[~mask]).mean())


def test_linear_cka_is_one_for_rotations_and_scalings_and_small_for_unrelated():
    from overparam_utils.modular import linear_cka

    rng = np.random.default_rng(0)
    H = rng.standard_normal((400, 10))
    Q, _ = np.linalg.qr(rng.standard_normal((10, 10)))
    assert linear_cka(H, 3.0 * H @ Q + 1.0) == pytest.approx(1.0)
    assert linear_cka(H, H[:, ::-1]) == pytest.approx(1.0)  # units permuted
    assert linear_cka(H, rng.standard_normal((400, 10))) < 0.1


def test_stopped_runs_freeze_and_the_others_are_unaffected():
    p, width, steps = 11, 32, 200
    masks = random_splits(p, [0.8, 0.3], [1, 2])
    kw = dict(width=width, lr=1e-2, steps=steps, init_seeds=[3, 4], eval_every=10)
    free = train_two_layer(masks, 2.0, snapshot_steps=range(0, steps + 1, 10), **kw)
    stopped = train_two_layer(masks, 2.0, stop_at=0.99, **kw)
    t_stop = free.first_step("test_acc", 0.99)
    assert np.isfinite(t_stop[0]) and not np.isfinite(t_stop[1])  # the large split groks
    row = list(free.steps).index(t_stop[0])
    np.testing.assert_allclose(stopped.test_acc[row:, 0], free.test_acc[row, 0])
    np.testing.assert_allclose(stopped.final["W"][0], free.snapshots[int(t_stop[0])]["W"][0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(stopped.final["W"][1], free.final["W"][1], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(stopped.test_acc[:, 1], free.test_acc[:, 1], atol=1e-6)


def test_gradient_descent_option_takes_plain_steps():
    p, width, steps, lr, wd = 7, 8, 5, 0.3, 0.1
    mask = random_splits(p, [0.6], [3])
    rec = train_two_layer(mask, wd, width=width, lr=lr, steps=steps, init_seeds=[4], optimizer="gd")
    W_np, V_np = init_two_layer(1, p, width, [4])
    W = torch.tensor(W_np, dtype=torch.float32, requires_grad=True)
    V = torch.tensor(V_np, dtype=torch.float32, requires_grad=True)
    c = torch.as_tensor(addition_table(p)[2])
    target = torch.nn.functional.one_hot(c, p).float() - 1.0 / p
    m = torch.as_tensor(mask[0], dtype=torch.float32)
    for _ in range(steps):
        per_pair = ((forward(W, V)[0] - target) ** 2).sum(-1)
        gW, gV = torch.autograd.grad((per_pair * m).sum() / m.sum(), [W, V])
        with torch.no_grad():
            W.mul_(1 - lr * wd).sub_(lr * gW)
            V.mul_(1 - lr * wd).sub_(lr * gV)
    np.testing.assert_allclose(rec.final["W"][0], W.detach().numpy()[0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(rec.final["V"][0], V.detach().numpy()[0], rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="optimizer"):
        train_two_layer(mask, wd, width=width, lr=lr, steps=1, init_seeds=[4], optimizer="sgd")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU visible here")
def test_training_on_cuda_agrees_with_the_cpu():
    mask = random_splits(7, [0.6, 0.4], [3, 4])
    runs = [
        train_two_layer(mask, [0.5, 1.0], width=8, lr=1e-2, steps=40, init_seeds=[4, 5], stop_at=0.99, device=d)
        for d in ("cpu", "cuda")
    ]
    np.testing.assert_allclose(runs[1].final["W"], runs[0].final["W"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(runs[1].train_acc, runs[0].train_acc)
