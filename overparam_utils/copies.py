"""Are generated samples copies of the training set, and how close is their distribution to held-out data
(chapter 27)?

- :func:`nearest_two`: each sample's distances to its nearest and second-nearest training example;
- :func:`copy_fraction`: the share of samples that are near-copies by the ratio test (the nearest
  training example much closer than the second nearest: the simplest relative distance in the spirit
  of the extraction attacks on diffusion models of Carlini et al., 2023);
- :func:`frechet_distance`: the Fréchet distance between two Gaussian fits (means and covariances), the
  statistic behind FID, here computed on raw pixels;
- :func:`subset_mask`: which tensors of a :class:`overparam_utils.diffusion.Denoiser` a fine-tuning run
  may change (all, the biases, the input or the output layer), and their share of the total.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def nearest_two(samples: ArrayLike, train: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Euclidean distances of each row of ``samples (n, d)`` to its nearest and second-nearest row of
    ``train (m, d)`` (``m >= 2``), as two ``(n,)`` arrays."""
    S, X = np.asarray(samples, dtype=np.float64), np.asarray(train, dtype=np.float64)
    if len(X) < 2:
        raise ValueError("the ratio test needs at least two training examples")
    d2 = (S**2).sum(1)[:, None] + (X**2).sum(1)[None, :] - 2.0 * S @ X.T
    d = np.sqrt(np.clip(d2, 0.0, None))
    part = np.partition(d, 1, axis=1)
    return part[:, 0], part[:, 1]


def copy_fraction(samples: ArrayLike, train: ArrayLike, ratio: float = 1 / 3) -> float:
    """The share of ``samples`` whose nearest training example is closer than ``ratio`` times the
    second nearest: near-copies of one training example rather than blends or new images."""
    d1, d2 = nearest_two(samples, train)
    return float(np.mean(d1 < ratio * d2))


def _sqrtm_psd(A: NDArray[np.float64]) -> NDArray[np.float64]:
    w, V = np.linalg.eigh((A + A.T) / 2)
    return (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T


def frechet_distance(A: ArrayLike, B: ArrayLike) -> float:
    """The Fréchet (2-Wasserstein) distance between Gaussians fitted to the rows of ``A`` and ``B``:
    ``sqrt(|mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2))``. FID is its square on
    Inception features; here it is the distance itself, on whatever features are given."""
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    mu_a, mu_b = A.mean(0), B.mean(0)
    Ca, Cb = np.atleast_2d(np.cov(A, rowvar=False)), np.atleast_2d(np.cov(B, rowvar=False))
    ra = _sqrtm_psd(Ca)
    cross = _sqrtm_psd(ra @ Cb @ ra)
    value = float(((mu_a - mu_b) ** 2).sum() + np.trace(Ca) + np.trace(Cb) - 2.0 * np.trace(cross))
    return float(np.sqrt(max(value, 0.0)))


def subset_mask(model: Any, subset: str) -> tuple[dict[str, bool], float]:
    """Which parameters of a :class:`overparam_utils.diffusion.Denoiser` a fine-tuning run on ``subset``
    trains, as ``{name: bool}`` over ``model.named_parameters()`` (the mask
    :func:`overparam_utils.diffusion.finetune_stack` takes), and their share of all the parameters.

    ``"full"``: every tensor; ``"biases"``: every bias; ``"input"``: the first layer (which also reads the
    time features); ``"output"``: the last layer; ``"none"``: nothing (the pretrained model as it is)."""
    last = len(model.layers) - 1
    rules = {
        "full": lambda name: True,
        "biases": lambda name: name.endswith(".bias"),
        "input": lambda name: name.startswith("layers.0."),
        "output": lambda name: name.startswith(f"layers.{last}."),
        "none": lambda name: False,
    }
    if subset not in rules:
        raise ValueError(f"subset must be one of {sorted(rules)}, got {subset!r}")
    named = dict(model.named_parameters())
    mask = {name: bool(rules[subset](name)) for name in named}
    total = sum(p.numel() for p in named.values())
    return mask, sum(p.numel() for name, p in named.items() if mask[name]) / total
