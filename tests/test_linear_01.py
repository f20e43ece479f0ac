"""The frozen-subspace cost of chapter 01 (Advani & Saxe), as algebra of LeastSquaresPath and LinearTeacher.

Chapter 01 used to assert the slope of the converged test error in sigma_0^2 as a claim check; it follows
from the least-squares path, so it is tested here instead.
"""

import numpy as np
import pytest

from overparam_utils.data import LinearTeacher
from overparam_utils.linear import LeastSquaresPath


def draw(n_train, dim, seed=0):
    rng = np.random.default_rng(seed)
    teacher = LinearTeacher.draw(dim, 4.0, rng)
    X, y = teacher.sample(n_train, rng)
    return teacher, X, y, rng


def frozen_projection(X, w0):
    """The part of w0 in the null space of X."""
    return w0 - np.linalg.pinv(X) @ X @ w0


def test_converged_error_adds_the_frozen_part_of_the_initial_weights():
    teacher, X, y, rng = draw(30, 90)
    w0 = rng.normal(0.0, 1.5 / np.sqrt(90), size=90)
    e0 = teacher.test_error(LeastSquaresPath.fit(X, y).weights_limit())
    e1 = teacher.test_error(LeastSquaresPath.fit(X, y, w0).weights_limit())
    frozen = frozen_projection(X, w0)
    expected = frozen @ frozen - 2 * teacher.w_teacher @ frozen
    assert e1 - e0 == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("sigma0", [0.5, 2.0])
def test_mean_cost_is_the_frozen_fraction_times_the_initial_variance(sigma0):
    n_train, dim = 40, 120
    teacher, X, y, rng = draw(n_train, dim, seed=1)
    e0 = teacher.test_error(LeastSquaresPath.fit(X, y).weights_limit())
    costs = [
        teacher.test_error(LeastSquaresPath.fit(X, y, rng.normal(0.0, sigma0 / np.sqrt(dim), dim)).weights_limit()) - e0
        for _ in range(400)
    ]
    theory = (1 - n_train / dim) * sigma0**2
    assert np.mean(costs) == pytest.approx(theory, rel=0.08)


def test_no_frozen_subspace_below_the_interpolation_threshold():
    teacher, X, y, rng = draw(60, 20)
    w0 = rng.normal(0.0, 3.0 / np.sqrt(20), size=20)
    e0 = teacher.test_error(LeastSquaresPath.fit(X, y).weights_limit())
    e1 = teacher.test_error(LeastSquaresPath.fit(X, y, w0).weights_limit())
    assert e1 == pytest.approx(e0, abs=1e-10)
