import numpy as np
import pytest

from overparam_utils.fits import bootstrap_crossover, crossings, crossover, loglog_fit, loglog_slope


def test_exact_power_laws_are_recovered_along_any_axis():
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    exponents = np.array([[-1.0, 0.5], [2.0, -0.25], [0.0, 1.5]])  # (3, 2) independent fits
    y = 3.0 * x[None, None, :] ** exponents[..., None]  # (3, 2, 5)
    slope, intercept = loglog_fit(x, y)
    assert slope == pytest.approx(exponents, abs=1e-12) and np.exp(intercept) == pytest.approx(3.0)
    assert loglog_slope(x, np.moveaxis(y, -1, 0), axis=0) == pytest.approx(exponents, abs=1e-12)
    assert isinstance(loglog_slope(x, 2 * x**-0.75), float) and loglog_slope(x, 2 * x**-0.75) == pytest.approx(-0.75)


def test_the_numbers_are_those_of_polyfit():
    rng = np.random.default_rng(0)
    x = np.geomspace(1, 100, 7)
    y = np.exp(rng.standard_normal((4, 7)))
    for row in y:
        assert loglog_fit(x, row) == tuple(np.polyfit(np.log(x), np.log(row), 1))


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="positive"):
        loglog_slope([1, 2], [1, -1])
    with pytest.raises(ValueError, match="k >= 2"):
        loglog_slope([1], [1])
    with pytest.raises(ValueError, match="along axis"):
        loglog_slope([1, 2, 3], np.ones((2, 4)))


def power_laws(x):
    """a = x**-0.5 and b = 2 x**-0.8 cross where x**0.3 = 2, i.e. at x = 2**(1/0.3)."""
    return x**-0.5, 2 * x**-0.8


TRUE_CROSS = 2 ** (1 / 0.3)


def test_two_power_laws_cross_exactly_where_they_should():
    x = np.geomspace(1, 1000, 13)  # the crossing falls between grid points
    a, b = power_laws(x)
    found = crossings(x, a, b)
    np.testing.assert_allclose(found, [TRUE_CROSS], rtol=1e-12)
    assert crossover(x, a, b) == pytest.approx(TRUE_CROSS, rel=1e-12)
    assert crossover(x, b, a) == pytest.approx(TRUE_CROSS, rel=1e-12)


def test_linear_interpolation_on_linear_axes():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    a = np.array([0.0, 0.2, 0.6, 0.9])
    found = crossings(x, a, np.full(4, 0.5), log_x=False, log_y=False)
    np.testing.assert_allclose(found, [1.75])


def test_no_crossing_several_crossings_and_touching():
    x = np.geomspace(1, 100, 9)
    assert crossings(x, x, 2 * x).size == 0
    assert np.isnan(crossover(x, x, 2 * x))
    wiggle = np.where(np.arange(9) % 2 == 0, 1.0, 3.0)
    assert crossings(x, wiggle, np.full(9, 2.0)).size == 8
    assert np.isnan(crossover(x, wiggle, np.full(9, 2.0)))
    touch = np.array([3.0, 2.0, 1.0])
    np.testing.assert_allclose(crossings(np.array([1.0, 2.0, 3.0]), touch, np.full(3, 2.0)), [2.0])


def test_bad_inputs():
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="increasing"):
        crossings(x[::-1], x, x)
    with pytest.raises(ValueError, match="positive"):
        crossings(x, x - 2, x)
    with pytest.raises(ValueError, match="same length"):
        crossings(x, x[:2], x)


def test_bootstrap_over_noisy_seeds_brackets_the_true_crossing():
    rng = np.random.default_rng(0)
    x = np.geomspace(1, 1000, 16)
    a, b = power_laws(x)
    noise = lambda: np.exp(0.05 * rng.standard_normal((12, x.size)))  # noqa: E731
    A, B = a * noise(), b * noise()
    estimate, samples = bootstrap_crossover(x, A, B, n_boot=300, seed=1)
    assert samples.shape == (300,)
    assert estimate == pytest.approx(TRUE_CROSS, rel=0.15)
    finite = samples[np.isfinite(samples)]
    assert finite.size > 250
    lo, hi = np.quantile(finite, [0.025, 0.975])
    assert lo < TRUE_CROSS < hi
    assert hi / lo < 2  # twelve seeds pin it down
    with pytest.raises(ValueError, match="n_draws"):
        bootstrap_crossover(x, A[0], B[0])
