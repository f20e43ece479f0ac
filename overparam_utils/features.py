"""Random-feature maps: a two-layer network whose first layer is drawn once and frozen (chapters 01, 02)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def relu_features(X: ArrayLike, W: ArrayLike) -> NDArray[np.float64]:
    """ReLU random features ``max(0, X @ W / sqrt(dim))`` for ``X (n, dim)`` and ``W (dim, width)``.

    With ``W`` i.i.d. standard normal and standard-normal inputs each pre-activation has variance 1.
    Taking the first ``k`` columns of ``W`` gives a nested sequence of models of growing width.
    """
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return np.maximum(X @ W / np.sqrt(X.shape[1]), 0.0)


def standardize_columns(
    F: ArrayLike, mean: ArrayLike | None = None, std: ArrayLike | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Centre and scale each column of ``F (n, width)`` to mean 0 and standard deviation 1.

    The statistics come from ``F`` itself unless ``mean`` and ``std`` are given (apply the training
    set's statistics to test features). Returns ``(F_standardized, mean, std)``. Chapter 02 uses it as
    the "feature normalisation" that improves the conditioning of gradient descent.
    """
    F = np.asarray(F, dtype=np.float64)
    mean = F.mean(axis=0) if mean is None else np.asarray(mean)
    std = F.std(axis=0) if std is None else np.asarray(std)
    std = np.where(std > 0, std, 1.0)
    return (F - mean) / std, mean, std
