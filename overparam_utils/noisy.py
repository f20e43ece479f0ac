"""Learning with noisy labels: compressed features (dropout, nested dropout) and co-teaching.

Chapter 19 (Chen et al., *Compressing features for learning with noisy labels*) trains many small
networks at once: ``M`` stacked ReLU MLPs ``x -> h1 -> h2 (features) -> logits`` whose classifier
is a bias-free linear map of the ``width`` features, as in the paper. Each model in the stack has
its own compression of the features during training:

- **dropout** with rate ``p``: every feature of every example is zeroed with probability ``p`` and
  the others are scaled by ``1 / (1 - p)`` (inverted dropout, nothing to undo at test time);
- **nested dropout** with scale ``sigma``: per mini-batch one truncation ``k`` is drawn with
  ``P(k) ~ exp(-(k / sigma)^2)`` for ``k = 1 .. width`` and only the first ``k`` features are
  kept, so the first features learn to carry the most (features become *ordered*); at test time
  the network can be cut to its first ``k`` features (:func:`stacked_predict` with ``k``);
- **co-teaching** (Han et al., 2018): two peer models see the same batch; each one ranks the
  batch by its own loss and hands its small-loss examples to its peer, which trains only on
  them. The kept fraction falls linearly from 1 to ``1 - forget_rate`` over ``ramp_steps``.

Everything is written with batched matrix products (``torch.baddbmm``) over the model axis.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .progress import progress

Params = dict[str, Any]  # name -> torch.Tensor with a leading model axis


def init_stacked_mlp(seeds: Sequence[int], d_in: int, width: int, n_classes: int, device: str = "cpu") -> Params:
    """Parameters of ``len(seeds)`` MLPs ``d_in -> width -> width -> n_classes`` (last layer
    without bias), one per seed, with torch's default ``nn.Linear`` initialisation (uniform in
    ``+-1/sqrt(fan_in)``). Returns ``W1 (M, d_in, width)``, ``b1 (M, 1, width)``, ``W2``, ``b2``
    and ``head (M, width, n_classes)``, float32, on ``device`` (drawn on the CPU, so a seed gives the
    same models on every device).
    """
    import torch

    def uniform(gen: Any, fan_in: int, *shape: int) -> Any:
        bound = 1.0 / np.sqrt(fan_in)
        return (torch.rand(*shape, generator=gen) * 2 - 1) * bound

    parts: dict[str, list[Any]] = {k: [] for k in ("W1", "b1", "W2", "b2", "head")}
    for s in seeds:
        gen = torch.Generator().manual_seed(int(s))
        parts["W1"].append(uniform(gen, d_in, d_in, width))
        parts["b1"].append(uniform(gen, d_in, 1, width))
        parts["W2"].append(uniform(gen, width, width, width))
        parts["b2"].append(uniform(gen, width, 1, width))
        parts["head"].append(uniform(gen, width, width, n_classes))
    return {k: torch.stack(v).to(device) for k, v in parts.items()}


def stacked_features(params: Params, X: Any) -> Any:
    """The ``width`` penultimate ReLU features of every model: ``X`` is ``(n, d)`` (shared) or
    ``(M, n, d)``; returns ``(M, n, width)``."""
    import torch

    X = torch.as_tensor(X, dtype=params["W1"].dtype, device=params["W1"].device)
    if X.dim() == 2:
        X = X.expand(params["W1"].shape[0], *X.shape)
    h = torch.relu(torch.baddbmm(params["b1"], X, params["W1"]))
    return torch.relu(torch.baddbmm(params["b2"], h, params["W2"]))


def stacked_predict(params: Params, X: Any, k: int | None = None) -> Any:
    """Logits ``(M, n, n_classes)`` of every model, using only the first ``k`` features when ``k``
    is given (nested-dropout truncation), else all of them. No dropout (evaluation mode)."""
    import torch

    with torch.no_grad():
        F = stacked_features(params, X)
        if k is not None:
            F = F[..., :k]
            return torch.bmm(F, params["head"][:, :k])
        return torch.bmm(F, params["head"])


def predictions_by_cut(params: Params, X: Any, ks: Sequence[int]) -> Any:
    """Predicted classes of every model cut to its first ``k`` features, for each ``k`` in
    ``ks``: an int64 array ``(len(ks), M, n)``. ``k`` equal to the width is the whole network.
    """
    import torch

    with torch.no_grad():
        F = stacked_features(params, X)
        out = [torch.bmm(F[..., :k], params["head"][:, :k]).argmax(-1) for k in ks]
        return torch.stack(out).cpu().numpy()


def nested_k_probabilities(width: int, sigma: float) -> Any:
    """``P(k) ~ exp(-(k / sigma)^2)`` for ``k = 1 .. width`` (a discretised half-Gaussian), as a
    float64 array of length ``width`` that sums to 1."""
    k = np.arange(1, width + 1, dtype=np.float64)
    p = np.exp(-((k / sigma) ** 2))
    return p / p.sum()


def compression_masks(
    n_models: int,
    batch_size: int,
    width: int,
    drop_p: ArrayLike,
    nested_sigma: ArrayLike,
    generator: Any,
    feature_width: ArrayLike | None = None,
) -> Any:
    """Feature masks ``(M, batch, width)`` for one training step.

    ``drop_p (M,)``: dropout rate per model (0 = none), inverted scaling ``1 / (1 - p)``.
    ``nested_sigma (M,)``: nested-dropout scale per model (0 = none); one ``k`` per model and
    batch (drawn by inverting the cumulative distribution of :func:`nested_k_probabilities`),
    keeping features ``1 .. k``. A model may have both.
    ``feature_width (M,)``: a fixed number of features per model (0 = all): features after it
    are always zeroed, so the model is a plain network with that many features (a bottleneck
    without ordering; cut it with ``k = feature_width`` at test time). Draws no random numbers.
    """
    import torch

    drop_p = np.asarray(drop_p, dtype=np.float64)
    sigma = np.asarray(nested_sigma, dtype=np.float64)
    mask = torch.ones(n_models, batch_size, width)
    dropped = np.flatnonzero(drop_p > 0)
    if dropped.size:
        keep = torch.as_tensor(1.0 - drop_p[dropped], dtype=torch.float32)[:, None, None]
        u = torch.rand(dropped.size, batch_size, width, generator=generator)
        mask[dropped] = (u < keep).float() / keep
    nested = np.flatnonzero(sigma > 0)
    if nested.size:
        cdf = torch.as_tensor(np.stack([_nested_cdf(width, float(sigma[m])) for m in nested]))
        u = torch.rand(nested.size, 1, generator=generator, dtype=torch.float64)
        cut = torch.searchsorted(cdf, u).clamp(max=width - 1) + 1  # k in 1 .. width
        prefix = (torch.arange(width)[None, :] < cut).float()
        mask[nested] = mask[nested] * prefix[:, None, :]
    if feature_width is not None:
        fixed = np.asarray(feature_width, dtype=np.int64)
        narrow = np.flatnonzero(fixed > 0)
        if narrow.size:
            cut_fixed = torch.as_tensor(fixed[narrow])[:, None]
            prefix = (torch.arange(width)[None, :] < cut_fixed).float()
            mask[narrow] = mask[narrow] * prefix[:, None, :]
    return mask


@functools.lru_cache(maxsize=64)
def _nested_cdf(width: int, sigma: float) -> Any:
    cdf = np.cumsum(nested_k_probabilities(width, sigma))
    cdf[-1] = 1.0
    return cdf


def coteaching_weights(losses: Any, peers: Any, keep_fraction: float) -> Any:
    """Which examples each model trains on under co-teaching: ``(M, batch)`` weights in {0, 1}.

    ``losses (M, batch)`` are each model's per-example losses on the shared batch and
    ``peers (M,)`` the index of each model's peer (a model that is its own peer keeps the whole
    batch). Model ``m`` trains on the ``round(keep_fraction * batch)`` examples with the smallest
    loss *under its peer*.
    """
    import torch

    M, B = losses.shape
    n_keep = max(1, int(round(keep_fraction * B)))
    peer_loss = losses[peers]
    order = peer_loss.argsort(dim=1)
    chosen = torch.zeros(M, B, device=losses.device)
    chosen.scatter_(1, order[:, :n_keep], 1.0)
    alone = peers == torch.arange(M, device=peers.device)
    chosen[alone] = 1.0
    return chosen


def train_noisy(
    params: Params,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    steps: int,
    lr: float,
    batch_size: int,
    drop_p: ArrayLike | None = None,
    nested_sigma: ArrayLike | None = None,
    feature_width: ArrayLike | None = None,
    peers: ArrayLike | None = None,
    forget_rate: float = 0.0,
    ramp_steps: int = 1,
    seed: int = 0,
    callback: Callable[[int, Params], None] | None = None,
    every: Sequence[int] = (),
    desc: str | None = None,
) -> Params:
    """Train ``M`` stacked models with Adam on the cross-entropy, each with its own compression
    and, optionally, a co-teaching peer.

    ``X (n, d)`` shared inputs; ``Y (M, n)`` labels per model (peers must share labels).
    ``drop_p``, ``nested_sigma``, ``feature_width``: per-model compression or bottleneck (see
    :func:`compression_masks`; default none). ``peers (M,)``: co-teaching partner of each model
    (default: itself, plain training). Peers see the same batches. ``callback(step, params)``
    runs at the steps in ``every`` (``steps`` itself after the last update). Returns the
    trained parameters (new tensors). Training runs on the parameters' device; batches and masks come
    from a CPU generator seeded by ``seed``, so they are the same on every device.
    """
    import torch
    import torch.nn.functional as F

    params = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    M, width = params["W1"].shape[0], params["W1"].shape[2]
    where = params["W1"].device
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=where)
    Y_t = torch.as_tensor(np.asarray(Y), dtype=torch.int64)
    if Y_t.shape[0] != M:
        raise ValueError("Y needs one row of labels per model")
    drop_p = np.zeros(M) if drop_p is None else np.asarray(drop_p, dtype=np.float64)
    nested_sigma = np.zeros(M) if nested_sigma is None else np.asarray(nested_sigma)
    peer_t = torch.arange(M) if peers is None else torch.as_tensor(np.asarray(peers))
    if not torch.equal(peer_t[peer_t], torch.arange(M)):
        raise ValueError("peers must pair models up: peers[peers[m]] == m")
    if not torch.equal(Y_t[peer_t], Y_t):
        raise ValueError("co-teaching peers must be trained on the same labels")
    leader = torch.minimum(torch.arange(M), peer_t)  # a pair draws its batch once
    Y_t, peer_d = Y_t.to(where), peer_t.to(where)
    opt = torch.optim.Adam(params.values(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    rows = torch.arange(M, device=where)[:, None]
    at = set(int(s) for s in every)
    for t in progress(range(steps + 1), desc=desc or "training", total=steps + 1):
        if callback is not None and t in at:
            callback(t, {k: v.detach() for k, v in params.items()})
        if t == steps:
            break
        idx = torch.randint(X_t.shape[0], (M, batch_size), generator=gen)[leader].to(where)
        mask = compression_masks(M, batch_size, width, drop_p, nested_sigma, gen, feature_width).to(where)
        feats = stacked_features(params, X_t[idx]) * mask
        logits = torch.bmm(feats, params["head"])
        losses = F.cross_entropy(logits.transpose(1, 2), Y_t[rows, idx], reduction="none")
        keep = 1.0 - forget_rate * min(1.0, t / max(1, ramp_steps))
        weights = coteaching_weights(losses.detach(), peer_d, keep)
        loss = ((losses * weights).sum(dim=1) / weights.sum(dim=1)).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {k: v.detach() for k, v in params.items()}
