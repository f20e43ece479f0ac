"""Data-pruning scores: EL2N and GraNd (Paul, Ganguli & Dziugaite, 2021), and score-based subsets.

Both scores say how much an example still "pulls" on a network early in training:

- **EL2N** is the L2 distance between the predicted class probabilities and the one-hot label,
  ``|softmax(f(x)) - e_y|``;
- **GraNd** is the norm of the example's loss gradient with respect to all weights, ``|grad_w
  loss(f(x), y)|`` (per-example gradients from :mod:`overparam_utils.pergrad`).

The paper averages each score over several independently initialised networks. High scores mark
hard (or mislabelled) examples, low scores easy ones. :func:`last_layer_grand` is the closed form
of the last layer's share of GraNd (EL2N times a feature norm, why the two scores agree early in
training), :func:`keep_subset` the pruned subsets and :func:`paired_t` the paired comparison of two
pruning rules over draws. Used by chapter 18 (data diet).
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
    y = torch.as_tensor(y, dtype=torch.int64, device=logits.device)
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

    where = next(iter(params.values())).device
    X, y = torch.as_tensor(X, device=where), torch.as_tensor(y, device=where)
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


def last_layer_grand(logits: Any, features: Any, y: Any) -> Any:
    """The part of GraNd that comes from the last linear layer, in closed form.

    For logits ``z = W h + b`` and the cross-entropy, the gradient with respect to ``W`` is ``(p - e_y)
    h^T`` and with respect to ``b`` is ``p - e_y``, so its norm is ``EL2N * sqrt(|h|^2 + 1)``: early in
    training, when the last layer carries much of the gradient, GraNd ranks examples like EL2N by
    construction (chapter 18). ``logits (..., n, n_classes)``, the last hidden layer's outputs
    ``features (..., n, width)`` and labels ``y (..., n)``; returns ``(..., n)`` as a torch tensor.
    """
    import torch

    h = torch.as_tensor(features)
    return el2n(logits, y) * torch.sqrt(h.pow(2).sum(dim=-1) + 1)


def paired_t(a: ArrayLike, b: ArrayLike) -> float:
    """Mean of the paired differences ``a - b`` over its standard error (``sd / sqrt(n)``, ``ddof=1``).

    ``a`` and ``b`` are ``(n,)`` results of two arms on the same ``n`` draws (e.g. test accuracies of
    score-based and random pruning, draw by draw): how many standard errors the mean gain lies above
    zero, the paired t statistic. Needs ``n >= 2``; ``inf`` (signed) if all differences are equal and
    non-zero, ``nan`` if they are all zero. Chapter 18.
    """
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if d.ndim != 1 or len(d) < 2:
        raise ValueError("need two 1-D arrays of at least 2 paired draws")
    se = d.std(ddof=1) / np.sqrt(len(d))
    if se == 0:
        return float(np.sign(d.mean()) * np.inf) if d.mean() else float("nan")
    return float(d.mean() / se)
