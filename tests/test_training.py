import numpy as np
import pytest

from overparam_utils.linear import LeastSquaresPath, stable_lr
from overparam_utils.training import mlp, train_classifier, train_readouts, width_mask


def features(seeds=2, n=30, width=40):
    rng = np.random.default_rng(0)
    return rng.standard_normal((seeds, n, width)), rng.standard_normal((seeds, n))


def test_width_mask():
    m = width_mask([1, 3], 4)
    np.testing.assert_array_equal(m, [[1, 0, 0, 0], [1, 1, 1, 0]])
    with pytest.raises(ValueError):
        width_mask([5], 4)


def test_batched_gd_equals_the_closed_form_for_every_seed_and_width():
    F, y = features()
    widths = [5, 30, 40]
    lr = np.array([[stable_lr(F[s][:, :w]) for w in widths] for s in range(2)])
    out = train_readouts(F, y, widths, optimizer="gd", lr=lr, steps=200, snapshots=[0, 50])
    assert out.shape == (3, 2, 3, 40)
    np.testing.assert_array_equal(out[0], 0.0)
    for s in range(2):
        for k, w in enumerate(widths):
            path = LeastSquaresPath.fit(F[s][:, :w], y[s])
            expected = path.weights_gd([50, 200], lr[s, k])
            np.testing.assert_allclose(out[1, s, k, :w], expected[0], rtol=1e-8, atol=1e-10)
            np.testing.assert_allclose(out[2, s, k, :w], expected[1], rtol=1e-8, atol=1e-10)
            np.testing.assert_array_equal(out[2, s, k, w:], 0.0)


def test_adam_lowers_the_loss_and_models_do_not_interact():
    F, y = features()
    both = train_readouts(F, y, [10, 40], optimizer="adam", lr=1e-2, steps=300, cosine=True)[-1]
    alone = train_readouts(F[:1], y[:1], [40], optimizer="adam", lr=1e-2, steps=300, cosine=True)[-1]
    np.testing.assert_allclose(both[0, 1], alone[0, 0], rtol=1e-10, atol=1e-12)
    loss0 = np.mean(y[0] ** 2)
    loss = np.mean((F[0] @ both[0, 1] - y[0]) ** 2)
    assert loss < 0.1 * loss0


def test_bad_optimizer_and_snapshots():
    F, y = features()
    with pytest.raises(ValueError, match="optimizer"):
        train_readouts(F, y, [5], optimizer="sgd", lr=0.1, steps=1)
    with pytest.raises(ValueError, match="snapshots"):
        train_readouts(F, y, [5], optimizer="gd", lr=0.1, steps=5, snapshots=[9])
    with pytest.raises(ValueError, match="scalar"):
        train_readouts(F, y, [5], optimizer="adam", lr=[0.1, 0.2], steps=1)


def test_training_on_the_cpu_device_is_the_default_and_gives_the_same_numbers():
    rng = np.random.default_rng(0)
    F, y = rng.standard_normal((2, 20, 6)), rng.standard_normal((2, 20))
    default = train_readouts(F, y, [3, 6], optimizer="gd", lr=0.1, steps=20)
    on_cpu = train_readouts(F, y, [3, 6], optimizer="gd", lr=0.1, steps=20, device="cpu")
    np.testing.assert_array_equal(default, on_cpu)
    X, labels = rng.standard_normal((30, 4)).astype(np.float32), rng.integers(0, 3, 30)
    a, b = mlp(4, 8, 3, seed=1), mlp(4, 8, 3, seed=1, device="cpu")
    ha = train_classifier(a, X, labels, steps=5, lr=0.1)
    hb = train_classifier(b, X, labels, steps=5, lr=0.1)
    assert ha == hb and next(b.parameters()).device.type == "cpu"


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="no GPU visible here")
def test_training_on_cuda_agrees_with_the_cpu():
    rng = np.random.default_rng(0)
    F, y = rng.standard_normal((2, 20, 6)), rng.standard_normal((2, 20))
    on_cpu = train_readouts(F, y, [3, 6], optimizer="gd", lr=0.1, steps=20)
    on_gpu = train_readouts(F, y, [3, 6], optimizer="gd", lr=0.1, steps=20, device="cuda")
    np.testing.assert_allclose(on_gpu, on_cpu, rtol=1e-10, atol=1e-12)


def test_mlp_shapes_and_seeded_init_leaves_global_state_alone():
    import torch

    from overparam_utils.training import mlp

    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    a, b = mlp(5, 16, 3, depth=2, seed=7), mlp(5, 16, 3, depth=2, seed=7)
    assert torch.rand(1) == before  # seeding the model did not move the global generator
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert a(torch.zeros(4, 5)).shape == (4, 3)
    assert len([m for m in a if isinstance(m, torch.nn.Linear)]) == 3
    assert isinstance(mlp(2, 3, 1, activation="tanh")[1], torch.nn.Tanh)


def test_train_classifier_fits_separable_data_and_records_history():
    from overparam_utils.training import accuracy, mlp, train_classifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    model = mlp(2, 32, 2, seed=0)
    hist = train_classifier(model, X, y, steps=300, lr=0.1, momentum=0.9, eval_every=100, X_test=X, y_test=y)
    assert hist["step"] == [0, 100, 200, 300]
    assert hist["train_acc"][-1] > 0.95 and hist["train_loss"][-1] < hist["train_loss"][0]
    assert hist["test_acc"][-1] == accuracy(model, X, y)
    mini = train_classifier(mlp(2, 32, 2, seed=0), X, y, steps=200, lr=0.01, optimizer="adam", batch_size=32)
    assert mini["train_acc"][-1] > 0.9 and len(mini["step"]) == 1
    with pytest.raises(ValueError, match="optimizer"):
        train_classifier(model, X, y, steps=1, lr=0.1, optimizer="lbfgs")


def test_adam_step_is_torch_adam():
    import torch

    from overparam_utils.training import adam_step

    gen = torch.Generator().manual_seed(0)
    ours = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    ref = ours.clone().requires_grad_(True)
    opt = torch.optim.Adam([ref], lr=0.01, betas=(0.9, 0.98))
    m, v = torch.zeros_like(ours), torch.zeros_like(ours)
    for t in range(1, 30):
        grad = torch.sin(3 * ours) + ours**2  # any smooth function of the parameters
        adam_step(ours, grad, m, v, t, 0.01, (0.9, 0.98))
        opt.zero_grad()
        ref.grad = (torch.sin(3 * ref) + ref**2).detach()
        opt.step()
    torch.testing.assert_close(ours, ref.detach(), rtol=1e-12, atol=1e-14)
