"""Synthetic data generators with a known ground truth (no downloads, ever; DESIGN.md, section 8)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class LinearTeacher:
    """A noisy linear teacher ``y = X @ w_teacher + noise`` with ``X`` i.i.d. standard normal.

    ``w_teacher`` has i.i.d. ``N(0, 1/dim)`` entries, so the clean output has variance about 1 and the
    signal-to-noise ratio is ``snr = 1 / noise_std**2``. The test error of a student ``w`` is known in
    closed form: :meth:`test_error`. Used in chapter 01 (Advani & Saxe's student-teacher setting).
    """

    w_teacher: NDArray[np.float64]
    noise_std: float

    @classmethod
    def draw(cls, dim: int, snr: float, rng: np.random.Generator) -> LinearTeacher:
        if snr <= 0:
            raise ValueError(f"snr={snr} must be positive")
        return cls(w_teacher=rng.normal(0.0, 1.0 / np.sqrt(dim), size=dim), noise_std=float(1.0 / np.sqrt(snr)))

    @property
    def dim(self) -> int:
        return int(self.w_teacher.size)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``n`` examples: ``X (n, dim)`` standard normal and noisy targets ``y (n,)``."""
        X = rng.standard_normal((n, self.dim))
        y = X @ self.w_teacher + self.noise_std * rng.standard_normal(n)
        return X, y

    def test_error(self, W: NDArray[np.float64]) -> NDArray[np.float64]:
        """Expected squared error on a fresh noisy example, ``||w - w_teacher||^2 + noise_std^2``, for
        each row of ``W (..., dim)``."""
        return np.sum((np.asarray(W) - self.w_teacher) ** 2, axis=-1) + self.noise_std**2


def tanh_single_index(
    n: int, dim: int, noise_std: float, rng: np.random.Generator, direction: NDArray[np.float64] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Regression data ``y = tanh(2 x.u) + noise_std * eps`` with ``x ~ N(0, I_dim)`` and ``u ~ N(0, I/dim)``.

    Returns ``X (n, dim)``, ``y (n,)`` and the direction ``u`` (pass it back to draw test data from the
    same task). A non-linear target that a random-feature model can fit but not exactly (chapter 02).
    """
    u = rng.normal(0.0, 1.0 / np.sqrt(dim), size=dim) if direction is None else direction
    X = rng.standard_normal((n, dim))
    y = np.tanh(2.0 * X @ u) + noise_std * rng.standard_normal(n)
    return X, y, u
