import numpy as np
import pytest

from overparam_utils.fits import loglog_fit, loglog_slope


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
