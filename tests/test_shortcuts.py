import numpy as np
import pytest
import torch
from scipy.stats import norm

from overparam_utils.shortcuts import (
    MLPEnsemble,
    ShortcutTask,
    latent_mean,
    linear_ntk,
    linear_ntk_features,
    reliance,
    relu_ntk,
    shortcut_bias,
    train_ensemble,
)


def task(alpha_s=3.0, corr=0.0, dim=6, seed=0):
    return ShortcutTask.draw(np.random.default_rng(seed), rho_s=0.7, rho_c=0.9, alpha_s=alpha_s, corr=corr, dim=dim)


def test_latent_mean_gives_the_predictivity():
    mu = latent_mean([0.6, 0.9])
    np.testing.assert_allclose(norm.cdf(mu), [0.6, 0.9])
    with pytest.raises(ValueError):
        latent_mean(0.5)


def test_samples_have_the_declared_latent_law_and_embedding():
    t = task(corr=0.4)
    X, y, z = t.sample(200_000, np.random.default_rng(1))
    np.testing.assert_allclose(t.Q @ t.Q.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(X, (z * [3.0, 1.0]) @ t.Q)
    np.testing.assert_allclose(np.mean(np.sign(z) == y[:, None], axis=0), [0.7, 0.9], atol=5e-3)
    resid = z - y[:, None] * t.mu
    np.testing.assert_allclose(np.cov(resid.T), t.cov, atol=1e-2)


def test_bayes_rule_matches_sklearn_lda_direction():
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    t = task(corr=0.6)
    _, y, z = t.sample(100_000, np.random.default_rng(2))
    w = LinearDiscriminantAnalysis().fit(z, y).coef_[0]
    cos = w @ t.bayes_weights() / np.linalg.norm(w) / np.linalg.norm(t.bayes_weights())
    assert cos > 0.9999


def test_reliance_of_pure_shortcut_and_pure_core_rules():
    t = task()
    z = t.probe_grid(30)
    assert z.shape == (900, 2) and np.all(z != 0)
    assert reliance(z[:, 0], z) == pytest.approx(1.0)
    assert reliance(z[:, 1], z) == pytest.approx(-1.0)
    # -z_c disagrees with z_c everywhere, so on every conflict it sides with z_s
    np.testing.assert_allclose(reliance(np.stack([z[:, 0], -z[:, 1]]), z), [1.0, 1.0])
    assert shortcut_bias(t.bayes_predict(z), t, z) == 0.0


def test_reliance_counts_only_conflicting_points():
    z = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    # conflicts at rows 1 and 2 with (sign z_s - sign z_c) = +2 and -2
    assert reliance(np.array([5.0, 1.0, -1.0, 3.0]), z) == pytest.approx((2 + 2) / 4)
    assert reliance(np.array([5.0, -1.0, 1.0, 3.0]), z) == pytest.approx(-(2 + 2) / 4)


def test_ensemble_member_equals_a_torch_sequential_and_trains_identically():
    E, n, d, width = 3, 40, 5, 16
    rng = np.random.default_rng(0)
    X = rng.standard_normal((E, n, d))
    y = np.sign(rng.standard_normal((E, n)))
    for activation, act in (("relu", torch.nn.ReLU()), ("tanh", torch.nn.Tanh()), ("linear", torch.nn.Identity())):
        ens = MLPEnsemble(E, d, width, activation, seed=3)
        e = 1
        net = torch.nn.Sequential(torch.nn.Linear(d, width), act, torch.nn.Linear(width, 1))
        with torch.no_grad():
            net[0].weight.copy_(ens.W1[e].T)
            net[0].bias.copy_(ens.b1[e, 0])
            net[2].weight.copy_(ens.W2[e].T)
            net[2].bias.copy_(ens.b2[e, 0])
        Xt = torch.as_tensor(X, dtype=torch.float32)
        with torch.no_grad():
            np.testing.assert_allclose(ens(Xt)[e].numpy(), net(Xt[e])[:, 0].numpy(), rtol=1e-5, atol=1e-6)
        res = train_ensemble(ens, X, y, steps=25, lr=0.1, checkpoints=[0, 25])
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        yt = torch.as_tensor(y[e], dtype=torch.float32)
        for _ in range(25):
            opt.zero_grad()
            torch.nn.functional.softplus(-yt * net(Xt[e])[:, 0]).mean().backward()
            opt.step()
        with torch.no_grad():
            np.testing.assert_allclose(ens(Xt)[e].numpy(), net(Xt[e])[:, 0].numpy(), rtol=1e-4, atol=1e-5)
            final = torch.nn.functional.softplus(-yt * net(Xt[e])[:, 0]).mean().item()
        assert res["train_loss"][1, e] == pytest.approx(final, rel=1e-4)
        assert res["train_loss"][1].mean() < res["train_loss"][0].mean()


def test_members_do_not_interact_under_adam():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((2, 30, 4)), np.sign(rng.standard_normal((2, 30)))
    probe = rng.standard_normal((2, 7, 4))
    both = train_ensemble(
        MLPEnsemble(2, 4, 8, seed=5), X, y, steps=40, lr=1e-2, optimizer="adam", checkpoints=[40], probe=probe
    )
    y_other = y.copy()
    y_other[1] = -y_other[1]  # change the second member's data only
    other = train_ensemble(
        MLPEnsemble(2, 4, 8, seed=5), X, y_other, steps=40, lr=1e-2, optimizer="adam", checkpoints=[40], probe=probe
    )
    np.testing.assert_allclose(both["probe"][0, 0], other["probe"][0, 0], rtol=1e-6)
    assert not np.allclose(both["probe"][0, 1], other["probe"][0, 1])


def test_select_copies_members_with_their_initial_weights():
    ens = MLPEnsemble(4, 3, 5, "tanh", seed=2)
    sub = ens.select([3, 1])
    X = torch.randn(2, 6, 3)
    with torch.no_grad():
        full = ens(torch.stack([X[0], X[1], X[0], X[0]]))
        np.testing.assert_allclose(sub(X)[0].numpy(), full[3].numpy(), rtol=1e-6)
        np.testing.assert_allclose(sub(X)[1].numpy(), full[1].numpy(), rtol=1e-6)
    rng = np.random.default_rng(0)
    train_ensemble(sub, rng.standard_normal((2, 6, 3)), np.ones((2, 6)), steps=3, lr=0.1)
    assert not torch.equal(sub.W1[0], ens.W1[3])  # training the copy leaves the original alone


def test_bad_arguments():
    with pytest.raises(ValueError, match="activation"):
        MLPEnsemble(1, 2, 3, activation="gelu")
    ens = MLPEnsemble(1, 2, 3)
    X, y = np.zeros((1, 4, 2)), np.ones((1, 4))
    with pytest.raises(ValueError, match="optimizer"):
        train_ensemble(ens, X, y, steps=1, lr=0.1, optimizer="sgd")
    with pytest.raises(ValueError, match="checkpoints"):
        train_ensemble(ens, X, y, steps=1, lr=0.1, checkpoints=[5])
    with pytest.raises(ValueError, match="corr"):
        ShortcutTask.draw(np.random.default_rng(0), rho_s=0.7, rho_c=0.9, alpha_s=1, corr=1.0)


def test_relu_ntk_is_the_wide_network_average():
    rng = np.random.default_rng(0)
    X, X_new = rng.standard_normal((5, 3)), 2 * rng.standard_normal((4, 3))
    U = np.c_[X, np.ones(5)]
    U_new = np.c_[X_new, np.ones(4)]
    m, D = 400_000, 4
    W, a = rng.standard_normal((m, D)), rng.standard_normal(m)
    H, H_new = U @ W.T / np.sqrt(D), U_new @ W.T / np.sqrt(D)
    # the tangent kernel of f = m^-1/2 sum_j a_j relu(w_j . u / sqrt(D)), averaged over the units
    second = np.maximum(H_new, 0) @ np.maximum(H, 0).T / m
    first = ((H_new > 0) * a**2) @ (H > 0).T / m * (U_new @ U.T) / D
    np.testing.assert_allclose(relu_ntk(X, X_new), second + first, rtol=0.02, atol=0.01)
    K = relu_ntk(X)
    np.testing.assert_allclose(K, K.T)
    assert np.all(np.linalg.eigvalsh(K) > 0)
    np.testing.assert_allclose(linear_ntk(X, X_new), 2 * U_new @ U.T / D)


def test_linear_ntk_ridge_path_from_its_features_matches_the_kernel():
    """Chapter 14 fits the linear NTK from its d + 1 features (a thin SVD) instead of the n x n kernel: the
    features reproduce the kernel, and the ridge path's predictions agree at every ridge, ridgeless included."""
    from overparam_utils.ridge import RidgePath

    rng = np.random.default_rng(6)
    X, X_new, y = rng.standard_normal((40, 5)), rng.standard_normal((7, 5)), rng.standard_normal(40)
    F = linear_ntk_features(X)
    np.testing.assert_allclose(F @ F.T, linear_ntk(X), atol=1e-12)
    ridges = np.r_[0.0, np.geomspace(1e-6, 1.0, 4)] * np.mean(np.diag(linear_ntk(X)))
    by_kernel = RidgePath.fit(linear_ntk(X), y).predict(linear_ntk(X, X_new), ridges)
    by_features = RidgePath.from_features(F, y).predict(linear_ntk_features(X_new) @ F.T, ridges)
    np.testing.assert_allclose(by_features, by_kernel, rtol=1e-8, atol=1e-10)


def test_linear_optima_are_blind_to_amplification():
    """Amplifying a latent is an invertible linear map of the input, which a linear model undoes: ridgeless
    least squares exactly, logistic regression near its unregularised optimum. Their bias cannot depend on
    availability (chapter 14's former check `linear_optimum_unbiased`, true by construction)."""
    from sklearn.linear_model import LogisticRegression

    from overparam_utils.ridge import RidgePath

    t1, t8 = task(alpha_s=1.0, dim=6, seed=4), task(alpha_s=8.0, dim=6, seed=4)
    _, y, z = t1.sample(300, np.random.default_rng(5))
    grid = t1.probe_grid()
    ls, logit = [], []
    for t in (t1, t8):
        X, P = t.embed(z), t.embed(grid)
        ls.append(RidgePath.fit(linear_ntk(X), y).predict(linear_ntk(X, P), [0.0])[:, 0])
        logit.append(LogisticRegression(C=1e4, max_iter=5000).fit(X, y).decision_function(P))
    np.testing.assert_allclose(ls[0], ls[1], rtol=1e-6, atol=1e-8)
    assert np.mean(np.sign(logit[0]) == np.sign(logit[1])) > 0.99
    assert abs(shortcut_bias(logit[0], t1, grid) - shortcut_bias(logit[1], t8, grid)) < 0.02


def test_adam_update_matches_torch_adam():
    E, n, d, width = 2, 30, 4, 8
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((E, n, d)), np.sign(rng.standard_normal((E, n)))
    ens = MLPEnsemble(E, d, width, "relu", seed=7)
    ref = ens.select(range(E))
    train_ensemble(ens, X, y, steps=20, lr=1e-2, optimizer="adam")
    opt = torch.optim.Adam(ref.parameters, lr=1e-2)
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)
    for _ in range(20):
        opt.zero_grad()
        torch.nn.functional.softplus(-yt * ref(Xt)).mean(dim=1).sum().backward()
        opt.step()
    for a, b in zip(ens.parameters, ref.parameters, strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU visible here")
def test_ensemble_training_on_cuda_agrees_with_the_cpu():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2, 20, 4)).astype(np.float32), np.sign(rng.standard_normal((2, 20)))
    runs = [
        train_ensemble(
            MLPEnsemble(2, 4, 8, seed=5, device=d), X, y, steps=30, lr=1e-2, optimizer="adam", checkpoints=[30]
        )  # fmt: skip
        for d in ("cpu", "cuda")
    ]
    np.testing.assert_allclose(runs[1]["train_loss"], runs[0]["train_loss"], rtol=1e-4)
