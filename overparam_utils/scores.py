"""Data-pruning scores: EL2N and GraNd (Paul, Ganguli & Dziugaite, 2021), and score-based subsets.

Both scores say how much an example still "pulls" on a network early in training:

- **EL2N** is the L2 distance between the predicted class probabilities and the one-hot label,
  ``|softmax(f(x)) - e_y|``;
- **GraNd** is the norm of the example's loss gradient with respect to all weights, ``|grad_w
  loss(f(x), y)|`` (per-example gradients from :mod:`overparam_utils.pergrad`).

The paper averages each score over several independently initialised networks. High scores mark
hard (or mislabelled) examples, low scores easy ones. Used by chapter 18 (data diet).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .pergrad import flatten_grads, per_example_grads


def el2n(logits: Any, y: Any) -> Any:
    """EL2N scores ``|softmax(logits) - onehot(y)|_2`` of every example.

    ``logits (..., n, n_classes)`` and integer labels ``y (..., n)`` (torch tensors or arrays);
    returns ``(..., n)`` as a torch tensor. Values lie in ``[0, sqrt(2)]``.
    """
    import torch

    logits = torch.as_tensor(logits)
    y = torch.as_tensor(y, dtype=torch.int64)
    probs = torch.softmax(logits, dim=-1)
    onehot = torch.nn.functional.one_hot(y, probs.shape[-1]).to(probs.dtype)
    return (probs - onehot).norm(dim=-1)


def grand(base: Any, params: dict[str, Any], X: Any, y: Any, chunk: int = 256) -> Any:
    """GraNd scores: the norm of each example's cross-entropy gradient, for each stacked model.

    ``params`` are stacked ``(M, ...)`` (see :func:`overparam_utils.pergrad.stack_models`), ``X (n,
    d)`` shared by all models and ``y (M, n)`` labels. Works in chunks of examples, so memory is
    ``M * chunk * n_params``. Returns ``(M, n)``.
    """
    import torch

    X, y = torch.as_tensor(X), torch.as_tensor(y)
    parts = []
    for start in range(0, X.shape[0], chunk):
        grads = per_example_grads(base, params, X[start : start + chunk], y[:, start : start + chunk])
        parts.append(flatten_grads(grads, 2).norm(dim=-1))
    return torch.cat(parts, dim=1)


def keep_subset(
    scores: ArrayLike, fraction: float, keep: str, rng: np.random.Generator | None = None
) -> NDArray[np.int64]:
    """Indices of the ``round(fraction * n)`` examples to train on after pruning by ``scores (n,)``.

    ``keep="hardest"`` keeps the highest scores (the paper's rule: prune the easy examples),
    ``"easiest"`` the lowest, ``"random"`` a uniform random subset (needs ``rng``). Returned sorted.
    """
    scores = np.asarray(scores)
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction={fraction} must lie in (0, 1]")
    n_keep = max(1, int(round(fraction * len(scores))))
    if keep == "random":
        if rng is None:
            raise ValueError("keep='random' needs an rng")
        chosen = rng.choice(len(scores), size=n_keep, replace=False)
    elif keep in ("hardest", "easiest"):
        order = np.argsort(scores, kind="stable")
        chosen = order[-n_keep:] if keep == "hardest" else order[:n_keep]
    else:
        raise ValueError(f"keep={keep!r}; choose 'hardest', 'easiest' or 'random'")
    return np.sort(chosen).astype(np.int64)
