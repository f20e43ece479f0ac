"""Reference tests of the latent factor model and its pretraining helpers (chapter 28)."""

import numpy as np
import pytest

from overparam_utils import pretraining as pt


@pytest.fixture
def model():
    return pt.factor_model(d=12, r=3, strength=1.0, sigma=0.5, rng=np.random.default_rng(0), gamma=0.7)


def test_noise_direction_is_a_unit_vector_orthogonal_to_the_loadings(model):
    assert np.linalg.norm(model.u) == pytest.approx(1.0)
    assert np.abs(model.A.T @ model.u).max() < 1e-12


def test_bayes_weights_have_zero_excess_and_the_bayes_risk_matches_monte_carlo(model):
    assert pt.excess_risk(model, model.bayes_weights()) == pytest.approx(0.0, abs=1e-12)
    X, y = model.sample(400_000, np.random.default_rng(1))
    mc = np.mean((y - X @ model.bayes_weights()) ** 2)
    assert mc == pytest.approx(model.bayes_risk(), rel=0.01)


def test_excess_risk_matches_the_monte_carlo_risk_gap(model):
    w = model.bayes_weights() + 0.1 * np.random.default_rng(2).standard_normal(model.d)
    X, y = model.sample(400_000, np.random.default_rng(3))
    gap = np.mean((y - X @ w) ** 2) - np.mean((y - X @ model.bayes_weights()) ** 2)
    assert gap == pytest.approx(pt.excess_risk(model, w), rel=0.03)
    W = np.stack([w, model.bayes_weights()], axis=1)
    np.testing.assert_allclose(pt.excess_risk(model, W), [pt.excess_risk(model, w), 0.0], atol=1e-12)


def test_pca_recovers_the_span_of_the_loadings_from_many_points(model):
    X, _ = model.sample(200_000, np.random.default_rng(4))
    U = pt.pca_subspace(X, model.r)
    np.testing.assert_allclose(U.T @ U, np.eye(model.r), atol=1e-10)
    Q, _ = np.linalg.qr(model.A)
    assert np.linalg.norm(U @ U.T - Q @ Q.T) < 0.02


def test_the_loading_span_misses_exactly_the_noise_directions_share(model):
    """With ``U`` spanning ``A``, the best predictor in ``span(U)`` loses ``gamma u`` and nothing else: since
    ``u`` is a unit eigenvector of ``Sigma_x`` with eigenvalue 1, the excess risk is ``gamma^2``."""
    Q, _ = np.linalg.qr(model.A)
    assert pt.subspace_excess(model, Q) == pytest.approx(model.gamma**2, rel=1e-10)
    informative = pt.FactorModel(model.A, model.beta, model.u, 0.0, model.sigma)
    assert pt.subspace_excess(informative, Q) == pytest.approx(0.0, abs=1e-12)


def test_ridge_path_reduces_to_least_squares_and_to_zero():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((30, 5)), rng.standard_normal(30)
    W = pt.ridge_path(X, y, [0.0, 1e8])
    np.testing.assert_allclose(W[:, 0], np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-10)
    assert np.abs(W[:, 1]).max() < 1e-6
    X_wide = rng.standard_normal((5, 30))
    w = pt.min_norm_least_squares(X_wide, y[:5])
    np.testing.assert_allclose(X_wide @ w, y[:5], atol=1e-10)


def test_fit_in_subspace_is_least_squares_on_the_projected_features():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((40, 8)), rng.standard_normal(40)
    U, _ = np.linalg.qr(rng.standard_normal((8, 3)))
    c = np.linalg.lstsq(X @ U, y, rcond=None)[0]
    np.testing.assert_allclose(pt.fit_in_subspace(X, y, U), U @ c, atol=1e-12)


def test_ols_excess_theory_matches_simulation():
    rng = np.random.default_rng(7)
    p, n, noise = 4, 20, 0.5
    gaps = []
    for _ in range(4000):
        X = rng.standard_normal((n, p))
        y = np.sqrt(noise) * rng.standard_normal(n)
        w = np.linalg.lstsq(X, y, rcond=None)[0]
        gaps.append(w @ w)
    assert np.mean(gaps) == pytest.approx(float(pt.ols_excess_theory(p, n, noise)), rel=0.05)
    with pytest.raises(ValueError):
        pt.ols_excess_theory(p, p + 1, noise)


def test_sweeps_have_the_documented_shapes_and_nest_their_samples(model):
    out = pt.label_sweep(model, [5, 10], [20, 40, 60], 2, np.random.default_rng(8), [1e-3, 1.0])
    assert out["pretrained"].shape == (3, 2, 2)
    assert out["least_squares"].shape == out["ridge"].shape == (2, 2)
    assert np.all(out["ridge"] >= 0) and np.all(out["pretrained"] >= 0)
    again = pt.label_sweep(model, [5, 10], [20, 40, 60], 2, np.random.default_rng(8), [1e-3, 1.0])
    np.testing.assert_array_equal(out["pretrained"], again["pretrained"])
    um = pt.unlabeled_sweep(model, [20, 200], 3, np.random.default_rng(9))
    assert um.shape == (2, 3) and np.all(um >= 0)
