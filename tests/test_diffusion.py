"""Reference tests of the DDPM helpers (chapters 26 and 27)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from overparam_utils import diffusion  # noqa: E402


def test_linear_schedule_ends_in_noise_whatever_the_number_of_steps():
    for T in (50, 200, 1000):
        s = diffusion.linear_schedule(T)
        assert s.T == T and np.all(np.diff(s.alpha_bar) < 0)
        assert 1e-6 < s.alpha_bar[-1] < 1e-3
    ddpm = diffusion.linear_schedule(1000)
    assert ddpm.betas[0] == pytest.approx(1e-4) and ddpm.betas[-1] == pytest.approx(0.02)


def test_add_noise_has_the_forward_process_moments():
    s = diffusion.linear_schedule(100)
    gen = torch.Generator().manual_seed(0)
    x0 = torch.full((200_000, 1), 2.0)
    t = torch.full((200_000,), 30, dtype=torch.long)
    xt = diffusion.add_noise(x0, t, s, torch.randn(200_000, 1, generator=gen))
    assert float(xt.mean()) == pytest.approx(2.0 * np.sqrt(s.alpha_bar[30]), abs=0.01)
    assert float(xt.var()) == pytest.approx(1 - s.alpha_bar[30], rel=0.02)


def mixture_logpdf(x, t, means, sds, weights, s):
    ab = s.alpha_bar[t]
    var = ab * sds**2 + 1 - ab
    comps = np.log(weights) - 0.5 * (x - np.sqrt(ab) * means) ** 2 / var - 0.5 * np.log(2 * np.pi * var)
    return np.logaddexp.reduce(comps)


def test_mixture_eps_is_minus_sqrt_one_minus_abar_times_the_score_by_finite_differences():
    s = diffusion.linear_schedule(100)
    means, sds, weights = np.array([-2.0, 0.5, 3.0]), np.array([0.1, 0.3, 0.2]), np.array([0.2, 0.5, 0.3])
    eps_fn = diffusion.mixture_eps(means[:, None], sds, weights, s)
    for t in (0, 10, 60, 99):
        for x in (-2.1, 0.0, 1.7, 3.2):
            h = 1e-5
            score = (
                mixture_logpdf(x + h, t, means, sds, weights, s) - mixture_logpdf(x - h, t, means, sds, weights, s)
            ) / (2 * h)
            got = eps_fn(torch.tensor([[x]], dtype=torch.float64), torch.tensor([t]))
            assert float(got) == pytest.approx(-np.sqrt(1 - s.alpha_bar[t]) * score, rel=1e-5, abs=1e-8)


def test_sampling_with_the_exact_predictor_draws_from_the_mixture():
    s = diffusion.linear_schedule(200)
    means, sds, weights = np.array([[-3.0], [3.0]]), np.array([0.3, 0.3]), np.array([0.25, 0.75])
    x, path = diffusion.sample(diffusion.mixture_eps(means, sds, weights, s), s, 20_000, 1, seed=1, keep_x0=True)
    right = x[:, 0] > 0
    assert right.mean() == pytest.approx(0.75, abs=0.02)
    assert x[right, 0].mean() == pytest.approx(3.0, abs=0.05) and x[right, 0].std() == pytest.approx(0.3, rel=0.1)
    assert path.shape == (200, 20_000, 1)
    assert np.abs(path[-1] - x).mean() < 0.05  # the last prediction is (nearly) the sample


def test_a_trained_denoiser_learns_a_single_gaussian_and_training_a_subset_leaves_the_rest():
    s = diffusion.linear_schedule(50)
    X = np.random.default_rng(0).normal(1.5, 0.5, size=(2000, 2))
    model = diffusion.denoiser(2, s.T, width=64, depth=2, seed=0)
    assert [type(m).__name__ for m in model.layers] == ["Linear"] * 3
    losses = diffusion.train_denoiser(model, X, s, steps=600, lr=3e-3, batch_size=256, seed=0)
    assert losses[-100:].mean() < 0.6 * losses[:20].mean()
    x, _ = diffusion.sample(model, s, 4000, 2, seed=2)
    assert np.allclose(x.mean(0), 1.5, atol=0.15) and np.allclose(x.std(0), 0.5, atol=0.15)
    frozen = [p.detach().clone() for p in model.layers[0].parameters()]
    diffusion.train_denoiser(model, X, s, steps=20, lr=1e-2, seed=1, params=[model.layers[-1].bias])
    assert all(torch.equal(a, b) for a, b in zip(frozen, model.layers[0].parameters(), strict=True))


def test_a_seed_gives_the_same_network_and_the_same_samples():
    s = diffusion.linear_schedule(20)
    a, b = diffusion.denoiser(3, s.T, width=16, seed=4), diffusion.denoiser(3, s.T, width=16, seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    xa, _ = diffusion.sample(a, s, 10, 3, seed=7)
    xb, _ = diffusion.sample(b, s, 10, 3, seed=7)
    assert np.array_equal(xa, xb)
    assert isinstance(a, diffusion.Denoiser)


def test_residual_denoiser_adds_each_later_hidden_layer_to_its_input():
    plain = diffusion.denoiser(3, 10, width=8, depth=3, seed=0)
    res = diffusion.denoiser(3, 10, width=8, depth=3, seed=0, residual=True)
    x, t = torch.randn(5, 3), torch.tensor([0, 1, 2, 3, 9])
    with torch.no_grad():
        h = torch.cat([x, diffusion._time_features(t, 10, res.n_freq)], dim=1)
        h = torch.nn.functional.silu(res.layers[0](h))
        for layer in res.layers[1:-1]:
            h = h + torch.nn.functional.silu(layer(h))
        assert torch.allclose(res(x, t), res.layers[-1](h), atol=1e-6)
        assert not torch.allclose(res(x, t), plain(x, t))


def test_finetune_stack_of_one_full_copy_is_train_denoiser():
    s = diffusion.linear_schedule(20)
    X = np.random.default_rng(0).standard_normal((40, 3))
    ref = diffusion.denoiser(3, 20, width=16, depth=2, seed=1, residual=True)
    net = diffusion.denoiser(3, 20, width=16, depth=2, seed=1, residual=True)
    diffusion.train_denoiser(ref, X, s, steps=30, lr=1e-2, batch_size=16, seed=5)
    full = {name: True for name, _ in net.named_parameters()}
    stack = diffusion.finetune_stack(net, X, s, [full], steps=30, lr=1e-2, batch_size=16, seed=5)
    for name, p in ref.named_parameters():
        assert torch.allclose(stack[name][0], p.detach(), atol=1e-5), name


def test_finetune_stack_moves_only_each_copys_subset():
    s = diffusion.linear_schedule(20)
    X = np.random.default_rng(0).standard_normal((10, 3))
    net = diffusion.denoiser(3, 20, width=16, depth=2, seed=1)
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    biases = {name: name.endswith(".bias") for name in before}
    stack = diffusion.finetune_stack(net, X, s, [{}, biases], steps=20, lr=1e-2, batch_size=32, seed=0)
    for name, p0 in before.items():
        assert torch.equal(stack[name][0], p0)  # an empty mask trains nothing
        assert torch.equal(stack[name][1], p0) != biases[name]  # the bias copy moves its biases only
        assert torch.equal(dict(net.named_parameters())[name].detach(), p0)  # the model is untouched


def test_sample_stack_of_one_network_is_sample():
    s = diffusion.linear_schedule(30)
    net = diffusion.denoiser(2, 30, width=16, depth=2, seed=3)
    stack = {name: p.detach()[None].repeat(2, *[1] * p.dim()) for name, p in net.named_parameters()}
    x, _ = diffusion.sample(net, s, 50, 2, seed=7)
    xs = diffusion.sample_stack(net, stack, s, 50, seed=7)
    assert xs.shape == (2, 50, 2)
    np.testing.assert_allclose(xs[0], x, atol=1e-5)
    np.testing.assert_allclose(xs[1], x, atol=1e-5)  # the same noise for every network
