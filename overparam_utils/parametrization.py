"""Width-scaled MLPs in the standard (SP), NTK and maximal-update (muP) parametrizations (chapter 12).

All three are written in "SP form": every weight matrix is stored as it acts, ``h = x @ W``, drawn with
variance ``(1 / fan_in) * r**init_exponent`` and trained by SGD with the learning rate
``lr * r**lr_exponent``, where ``r = width / base_width``. At the base width (``r = 1``) the three
parametrizations are the same network with the same learning rate; they differ only in how init and
learning rates scale as the width grows (Yang & Hu 2021, Table 3 of the Tensor Programs V paper for SGD):

========  ========================  ==============================
layer     init variance x fan_in    SGD learning-rate multiplier
========  ========================  ==============================
SP        1, 1, 1                   1, 1, 1
NTK       1, 1, 1                   1, 1/r, 1/r
muP       1, 1, 1/r                 r, 1, 1/r
========  ========================  ==============================

(input layer, hidden layers, read-out). The networks are bias-free ``d_in -> width (x depth) -> d_out``
MLPs, batched over ``M`` independent models (seeds, learning rates): every weight tensor has shape
``(M, fan_in, fan_out)`` and one batched matrix product evaluates all models at once.

:func:`coordinate_check` trains such networks for a few SGD steps on a fixed batch and records, per
layer and width, the average size of the pre-activations and of their change since initialisation
(the "coordinate check" of the ``mup`` package, measured on the change rather than the value).
:func:`lr_sweep` trains a grid of learning rates at once and returns the final training losses (muP's
learning-rate transfer). :func:`overparam_utils.fits.loglog_slope` and :func:`best_log2_lr` turn both into numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .progress import progress


@dataclass(frozen=True)
class Parametrization:
    """How init variance and SGD learning rate scale with ``r = width / base_width``, per layer kind.

    ``init_exponents = (input, hidden, readout)``: a weight's init variance is ``r**e / fan_in``.
    ``lr_exponents = (input, hidden, readout)``: its SGD learning rate is ``lr * r**c``.
    """

    name: str
    init_exponents: tuple[float, float, float]
    lr_exponents: tuple[float, float, float]

    def _per_layer(self, exponents: tuple[float, float, float], depth: int) -> list[float]:
        return [exponents[0]] + [exponents[1]] * (depth - 1) + [exponents[2]]

    def init_variance_factors(self, width: int, base_width: int, depth: int) -> list[float]:
        """The factor ``r**e`` multiplying ``1 / fan_in`` for each of the ``depth + 1`` weight matrices."""
        r = width / base_width
        return [r**e for e in self._per_layer(self.init_exponents, depth)]

    def lr_multipliers(self, width: int, base_width: int, depth: int) -> list[float]:
        """The factor ``r**c`` multiplying the base learning rate, for each of the ``depth + 1`` matrices."""
        r = width / base_width
        return [r**c for c in self._per_layer(self.lr_exponents, depth)]


SP = Parametrization("SP", init_exponents=(0.0, 0.0, 0.0), lr_exponents=(0.0, 0.0, 0.0))
NTK = Parametrization("NTK", init_exponents=(0.0, 0.0, 0.0), lr_exponents=(0.0, -1.0, -1.0))
MUP = Parametrization("muP", init_exponents=(0.0, 0.0, -1.0), lr_exponents=(1.0, 0.0, -1.0))
PARAMETRIZATIONS: dict[str, Parametrization] = {p.name: p for p in (SP, NTK, MUP)}
"""The three parametrizations of chapter 12, by name."""
SP_LR_OVER_N = Parametrization("SP-lr/n", init_exponents=(0.0, 0.0, 0.0), lr_exponents=(-1.0, -1.0, -1.0))
"""SP with every learning rate scaled like ``1 / width`` (from the base rate at the base width): the scaling
that keeps SP's logits from blowing up. It is then kernel-like: its hidden features freeze as the width grows."""


def layer_shapes(d_in: int, width: int, d_out: int, depth: int) -> list[tuple[int, int]]:
    """``(fan_in, fan_out)`` of the ``depth + 1`` weight matrices of a ``d_in -> width^depth -> d_out`` MLP."""
    if depth < 1:
        raise ValueError(f"depth={depth} must be at least 1")
    dims = [d_in] + [width] * depth + [d_out]
    return list(zip(dims[:-1], dims[1:], strict=True))


def init_weights(
    param: Parametrization,
    d_in: int,
    width: int,
    d_out: int,
    *,
    depth: int = 2,
    base_width: int = 64,
    n_models: int = 1,
    seed: int = 0,
    dtype=None,
    device: str = "cpu",
):
    """Draw the weights of ``n_models`` independent MLPs in parametrization ``param``.

    Returns a list of ``depth + 1`` tensors of shape ``(n_models, fan_in, fan_out)`` with i.i.d.
    ``N(0, r**e / fan_in)`` entries. The same ``seed`` gives the same standard-normal draws in every
    parametrization (only the scale differs), so parametrizations can be compared on the same networks.
    The draws are made on the CPU and moved to ``device``, so a seed gives the same networks on every device.
    """
    import torch

    dtype = dtype or torch.float32
    gen = torch.Generator().manual_seed(int(seed))
    factors = param.init_variance_factors(width, base_width, depth)
    weights = []
    for (fan_in, fan_out), factor in zip(layer_shapes(d_in, width, d_out, depth), factors, strict=True):
        w = torch.randn(n_models, fan_in, fan_out, generator=gen, dtype=dtype)
        weights.append((w * float(np.sqrt(factor / fan_in))).to(device))
    return weights


def forward(weights, X, activation: str = "tanh"):
    """Pre-activations of every layer: ``[h_1, ..., h_depth, f]``, each ``(M, batch, fan_out)``.

    ``X`` is ``(batch, d_in)`` (shared by all models) or ``(M, batch, d_in)``; ``f`` are the logits.
    """
    import torch

    act = {"tanh": torch.tanh, "relu": torch.relu}[activation]
    x = X
    out = []
    for k, W in enumerate(weights):
        h = torch.matmul(x, W)
        out.append(h)
        if k < len(weights) - 1:
            x = act(h)
    return out


def per_model_loss(logits, y):
    """Mean cross-entropy of each model: ``logits (M, batch, classes)``, ``y (batch,)`` -> ``(M,)``."""
    import torch.nn.functional as F

    M, B, C = logits.shape
    losses = F.cross_entropy(logits.reshape(M * B, C), y.repeat(M), reduction="none")
    return losses.reshape(M, B).mean(dim=1)


def sgd_step(weights, X, y, lr, multipliers: Sequence[float], activation: str = "tanh"):
    """One full-batch SGD step on the cross-entropy, in place; returns the per-model losses ``(M,)``.

    Layer ``l`` moves by ``-lr * multipliers[l] * dL/dW_l``. ``lr`` is a float or an ``(M,)`` tensor (one
    learning rate per model). Models whose loss is not finite are left where they are (diverged).
    """
    return _sgd_step(weights, X, y, lr, multipliers, activation)[0]


def _sgd_step(weights, X, y, lr, multipliers, activation):
    """:func:`sgd_step`, also returning the pre-activations seen before the update (detached)."""
    import torch

    params = [w.detach().requires_grad_(True) for w in weights]
    hs = forward(params, X, activation)
    losses = per_model_loss(hs[-1], y)
    finite = torch.isfinite(losses)
    total = torch.where(finite, losses, torch.zeros_like(losses)).sum()
    grads = torch.autograd.grad(total, params)
    lr_t = torch.as_tensor(lr, dtype=weights[0].dtype, device=weights[0].device).reshape(-1, 1, 1)
    keep = finite.to(weights[0].dtype).reshape(-1, 1, 1)
    with torch.no_grad():
        for w, g, mult in zip(weights, grads, multipliers, strict=True):
            w -= lr_t * float(mult) * keep * torch.nan_to_num(g)
    return losses.detach(), [h.detach() for h in hs]


def coordinate_check(
    param: Parametrization,
    widths: Sequence[int],
    X: ArrayLike,
    y: ArrayLike,
    *,
    steps: int,
    lr: float,
    n_draws: int,
    seed: int = 0,
    depth: int = 2,
    base_width: int = 64,
    activation: str = "tanh",
    desc: str | None = None,
    device: str = "cpu",
) -> dict[str, NDArray[np.float64]]:
    """Train ``n_draws`` MLPs per width for ``steps`` SGD steps on the fixed batch ``(X, y)``.

    Records, for every layer (``h_1 .. h_depth`` and the logits ``f``), width and step ``t = 0..steps``,
    the mean absolute coordinate ``mean |h_t|`` and the mean absolute change ``mean |h_t - h_0|`` of the
    pre-activations on the batch, averaged over the seeds. Returns ``{"size": (layers, widths, steps+1),
    "change": (layers, widths, steps+1), "loss": (widths, steps+1)}`` as float64 arrays. The networks train
    on ``device`` (the initial weights are the same on every device).
    """
    import torch

    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    y_t = torch.as_tensor(np.asarray(y), dtype=torch.long, device=device)
    d_in, d_out = X_t.shape[1], int(y_t.max()) + 1
    size = np.zeros((depth + 1, len(widths), steps + 1))
    change = np.zeros_like(size)
    loss = np.zeros((len(widths), steps + 1))
    for j, width in enumerate(progress(widths, desc=desc or param.name)):
        weights = init_weights(
            param,
            d_in,
            width,
            d_out,
            depth=depth,
            base_width=base_width,
            n_models=n_draws,
            seed=seed + width,
            device=device,
        )
        mults = param.lr_multipliers(width, base_width, depth)
        h0 = None
        for t in range(steps + 1):
            if t < steps:  # the forward pass of the update sees the weights after t steps
                losses, h = _sgd_step(weights, X_t, y_t, lr, mults, activation)
            else:
                with torch.no_grad():
                    h = forward(weights, X_t, activation)
                    losses = per_model_loss(h[-1], y_t)
            h0 = h if h0 is None else h0
            loss[j, t] = float(losses.mean())
            for k, (ht, hz) in enumerate(zip(h, h0, strict=True)):
                size[k, j, t] = float(ht.abs().mean())
                change[k, j, t] = float((ht - hz).abs().mean())
    return {"size": size, "change": change, "loss": loss}


def lr_sweep(
    param: Parametrization,
    widths: Sequence[int],
    lrs: Sequence[float],
    X: ArrayLike,
    y: ArrayLike,
    *,
    steps: int,
    n_draws: int = 1,
    seed: int = 0,
    depth: int = 2,
    base_width: int = 64,
    activation: str = "tanh",
    batch_size: int | None = None,
    X_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    desc: str | None = None,
    device: str = "cpu",
) -> NDArray[np.float64] | tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Final training loss after ``steps`` SGD steps, for every width, learning rate and seed.

    All ``len(lrs) * n_draws`` models of one width train at once (one batched tensor); for a given seed
    every learning rate starts from the same initial weights. With ``batch_size`` each step uses a
    random mini-batch (the same sequence for all models and all widths), otherwise the full batch. The loss is
    measured on the whole ``(X, y)`` at the end. Returns ``(len(widths), len(lrs), n_draws)``; a model
    that diverged has loss ``inf``. With ``X_test, y_test`` also the final loss on them: a pair
    ``(train, test)`` of such arrays. The models train on ``device``; initial weights and mini-batches come
    from CPU generators, so they are the same on every device.
    """
    import torch

    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    y_t = torch.as_tensor(np.asarray(y), dtype=torch.long, device=device)
    d_in, d_out = X_t.shape[1], int(y_t.max()) + 1
    n_lr = len(lrs)
    lr_t = torch.as_tensor(np.repeat(np.asarray(lrs, dtype=np.float64), n_draws), dtype=torch.float32, device=device)
    out = np.zeros((len(widths), n_lr, n_draws))
    evals = [(X_t, y_t, out)]
    if X_test is not None:
        out_test = np.zeros_like(out)
        X_e = torch.as_tensor(np.asarray(X_test), dtype=torch.float32, device=device)
        evals.append((X_e, torch.as_tensor(np.asarray(y_test), dtype=torch.long, device=device), out_test))
    for j, width in enumerate(progress(widths, desc=desc or param.name)):
        per_seed = [
            init_weights(
                param,
                d_in,
                width,
                d_out,
                depth=depth,
                base_width=base_width,
                seed=seed + 1000 * s + width,
                device=device,
            )
            for s in range(n_draws)
        ]
        # model index = lr_index * n_draws + seed_index: every lr starts from each seed's weights
        weights = [torch.cat([ws[k] for ws in per_seed] * n_lr) for k in range(depth + 1)]
        mults = param.lr_multipliers(width, base_width, depth)
        gen = torch.Generator().manual_seed(int(seed))  # the same mini-batches at every width
        for _ in range(steps):
            if batch_size is None:
                xb, yb = X_t, y_t
            else:
                idx = torch.randint(len(y_t), (batch_size,), generator=gen).to(device)
                xb, yb = X_t[idx], y_t[idx]
            sgd_step(weights, xb, yb, lr_t, mults, activation)
        for X_e, y_e, dest in evals:
            with torch.no_grad():
                final = per_model_loss(forward(weights, X_e, activation)[-1], y_e)
            final = torch.where(torch.isfinite(final), final, torch.full_like(final, float("inf")))
            dest[j] = final.double().cpu().numpy().reshape(n_lr, n_draws)
    return out if X_test is None else (out, out_test)


def reuse_regret(losses: ArrayLike, base: int = 0) -> NDArray[np.float64]:
    """The cost of reusing the base width's best learning rate at every width (the transfer regret).

    ``losses (widths, lrs)`` on a shared grid; returns, per width, ``losses[w, k_base] - min_k losses[w, k]``
    where ``k_base`` is the grid index of the base row's minimum: 0 where the best rate transfers exactly,
    ``inf`` where the base rate diverges. Always ``>= 0``, and 0 at the base width itself.
    """
    L = np.asarray(losses, dtype=np.float64)
    if L.ndim != 2:
        raise ValueError(f"losses must be (widths, lrs), got shape {L.shape}")
    k_base = int(np.argmin(L[base]))
    return L[:, k_base] - L.min(axis=1)


def best_log2_lr(lrs: ArrayLike, losses: ArrayLike) -> NDArray[np.float64]:
    """The learning rate (as ``log2 lr``) that minimises the loss, refined between grid points.

    ``lrs`` is a grid evenly spaced in ``log2``; ``losses`` is ``(..., len(lrs))`` (``inf`` for diverged
    runs). A parabola through the grid minimum and its two neighbours, in ``(log2 lr, log loss)``, places
    the optimum to within a grid step; at an end of the grid the end point is returned.
    """
    log_lr = np.log2(np.asarray(lrs, dtype=np.float64))
    step = np.diff(log_lr)
    if not np.allclose(step, step[0]):
        raise ValueError("lrs must be evenly spaced in log2")
    L = np.log(np.asarray(losses, dtype=np.float64))
    flat = L.reshape(-1, L.shape[-1])
    best = np.empty(len(flat))
    for i, row in enumerate(flat):
        k = int(np.argmin(row))
        if k == 0 or k == len(row) - 1 or not np.all(np.isfinite(row[k - 1 : k + 2])):
            best[i] = log_lr[k]
            continue
        a, b, c = row[k - 1], row[k], row[k + 1]
        curvature = a - 2 * b + c
        offset = 0.5 * (a - c) / curvature if curvature > 0 else 0.0
        best[i] = log_lr[k] + step[0] * float(np.clip(offset, -0.5, 0.5))
    return best.reshape(L.shape[:-1])


def largest_stable_log2_lr(lrs: ArrayLike, losses: ArrayLike, threshold: float) -> NDArray[np.float64]:
    """The learning rate (as ``log2 lr``) above which training ends worse than ``threshold``.

    ``losses (..., len(lrs))`` are final training losses on an increasing grid. Returns, for each row,
    the first crossing of ``threshold`` from below after the row's minimum, interpolated linearly in
    ``(log2 lr, log loss)``; the grid's last point if the loss never crosses it (``inf`` counts as
    above); ``nan`` if even the minimum lies above it. With ``threshold = log(n_classes)`` (the loss
    of a uniform guess), this is the edge beyond which training does more harm than good.
    """
    log_lr = np.log2(np.asarray(lrs, dtype=np.float64))
    L = np.asarray(losses, dtype=np.float64)
    flat = L.reshape(-1, L.shape[-1])
    out = np.empty(len(flat))
    log_t = np.log(threshold)
    for i, row in enumerate(flat):
        k0 = int(np.argmin(row))
        above = np.flatnonzero(~(row[k0:] <= threshold))
        if len(above) == 0:
            out[i] = log_lr[-1]
            continue
        k = k0 + int(above[0])
        if k == k0:  # even the best run ends above the threshold: no usable rate
            out[i] = np.nan
            continue
        lo, hi = np.log(row[k - 1]), np.log(row[k]) if np.isfinite(row[k]) else np.inf
        frac = 1.0 if not np.isfinite(hi) else (log_t - lo) / (hi - lo)
        out[i] = log_lr[k - 1] + frac * (log_lr[k] - log_lr[k - 1])
    return out.reshape(L.shape[:-1])
