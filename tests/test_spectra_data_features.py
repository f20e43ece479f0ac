import numpy as np
import pytest
from scipy.integrate import quad

from overparam_utils.data import LinearTeacher, tanh_single_index
from overparam_utils.features import relu_features, standardize_columns
from overparam_utils.spectra import condition_number, marchenko_pastur_pdf


@pytest.mark.parametrize("ratio", [0.25, 0.5, 2.0, 4.0])
def test_marchenko_pastur_mass_is_the_non_zero_fraction(ratio):
    lo, hi = (1 - np.sqrt(ratio)) ** 2, (1 + np.sqrt(ratio)) ** 2
    mass, _ = quad(lambda x: marchenko_pastur_pdf(np.array([x]), ratio)[0], lo, hi, limit=200)
    assert mass == pytest.approx(min(1.0, 1.0 / ratio), rel=1e-3)


def test_marchenko_pastur_matches_a_large_sample_histogram():
    rng = np.random.default_rng(0)
    n, p = 4000, 1000
    Z = rng.standard_normal((n, p))
    eig = np.linalg.eigvalsh(Z.T @ Z / n)
    hist, edges = np.histogram(eig, bins=20, density=True)
    centres = (edges[:-1] + edges[1:]) / 2
    np.testing.assert_allclose(hist, marchenko_pastur_pdf(centres, p / n), atol=0.08)


def test_condition_number_matches_numpy_for_full_rank_and_ignores_exact_zeros():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 20))
    assert condition_number(X) == pytest.approx(np.linalg.cond(X) ** 2)
    wide = rng.standard_normal((10, 30))  # X^T X has 20 exact zeros
    s = np.linalg.svd(wide, compute_uv=False)
    assert condition_number(wide) == pytest.approx((s[0] / s[-1]) ** 2)


def test_linear_teacher_test_error_matches_monte_carlo():
    rng = np.random.default_rng(2)
    teacher = LinearTeacher.draw(dim=8, snr=4.0, rng=rng)
    w = rng.standard_normal(8) * 0.3
    X, y = teacher.sample(200_000, rng)
    assert teacher.test_error(w) == pytest.approx(np.mean((y - X @ w) ** 2), rel=0.02)
    assert teacher.noise_std == pytest.approx(0.5)
    with pytest.raises(ValueError, match="snr"):
        LinearTeacher.draw(3, 0.0, rng)


def test_tanh_single_index_reuses_the_direction_for_test_data():
    rng = np.random.default_rng(3)
    X, y, u = tanh_single_index(50, 5, 0.0, rng)
    X2, y2, u2 = tanh_single_index(20, 5, 0.0, rng, u)
    assert u2 is u
    np.testing.assert_allclose(y2, np.tanh(2 * X2 @ u))
    assert X.shape == (50, 5) and y.shape == (50,)


def test_relu_features_are_nested_and_unit_scale():
    rng = np.random.default_rng(4)
    X, W = rng.standard_normal((2000, 400)), rng.standard_normal((400, 30))
    F = relu_features(X, W)
    np.testing.assert_allclose(relu_features(X, W[:, :7]), F[:, :7])
    assert F.min() >= 0
    assert np.mean(F**2) == pytest.approx(0.5, rel=0.1)  # E[relu(z)^2] = 1/2 for z ~ N(0, 1)


def test_standardize_columns_uses_training_statistics():
    rng = np.random.default_rng(5)
    F, G = rng.uniform(1, 3, (100, 4)), rng.uniform(1, 3, (10, 4))
    Fs, mean, std = standardize_columns(F)
    np.testing.assert_allclose(Fs.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(Fs.std(0), 1)
    Gs, _, _ = standardize_columns(G, mean, std)
    np.testing.assert_allclose(Gs, (G - mean) / std)
    const = np.ones((5, 2))
    assert np.all(np.isfinite(standardize_columns(const)[0]))


def test_load_digits_reads_exactly_what_sklearn_loads_without_importing_it():
    import subprocess
    import sys

    from sklearn.datasets import load_digits as sklearn_load_digits

    from overparam_utils.data import load_digits

    X, y = load_digits()
    X_ref, y_ref = sklearn_load_digits(return_X_y=True)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert X.dtype == np.float64 and y.dtype == np.int64
    # the point of the helper: a chapter's kernel does not pay for importing scikit-learn
    code = "import sys; from overparam_utils.data import load_digits; load_digits(); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_digits_split_is_standardised_disjoint_and_seeded():
    from overparam_utils.data import digits_split

    X, y, Xt, yt = digits_split(n_train=1000, n_test=300, seed=1)
    assert X.shape == (1000, 64) and Xt.shape == (300, 64) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X.mean(0), 0, atol=1e-5)
    assert set(np.unique(y)) == set(range(10))
    X2, *_ = digits_split(n_train=1000, n_test=300, seed=1)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, digits_split(n_train=1000, n_test=300, seed=2)[0])
    with pytest.raises(ValueError, match="exceeds"):
        digits_split(n_train=1700, n_test=200)


def test_mnist1d_split_is_procedural_seeded_and_restores_global_state():
    from overparam_utils.data import mnist1d_split

    np.random.seed(123)
    expected_next = np.random.rand()
    np.random.seed(123)
    X, y, Xt, yt = mnist1d_split(n_train=400, n_test=100, seed=3)
    assert np.random.rand() == expected_next
    assert X.shape == (400, 40) and Xt.shape == (100, 40) and set(np.unique(y)) <= set(range(10))
    np.testing.assert_array_equal(X, mnist1d_split(n_train=400, n_test=100, seed=3)[0])
    with pytest.raises(ValueError, match="multiple of 10"):
        mnist1d_split(n_train=401, n_test=100)


def test_flip_labels_flips_exactly_the_fraction_to_other_classes():
    from overparam_utils.data import flip_labels

    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, size=1000)
    noisy, flipped = flip_labels(y, 0.2, 10, rng)
    assert flipped.sum() == 200
    assert np.all(noisy[flipped] != y[flipped]) and np.all(noisy[~flipped] == y[~flipped])
    assert set(np.unique(noisy)) <= set(range(10))
    assert flip_labels(y, 0.0, 10, rng)[1].sum() == 0
    with pytest.raises(ValueError):
        flip_labels(y, 1.5, 10, rng)
