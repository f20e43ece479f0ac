"""Reference tests of the hallucination helpers (chapter 26)."""

import numpy as np
import pytest

from overparam_utils import hallucination as hl

MEANS, SD = np.array([1.0, 2.0, 3.0]), 0.05


def test_mixture_draws_have_the_components_moments():
    x = hl.mixture_draws(MEANS, SD, [0.2, 0.3, 0.5], 200_000, np.random.default_rng(0))
    assert x.shape == (200_000, 1)
    assert x.mean() == pytest.approx(0.2 * 1 + 0.3 * 2 + 0.5 * 3, abs=0.01)
    near_three = x[np.abs(x[:, 0] - 3) < 0.5, 0]
    assert len(near_three) / len(x) == pytest.approx(0.5, abs=0.01)
    assert near_three.std() == pytest.approx(SD, rel=0.02)


def test_off_support_and_between_modes():
    x = np.array([1.0, 1.19, 1.21, 1.5, 2.79, 3.5, 0.5])
    np.testing.assert_array_equal(hl.off_support(x, MEANS, SD), [0, 0, 1, 1, 1, 1, 1])
    np.testing.assert_array_equal(hl.between_modes(x, MEANS, SD), [0, 0, 1, 1, 1, 0, 0])
    np.testing.assert_allclose(hl.nearest_mode_distance(x, MEANS), [0, 0.19, 0.21, 0.5, 0.21, 0.5, 0.5])


def test_mass_between_modes_matches_monte_carlo_and_is_zero_for_touching_modes():
    sd = 0.2  # wide enough that the gaps hold measurable mass
    x = hl.mixture_draws(MEANS, sd, np.ones(3) / 3, 2_000_000, np.random.default_rng(1))
    mc = hl.between_modes(x, MEANS, sd, k=2.0).mean()
    assert hl.mass_between_modes(MEANS, sd, np.ones(3) / 3, k=2.0) == pytest.approx(mc, rel=0.02)
    assert hl.mass_between_modes(MEANS, 0.3, np.ones(3) / 3, k=4.0) == 0.0


def test_predicted_x0_of_a_linear_eps_is_the_formula():
    from overparam_utils.diffusion import linear_schedule

    pytest.importorskip("torch")
    S = linear_schedule(50)

    def eps_fn(x, t):  # eps = 0.5 x
        return 0.5 * x

    x = np.array([0.3, -1.2])
    t = 17
    ab = S.alpha_bar[t]
    want = (x - np.sqrt(1 - ab) * 0.5 * x) / np.sqrt(ab)
    np.testing.assert_allclose(hl.predicted_x0(eps_fn, x, t, S), want, rtol=1e-6)


def test_ramp_width_of_a_step_and_of_a_line():
    grid = np.linspace(0.0, 1.0, 1001)
    assert hl.ramp_width(grid, np.where(grid < 0.5, 0.0, 1.0), 0.25, 0.75) == 0.0
    assert hl.ramp_width(grid, grid, 0.25, 0.75) == pytest.approx(0.5, abs=0.002)
    assert hl.ramp_width(grid, 2 * grid - 0.5, 0.25, 0.75) == pytest.approx(0.25, abs=0.002)


def test_trajectory_variance_reads_steps_counted_from_the_end():
    T, n = 10, 3
    path = np.zeros((T, n))
    path[T - 1 - 2] = [1.0, 0.0, 5.0]  # step t = 2
    v = hl.trajectory_variance(path, (2, 4))  # t = 2 and 3
    np.testing.assert_allclose(v, np.var([[1.0, 0.0, 5.0], [0, 0, 0]], axis=0))
    assert np.all(hl.trajectory_variance(path, (4, 10)) == 0)
    with pytest.raises(ValueError):
        hl.trajectory_variance(path, (3, 11))


def test_removed_fraction_and_auroc_against_brute_force():
    rng = np.random.default_rng(2)
    flagged = rng.random(500) < 0.2
    score = rng.standard_normal(500) + 1.5 * flagged
    score[:10] = np.round(score[:10])  # some ties
    pos, neg = score[flagged], score[~flagged]
    brute = np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))
    assert hl.auroc(score, flagged) == pytest.approx(brute)
    cut = np.quantile(neg, 0.95)
    assert hl.keep_threshold(neg, 0.95) == cut
    assert hl.removed_fraction(score, flagged, 0.95) == pytest.approx(np.mean(pos > cut))
    fpr, tpr = hl.roc_curve(score, flagged)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.trapezoid(tpr, fpr) == pytest.approx(brute, abs=1e-9)
    assert np.isnan(hl.auroc(score, np.zeros(500, bool)))
