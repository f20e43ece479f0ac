"""Synthetic data generators with a known ground truth (no downloads, ever), and the bundled datasets.

* :class:`LinearTeacher`, :func:`tanh_single_index`: teachers for regression (chapters 01, 02);
* :func:`gaussian_mixture`, :func:`sample_mixture`: Gaussian clusters, one class each (chapter 09);
* :func:`sphere_points`, :class:`SphereEmbedding`: inputs on a curved ``d``-dimensional manifold (chapter 04);
* :func:`load_digits`, :func:`digits_split`, :func:`mnist1d_split`: scikit-learn's digits and MNIST-1D's
  procedural generator; :func:`flip_labels`: label noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


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


Split = tuple[NDArray[np.float32], NDArray[np.int64], NDArray[np.float32], NDArray[np.int64]]


def load_digits() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """scikit-learn's bundled digits as ``X (1797, 64)`` float64 and ``y (1797,)``, as
    ``sklearn.datasets.load_digits(return_X_y=True)`` returns them.

    Reads the CSV that ships inside scikit-learn directly (20 ms) instead of importing
    ``sklearn.datasets`` (about 0.8 s, paid by every chapter's kernel); falls back to the import if
    the file is not where scikit-learn 1.x keeps it. ``tests/test_spectra_data_features.py`` checks
    that both agree.
    """
    import gzip
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")
    roots = spec.submodule_search_locations if spec is not None else None
    path = Path(roots[0]) / "datasets" / "data" / "digits.csv.gz" if roots else None
    if path is None or not path.is_file():
        from sklearn.datasets import load_digits as sklearn_load_digits

        X, y = sklearn_load_digits(return_X_y=True)
        return X, y.astype(np.int64)
    with gzip.open(path, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    return data[:, :-1], data[:, -1].astype(np.int64)


def digits_split(n_train: int | None = None, n_test: int | None = None, seed: int = 0) -> Split:
    """scikit-learn's bundled 8x8 digits (1797 images, 10 classes), split at random and standardised.

    Returns ``X_train (n_train, 64)``, ``y_train (n_train,)``, ``X_test (n_test, 64)``, ``y_test``; features
    are centred and scaled with the training set's statistics (pixels that are constant get scale 1).
    By default 1297 training and 500 test images. No download: the data ships with scikit-learn.
    For the chapters that train small classifiers (Parts II-IV).
    """
    X, y = load_digits()
    n_test = 500 if n_test is None else n_test
    n_train = len(y) - n_test if n_train is None else n_train
    if n_train + n_test > len(y):
        raise ValueError(f"n_train + n_test = {n_train + n_test} exceeds the {len(y)} digits")
    order = np.random.default_rng(seed).permutation(len(y))
    train, test = order[:n_train], order[n_train : n_train + n_test]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    std = np.where(std > 0, std, 1.0)
    scale = lambda A: ((A - mean) / std).astype(np.float32)  # noqa: E731
    return scale(X[train]), y[train].astype(np.int64), scale(X[test]), y[test].astype(np.int64)


def mnist1d_split(n_train: int = 4000, n_test: int = 1000, seed: int = 0) -> Split:
    """The MNIST-1D benchmark made procedurally by ``mnist1d.data.make_dataset`` (never downloaded).

    Returns ``X_train (n_train, 40)``, ``y_train``, ``X_test (n_test, 40)``, ``y_test`` (10 classes, as
    float32 / int64). ``seed`` seeds the generator; NumPy's and Python's global random states, which the
    generator overwrites, are restored afterwards. About 2 s for the default 5000 examples.
    """
    import random

    from mnist1d.data import get_dataset_args, make_dataset

    total = n_train + n_test
    if total % 10:
        raise ValueError("n_train + n_test must be a multiple of 10 (the generator makes equal classes)")
    args = get_dataset_args()
    args.num_samples, args.train_split, args.seed = total, n_train / total, seed
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    f32, i64 = np.float32, np.int64
    return data["x"].astype(f32), data["y"].astype(i64), data["x_test"].astype(f32), data["y_test"].astype(i64)


def flip_labels(
    y: NDArray[np.int64], fraction: float, n_classes: int, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Replace exactly ``round(fraction * len(y))`` labels, chosen at random, by a different class.

    The new class is uniform over the other ``n_classes - 1`` classes. Returns the noisy labels and a
    boolean mask of the flipped examples. For the label-noise chapters (memorization, coherent
    gradients, data pruning, noisy labels).
    """
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction={fraction} must lie in [0, 1]")
    y = np.asarray(y)
    n_flip = int(round(fraction * len(y)))
    flipped = np.zeros(len(y), dtype=bool)
    flipped[rng.choice(len(y), size=n_flip, replace=False)] = True
    noisy = y.copy()
    shift = rng.integers(1, n_classes, size=n_flip)
    noisy[flipped] = (y[flipped] + shift) % n_classes
    return noisy.astype(np.int64), flipped


def gaussian_mixture(
    n_per_cluster: int, n_clusters: int, dim: int, separation: float, rng: np.random.Generator
) -> tuple[NDArray[np.float32], NDArray[np.int64], NDArray[np.float64]]:
    """``n_clusters`` Gaussian clusters in ``dim`` dimensions, cluster ``c`` labelled ``c``.

    Cluster means point in random directions with norm ``separation``; each point is its mean plus
    standard normal noise, so a smaller ``separation`` means more overlapping, less separable classes.
    Returns ``X (n_per_cluster * n_clusters, dim)`` (float32), ``y`` (int64) and the means ``(n_clusters, dim)``.
    Draw a test set from the same clusters with :func:`sample_mixture`. Chapter 09.
    """
    means = rng.standard_normal((n_clusters, dim))
    means *= separation / np.linalg.norm(means, axis=1, keepdims=True)
    X, y = sample_mixture(means, n_per_cluster, rng)
    return X, y, means


def sample_mixture(
    means: ArrayLike, n_per_cluster: int, rng: np.random.Generator
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """``n_per_cluster`` points around each row of ``means (k, dim)`` with unit noise, labelled by cluster."""
    means = np.asarray(means, dtype=np.float64)
    y = np.repeat(np.arange(len(means)), n_per_cluster)
    X = means[y] + rng.standard_normal((len(y), means.shape[1]))
    return X.astype(np.float32), y.astype(np.int64)


def sphere_points(n: int, d: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``(n, d + 1)`` points drawn uniformly from the unit ``d``-sphere ``S^d`` in ``R^(d+1)``."""
    u = rng.standard_normal((n, d + 1))
    return u / np.linalg.norm(u, axis=1, keepdims=True)


@dataclass(frozen=True)
class SphereEmbedding:
    """A random smooth map of the ``d``-sphere into the unit sphere of ``R^ambient``: ``x = c / |c|``,
    ``c = cos(Omega u + phase)`` (``Omega`` Gaussian with standard deviation ``scale``, ``phase`` uniform).

    The image is a curved ``d``-dimensional manifold whose shape changes with ``ambient``: a kernel on ``x`` is not
    a kernel on ``u`` in disguise. Draw one with :meth:`draw`, points on it with :meth:`sample`.
    """

    omega: NDArray[np.float64]  # (ambient, d + 1)
    phase: NDArray[np.float64]  # (ambient,)

    @classmethod
    def draw(cls, d: int, ambient: int, scale: float, rng: np.random.Generator) -> SphereEmbedding:
        if d < 1 or ambient < 2 * d + 1:
            raise ValueError(f"need d >= 1 and ambient >= 2 d + 1 for an embedding; got d={d}, ambient={ambient}")
        return cls(rng.standard_normal((ambient, d + 1)) * scale, rng.uniform(0.0, 2 * np.pi, ambient))

    @property
    def d(self) -> int:
        return self.omega.shape[1] - 1

    def __call__(self, u: ArrayLike) -> NDArray[np.float64]:
        """Map ``(n, d + 1)`` points of ``S^d`` to ``(n, ambient)`` unit vectors."""
        c = np.cos(np.asarray(u, dtype=np.float64) @ self.omega.T + self.phase)
        return c / np.linalg.norm(c, axis=1, keepdims=True)

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """``(n, ambient)`` points: uniform points of ``S^d`` pushed through the map."""
        return self(sphere_points(n, self.d, rng))
