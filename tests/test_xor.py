import numpy as np
import pytest
from scipy.stats import ks_2samp

from overparam_utils.xor import (
    CLUSTER_LABELS,
    LINEAR_LABELS,
    bartlett_factor,
    cluster_mean_margins,
    cluster_means,
    linear_scores,
    sample_xor_problem,
    train_xor_network,
    xor_network_outputs,
)


def draw(rng, **kwargs):
    args = dict(n_train=8, n_test=5, dim=60, mean_norm=3.0, flip_rate=0.25, width=6, init_scale=0.5, rng=rng)
    return sample_xor_problem(**(args | kwargs))


def test_bartlett_factor_has_the_wishart_moments():
    rng = np.random.default_rng(0)
    dof, k, reps = 12, 3, 20000
    L = np.stack([bartlett_factor(k, dof, rng) for _ in range(reps)])
    assert np.allclose(np.triu(L[0], 1), 0.0)
    G = L @ L.transpose(0, 2, 1)
    # Wishart(dof, I): E G = dof I, Var G_ii = 2 dof, Var G_ij = dof (i != j)
    np.testing.assert_allclose(G.mean(0), dof * np.eye(k), atol=0.15)
    np.testing.assert_allclose(G[:, 0, 0].var(), 2 * dof, rtol=0.05)
    np.testing.assert_allclose(G[:, 2, 1].var(), dof, rtol=0.05)
    with pytest.raises(ValueError):
        bartlett_factor(5, 4, rng)


def test_balanced_draw_has_equal_clusters_and_flips_and_an_xor_labelling():
    p = draw(np.random.default_rng(1), n_train=40, flip_rate=0.2, width=10)
    assert p.X.shape == (40, 2 + 40 + 10) and p.W0.shape == (10, 52) and p.X_test.shape == (5, 52)
    for c in range(4):
        members = p.cluster == c
        assert members.sum() == 10
        assert p.flipped[members].sum() == 2  # round(0.2 * 10)
        np.testing.assert_array_equal(p.y_clean[members], CLUSTER_LABELS[c])
    np.testing.assert_array_equal(p.y, np.where(p.flipped, -p.y_clean, p.y_clean))
    np.testing.assert_array_equal(p.y_test, CLUSTER_LABELS[p.cluster_test])
    np.testing.assert_allclose(p.a, np.r_[np.ones(5), -np.ones(5)] / np.sqrt(10))
    # the means are orthogonal, of equal norm, and +-mu_k share a label
    means = cluster_means(3.0)
    np.testing.assert_allclose(
        means @ means.T, 9.0 * np.array([[1, -1, 0, 0], [-1, 1, 0, 0], [0, 0, 1, -1], [0, 0, -1, 1]])
    )


def test_iid_draw_flips_at_the_given_rate():
    p = draw(np.random.default_rng(2), n_train=20000, balanced=False, reduced=False, width=2, dim=4, n_test=2)
    assert abs(p.flipped.mean() - 0.25) < 0.015
    np.testing.assert_allclose(np.bincount(p.cluster, minlength=4) / 20000, 0.25, atol=0.015)


def test_bad_arguments_are_refused():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="even"):
        draw(rng, width=5)
    with pytest.raises(ValueError, match="divisible by 4"):
        draw(rng, n_train=10)
    with pytest.raises(ValueError, match="reduced"):
        draw(rng, dim=10)
    with pytest.raises(ValueError, match="flip_rate"):
        draw(rng, flip_rate=0.5)


def inner_products(p):
    """The inner products the network uses, by kind, from one balanced draw with n_train = 8.

    Returns, per kind, one entry (independent across draws, for a two-sample test) and all entries
    of that kind (for moments)."""
    K, P, G = p.X @ p.X.T, p.X @ p.W0.T, p.W0 @ p.W0.T
    T, U = p.X_test @ p.X.T, p.X_test @ p.W0.T
    # training points 0, 1 are in cluster 0 (+mu_1), 2, 3 in cluster 1 (-mu_1), 4-7 on the mu_2 axis
    return dict(
        norms=(K[0, 0], np.diag(K)),
        same_cluster=(K[0, 1], K[[0, 2, 4, 6], [1, 3, 5, 7]]),
        opposite_cluster=(K[0, 2], K[:2, 2:4].ravel()),
        other_axis=(K[0, 4], K[:4, 4:].ravel()),
        data_weights=(P[0, 0], P.ravel()),
        weights=(G[0, 1], G[np.triu_indices(len(p.a), 1)]),
        test_data=(T[0, 0], T.ravel()),
        test_weights=(U[0, 0], U.ravel()),
    )


def test_span_coordinates_have_the_law_of_explicit_high_dimensional_vectors():
    """Each kind of inner product has the same law in both samplers (two-sample KS on one entry
    per draw), and the first two moments match their closed forms."""
    samples = {}
    for name, seed, reduced in (("reduced", 3, True), ("explicit", 4, False)):
        rng = np.random.default_rng(seed)
        draws = [inner_products(draw(rng, reduced=reduced)) for _ in range(2000)]
        samples[name] = {
            kind: (np.array([d[kind][0] for d in draws]), np.concatenate([d[kind][1] for d in draws]))
            for kind in draws[0]
        }
    for kind, (one, _) in samples["reduced"].items():
        assert ks_2samp(one, samples["explicit"][kind][0]).pvalue > 1e-3, kind
    # dim = 60, |mu|^2 = 9, init_scale^2 = 0.25; a test input is on a training input's axis w.p. 1/2
    dim, mu2, w2 = 60, 9.0, 0.25
    moments = dict(  # kind: (mean, mean square)
        norms=(dim + mu2, None),
        same_cluster=(mu2, mu2**2 + 2 * mu2 + dim),
        opposite_cluster=(-mu2, mu2**2 + 2 * mu2 + dim),
        other_axis=(0.0, 2 * mu2 + dim),
        data_weights=(0.0, w2 * (mu2 + dim)),
        weights=(0.0, w2**2 * dim),
        test_data=(0.0, mu2**2 / 2 + 2 * mu2 + dim),
        test_weights=(0.0, w2 * (mu2 + dim)),
    )
    for name in samples:
        for kind, (mean, mean_square) in moments.items():
            values = samples[name][kind][1]
            scale = np.sqrt(np.mean(values**2))
            assert abs(values.mean() - mean) < 0.03 * scale, (name, kind, values.mean())
            if mean_square is not None:
                np.testing.assert_allclose(np.mean(values**2), mean_square, rtol=0.04, err_msg=f"{name} {kind}")


def torch_gd_outputs(p, lr, steps, record):
    """Plain torch gradient descent on the full (width, dim) first layer; outputs at test inputs."""
    import torch

    X, y, X_test = (torch.as_tensor(v) for v in (p.X, p.y, p.X_test))
    a = torch.as_tensor(p.a)
    W = torch.as_tensor(p.W0).clone().requires_grad_(True)
    out = []
    for t in range(steps + 1):
        if t in record:
            with torch.no_grad():
                out.append(torch.relu(X_test @ W.T) @ a)
        loss = torch.nn.functional.softplus(-y * (torch.relu(X @ W.T) @ a)).mean()
        (grad,) = torch.autograd.grad(loss, W)
        with torch.no_grad():
            W -= lr * grad
    return torch.stack(out).numpy()


def test_span_reduced_gd_equals_torch_gd_on_the_full_weights():
    record = [0, 1, 2, 7, 30]
    problems = [draw(np.random.default_rng(s), reduced=False, dim=50, n_test=40) for s in (5, 6)]
    X, y, W0, X_test = (np.stack([getattr(p, k) for p in problems]) for k in ("X", "y", "W0", "X_test"))
    C = train_xor_network(X, y, W0, problems[0].a, lr=0.05, steps=30, record_steps=record)
    assert C.shape == (5, 2, 6, 8)
    np.testing.assert_array_equal(C[0], 0.0)
    ours = xor_network_outputs(C, X, W0, problems[0].a, X_test)
    for s, p in enumerate(problems):
        reference = torch_gd_outputs(p, lr=0.05, steps=30, record=record)
        np.testing.assert_allclose(ours[:, s], reference, rtol=1e-9, atol=1e-12)
        # the weights W0 + C X give the same outputs when formed explicitly
        W_end = p.W0 + C[-1, s] @ p.X
        np.testing.assert_allclose(np.maximum(p.X_test @ W_end.T, 0) @ p.a, reference[-1], rtol=1e-9)
    # the training loss went down
    f0, f_end = xor_network_outputs(C[[1, -1]], X, W0, problems[0].a, X)
    assert np.mean(np.logaddexp(0, -y * f_end)) < np.mean(np.logaddexp(0, -y * f0))


def test_outputs_accept_a_single_snapshot_and_record_steps_are_checked():
    p = draw(np.random.default_rng(7))
    X, y, W0 = p.X[None], p.y[None], p.W0[None]
    C = train_xor_network(X, y, W0, p.a, lr=0.1, steps=3, record_steps=[3])
    single = xor_network_outputs(C[0], X, W0, p.a, p.X_test[None])
    np.testing.assert_allclose(single, xor_network_outputs(C, X, W0, p.a, p.X_test[None])[0])
    assert single.shape == (1, 5)
    with pytest.raises(ValueError, match="record_steps"):
        train_xor_network(X, y, W0, p.a, lr=0.1, steps=3, record_steps=[4])


def test_balanced_draws_cancel_the_cluster_means_in_the_first_step_direction():
    """On a balanced draw, sum_i y_i mean(x_i) = 0 exactly: the first step's linear classifier has no
    component along the means (this is why chapter 05 tests step-1 chance level on i.i.d. draws)."""
    for seed in range(5):
        p = draw(np.random.default_rng(seed), n_train=40, flip_rate=0.2, width=10)
        means = cluster_means(3.0)[p.cluster]
        np.testing.assert_allclose(p.y @ means, 0.0, atol=1e-12)
    p = draw(np.random.default_rng(9), n_train=400, balanced=False, width=10, dim=600)
    assert np.abs(p.y @ cluster_means(3.0)[p.cluster]).max() > 1.0  # i.i.d. draws do not cancel


def test_no_linear_classifier_beats_chance_on_xor_but_one_solves_the_linear_labelling():
    rng = np.random.default_rng(10)
    p = draw(rng, n_train=4, n_test=40000, dim=30, width=2, balanced=False, reduced=False)
    q = draw(
        np.random.default_rng(10),
        n_train=4,
        n_test=40000,
        dim=30,
        width=2,
        balanced=False,
        reduced=False,
        labels="linear",
    )
    np.testing.assert_array_equal(p.cluster, q.cluster)  # same seed: same clusters and flips
    np.testing.assert_array_equal(p.flipped, q.flipped)
    np.testing.assert_array_equal(q.y_test, LINEAR_LABELS[q.cluster_test])
    for _ in range(5):
        v = rng.standard_normal(30)
        v[:2] *= 5.0  # lean on the plane of the means
        assert abs(np.mean(np.sign(p.X_test @ v) == p.y_test) - 0.5) < 0.01
    v = np.zeros(30)
    v[:2] = 1.0  # mu_1 + mu_2
    assert np.mean(np.sign(q.X_test @ v) == q.y_test) > 0.95
    with pytest.raises(ValueError, match="labels"):
        draw(rng, labels="parity")


def test_linear_scores_are_the_label_weighted_inner_products():
    rng = np.random.default_rng(11)
    X, X_new, y = rng.standard_normal((2, 5, 7)), rng.standard_normal((2, 3, 7)), rng.choice([-1.0, 1.0], (2, 5))
    expected = np.array([[sum(y[s, i] * X[s, i] @ X_new[s, k] for i in range(5)) for k in range(3)] for s in range(2)])
    np.testing.assert_allclose(linear_scores(X, y, X_new), expected)


def test_cluster_mean_margins_need_units_on_both_signs_of_each_mean():
    a = np.r_[np.ones(2), -np.ones(2)] / 2.0
    xor_solution = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])  # one unit per mean
    margins = cluster_mean_margins(xor_solution, a, mean_norm=3.0)
    np.testing.assert_allclose(margins, [1.5, 1.5, 1.5, 1.5])  # relu(3) * 1/2 each
    one_sided = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, -1.0]])  # nothing points at -mu_1
    margins = cluster_mean_margins(one_sided, a, mean_norm=3.0)
    assert margins[0] > 0 and margins[1] == 0.0 and np.all(margins[2:] > 0)
    # leading axes are broadcast; a linear f_plane (units in +-pairs) has opposite margins on +-mu_k
    W = np.random.default_rng(13).standard_normal((5, 3, 6, 2))
    W = np.concatenate([W, -W], axis=-2)
    c = np.r_[np.ones(3), -np.ones(3)] / 6
    lin = cluster_mean_margins(W, np.r_[c, -c], mean_norm=2.0)  # relu(z) - relu(-z) = z
    assert lin.shape == (5, 3, 4)
    np.testing.assert_allclose(lin[..., 0], -lin[..., 1], atol=1e-12)
    np.testing.assert_allclose(lin[..., 2], -lin[..., 3], atol=1e-12)
