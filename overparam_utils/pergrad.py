"""Per-example gradients, gradient coherence and robust averages of gradients (torch.func).

A network is handled functionally: its parameters are a ``dict`` of tensors and a parameter-free
copy of the module (on the ``meta`` device) computes the forward pass with
``torch.func.functional_call``. Several independently initialised networks of one architecture are
*stacked* (every parameter gets a leading model axis ``M``) and trained together, one batched
tensor computation per step instead of a Python loop over models.

- :func:`stack_models`, :func:`stacked_logits`: build and evaluate ``M`` stacked networks;
- :func:`per_example_grads`: the gradient of each example's loss, ``torch.func.vmap`` over
  ``torch.func.grad``, for every stacked model at once;
- :func:`coherence`: how aligned a sample of per-example gradients is (Chatterjee & Zielinski's
  ``alpha`` over its value for orthogonal gradients); :func:`felt_coherence` splits it by example;
- :func:`winsorized_mean`, :func:`median_of_means`: robust coordinate-wise averages of gradients;
- :func:`train_stacked`: mini-batch SGD of stacked models, each on its own labels (and optionally
  its own subset of the training set), with a plain or a robust average of per-example gradients.

Chapter 17 (coherent gradients) uses all of it; chapter 18 (data diet) uses the stacked training
and the per-example gradients (GraNd scores, through :mod:`overparam_utils.scores`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .progress import progress

Params = dict[str, Any]  # name -> torch.Tensor


def stack_models(models: Sequence[Any]) -> tuple[Any, Params]:
    """Stack ``M`` modules of one architecture for batched functional use.

    Returns ``(base, params)``: ``base`` is a parameter-free copy of ``models[0]`` on the ``meta``
    device (pass it to the other functions) and ``params`` maps each parameter name to a detached
    tensor of shape ``(M, *shape)``. Used by chapters 17 and 18.
    """
    from torch.func import stack_module_state

    if not models:
        raise ValueError("need at least one model")
    params, _ = stack_module_state(list(models))
    params = {k: v.detach().clone() for k, v in params.items()}
    base = copy.deepcopy(models[0]).to("meta")
    return base, params


def params_device(params: Params) -> Any:
    """The device the stacked parameters live on (inputs given as arrays are moved there)."""
    return next(iter(params.values())).device


def _logits(base: Any, params: Params, X: Any) -> Any:
    from torch.func import functional_call

    return functional_call(base, params, (X,))


def stacked_logits(base: Any, params: Params, X: Any) -> Any:
    """Outputs of ``M`` stacked models: ``X (n, d)`` shared by all, or ``(M, n, d)`` one per model.

    Returns ``(M, n, n_out)``.
    """
    import torch
    from torch.func import vmap

    X = torch.as_tensor(X, device=params_device(params))
    in_x = 0 if X.dim() == 3 else None
    return vmap(lambda p, x: _logits(base, p, x), in_dims=(0, in_x))(params, X)


def _batch_loss(base: Any, params: Params, x: Any, y: Any) -> Any:
    import torch.nn.functional as F

    return F.cross_entropy(_logits(base, params, x), y)


def per_example_grads(base: Any, params: Params, X: Any, y: Any) -> Params:
    """The cross-entropy gradient of every example for every stacked model (``vmap`` of ``grad``).

    ``params`` are stacked (leading axis ``M``); ``X`` is ``(n, d)`` (the same examples for every
    model) or ``(M, n, d)``; ``y`` is ``(M, n)`` integer labels. Returns a dict with, for each
    parameter of shape ``(M, *shape)``, the per-example gradients ``(M, n, *shape)``. Memory grows as
    ``M * n * n_params``: chunk ``n`` for large samples (see :func:`coherence_of_sample`).
    """
    return group_grads(base, params, X, y, group_size=1)


def group_grads(base: Any, params: Params, X: Any, y: Any, group_size: int) -> Params:
    """Gradients of the mean cross-entropy of consecutive groups of ``group_size`` examples.

    Shapes as :func:`per_example_grads` (which is ``group_size = 1``); ``n`` must be a multiple of
    ``group_size``. Returns ``(M, n // group_size, *shape)`` per parameter: the group means that a
    median of means needs, at the cost of ``n // group_size`` backward passes instead of ``n``.
    """
    import torch
    from torch.func import grad, vmap

    where = params_device(params)
    X, y = torch.as_tensor(X, device=where), torch.as_tensor(y, device=where)
    n = X.shape[-2]
    if group_size < 1 or n % group_size:
        raise ValueError(f"{n} examples cannot be split into groups of {group_size}")
    X = X.unflatten(-2, (n // group_size, group_size))
    y = y.unflatten(-1, (n // group_size, group_size))
    one = grad(lambda p, x, t: _batch_loss(base, p, x, t))
    over_groups = vmap(one, in_dims=(None, 0, 0))
    in_x = 0 if X.dim() == 4 else None
    return vmap(over_groups, in_dims=(0, in_x, 0))(params, X, y)


def flatten_grads(grads: Mapping[str, Any], lead: int) -> Any:
    """Concatenate a dict of gradients into one tensor ``(*lead_shape, n_params)``, keeping the
    first ``lead`` axes (e.g. ``lead=2`` for ``(M, n, ...)`` per-example gradients)."""
    import torch

    return torch.cat([g.flatten(lead) for g in grads.values()], dim=-1)


def coherence(G: Any) -> Any:
    """Coherence of a sample of ``m`` gradients relative to orthogonal ones, ``m * alpha``.

    ``G`` is ``(..., m, n_params)``. With ``g_bar`` the sample mean, ``alpha = |g_bar|^2 /
    mean_i |g_i|^2`` is the expected dot product of two gradients drawn from the sample over the
    expected squared norm (Chatterjee & Zielinski). For ``m`` mutually orthogonal gradients of equal
    norm ``alpha = 1/m``, so the returned ``m * alpha`` is 1 for orthogonal and ``m`` for identical
    gradients: roughly, how many examples of the sample a step on one example helps. Returns
    ``(...)``. Chapter 17.
    """
    import torch

    G = torch.as_tensor(G)
    m = G.shape[-2]
    mean_sq = G.mean(dim=-2).pow(2).sum(dim=-1)
    sq_mean = G.pow(2).sum(dim=-1).mean(dim=-1)
    return m * mean_sq / sq_mean


def coherence_of_sample(base: Any, params: Params, X: Any, y: Any, chunk: int = 256) -> Any:
    """:func:`coherence` of the per-example gradients of ``m`` examples, for each stacked model.

    ``X (m, d)`` (shared) and ``y (M, m)``. Works in chunks of examples, keeping only the running
    sum of gradients and of squared norms, so memory is ``M * chunk * n_params``. Returns ``(M,)``.
    """
    import torch

    where = params_device(params)
    X, y = torch.as_tensor(X, device=where), torch.as_tensor(y, device=where)
    m = X.shape[0]
    total, sq = None, None
    for start in range(0, m, chunk):
        G = flatten_grads(per_example_grads(base, params, X[start : start + chunk], y[:, start : start + chunk]), 2)
        part, part_sq = G.sum(dim=1), G.pow(2).sum(dim=(1, 2))
        total = part if total is None else total + part
        sq = part_sq if sq is None else sq + part_sq
    assert total is not None and sq is not None
    return (total / m).pow(2).sum(dim=-1) / (sq / m) * m


def felt_coherence(base: Any, params: Params, X: Any, y: Any, chunk: int = 256) -> Any:
    """The coherence each example of a sample *feels*: ``h_i = m * g_i . g_bar / mean_j |g_j|^2``.

    ``X (m, d)`` (shared) and ``y (M, m)``; returns ``(M, m)``. A step along the sample's mean
    gradient ``g_bar`` lowers example ``i``'s loss by about ``lr * g_i . g_bar``; ``h_i`` is that
    gain over the average gain of a step on an example's own gradient, times ``m``. Its mean over
    the sample is :func:`coherence_of_sample` exactly, so averaging ``h`` over a subset (the clean
    or the mislabelled examples, say) splits the sample's coherence into the parts felt by each
    subset. Two passes in chunks of examples (one when ``m <= chunk``). Chapter 17.
    """
    import torch

    where = params_device(params)
    X, y = torch.as_tensor(X, device=where), torch.as_tensor(y, device=where)
    m = X.shape[0]

    def chunks():
        for start in range(0, m, chunk):
            part = per_example_grads(base, params, X[start : start + chunk], y[:, start : start + chunk])
            yield flatten_grads(part, 2)

    kept = list(chunks()) if m <= chunk else None
    total, sq = None, None
    for G in kept if kept is not None else chunks():
        part, part_sq = G.sum(dim=1), G.pow(2).sum(dim=(1, 2))
        total = part if total is None else total + part
        sq = part_sq if sq is None else sq + part_sq
    assert total is not None and sq is not None
    dots = [(G * total[:, None]).sum(dim=-1) for G in (kept if kept is not None else chunks())]
    return m * torch.cat(dots, dim=1) / sq[:, None]


def winsorized_mean(G: Any, c: int, dim: int = 0) -> Any:
    """Coordinate-wise winsorized mean along ``dim``: in every coordinate the ``c`` smallest values
    are raised to the ``(c+1)``-th smallest and the ``c`` largest lowered to the ``(c+1)``-th
    largest, then the values are averaged. ``c = 0`` is the plain mean. Requires ``2c < n`` (the
    size of ``dim``). Used for winsorized gradient descent in chapter 17; same as
    ``scipy.stats.mstats.winsorize(..., limits=(c/n, c/n))`` followed by a mean.
    """
    import torch

    G = torch.as_tensor(G)
    n = G.shape[dim]
    if c < 0 or 2 * c >= n:
        raise ValueError(f"c={c} must satisfy 0 <= 2c < n = {n}")
    if c == 0:
        return G.mean(dim=dim)
    lo = -_kth_largest(-G, c + 1, dim)
    hi = _kth_largest(G, c + 1, dim)
    return torch.minimum(torch.maximum(G, lo), hi).mean(dim=dim)


def _kth_largest(G: Any, k: int, dim: int) -> Any:
    """The ``k``-th largest value along ``dim`` (kept as a size-1 axis), ties counted with
    multiplicity, as ``torch.kthvalue(G, n - k + 1, dim)``.

    For small ``k`` this peels off the current maximum ``k`` times with value-only reductions, which
    on CPU is several times faster than ``torch.kthvalue`` or ``torch.topk`` along a middle axis.
    """
    import torch

    work, removed, out, found = G, None, None, None
    for i in range(k):
        top = work.amax(dim=dim, keepdim=True)
        hit = work == top
        count = hit.sum(dim=dim, keepdim=True)
        total = count if removed is None else removed + count
        done = total >= k
        out = top if out is None else torch.where(found, out, top)
        found = done if found is None else found | done
        if i < k - 1:
            work = work.masked_fill(hit, float("-inf"))
            removed = total
    return out


def median_of_means(G: Any, groups: int, dim: int = 0) -> Any:
    """Coordinate-wise median of the means of ``groups`` consecutive equal groups along ``dim``.

    The size of ``dim`` must be a multiple of ``groups``; an even number of groups gives the
    average of the two middle means (as ``numpy.median``). ``groups = 1`` is the plain mean. The
    robust average of Zielinski et al. (M3 is ``groups = 3``); chapter 17.
    """
    import torch

    G = torch.as_tensor(G)
    n = G.shape[dim]
    if groups < 1 or n % groups:
        raise ValueError(f"{n} examples cannot be split into {groups} equal groups")
    G = G.movedim(dim, 0)
    means = G.reshape(groups, n // groups, *G.shape[1:]).mean(dim=1)
    if groups <= 16:
        # Odd-even transposition sort of the few group means, with elementwise min/max: the same
        # order as Tensor.sort, about 6x faster for 8 groups (sort along a short leading axis is
        # strided and slow); this runs once per parameter tensor per training step.
        ordered = list(means.unbind(0))
        for rnd in range(groups):
            for i in range(rnd % 2, groups - 1, 2):
                a, b = ordered[i], ordered[i + 1]
                ordered[i], ordered[i + 1] = torch.minimum(a, b), torch.maximum(a, b)
    else:
        ordered = list(means.sort(dim=0).values.unbind(0))
    mid = groups // 2
    if groups % 2:
        return ordered[mid]
    return 0.5 * (ordered[mid - 1] + ordered[mid])


def _per_model(lr: Any, v: Any) -> Any:
    """A scalar step size as is; one step size per model ``(M,)`` shaped to broadcast over ``v``."""
    return lr if lr.dim() == 0 else lr.reshape(-1, *([1] * (v.dim() - 1)))


def train_stacked(
    base: Any,
    params: Params,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    steps: int,
    lr: float | Sequence[float],
    batch_size: int,
    momentum: float = 0.0,
    seed: int = 0,
    aggregate: Callable[[Any], Any] | None = None,
    group_size: int = 1,
    subsets: Sequence[ArrayLike] | None = None,
    callback: Callable[[int, Params], None] | None = None,
    every: Sequence[int] = (),
    desc: str | None = None,
) -> Params:
    """Mini-batch SGD on the cross-entropy of ``M`` stacked models, each on its own labels.

    Parameters
    ----------
    params: stacked parameters ``(M, *shape)`` (not modified; the trained ones are returned).
    X: ``(n, d)`` inputs shared by all models; Y: ``(M, n)`` labels, one row per model.
    lr: the step size, one for all models or a sequence of ``M``, one per model (e.g. a sweep of
        step sizes trained as one stack).
    batch_size: examples per step and model, drawn uniformly with replacement (from ``subsets[m]``
        when given: a list of ``M`` index arrays, possibly of different sizes).
    momentum: heavy-ball momentum of the update direction (as ``torch.optim.SGD``, no dampening).
    aggregate: ``None`` for plain SGD (the batch-mean gradient, one backward pass); otherwise a
        function mapping per-example gradients ``(M, batch, *shape)`` of one parameter to the
        update direction ``(M, *shape)`` (e.g. ``lambda g: winsorized_mean(g, 2, dim=1)``).
    group_size: with ``aggregate``, hand it the gradients of consecutive groups of this many
        examples (``(M, batch // group_size, *shape)``, see :func:`group_grads`) instead of
        per-example gradients: a median of means then costs one backward pass per group.
    callback, every: ``callback(step, params)`` is called at each step count in ``every``
        (before that step's update; ``steps`` itself after the last update).

    Training runs on the parameters' device. Every model draws its own batches (on the CPU) from one
    generator seeded by ``seed``, so two calls with the same seed and the same ``M`` see the same batches,
    on any device: compare aggregations on identical data order.
    Chapters 17 and 18.
    """
    import torch
    import torch.nn.functional as F

    where = params_device(params)
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=where)
    Y_t = torch.as_tensor(np.asarray(Y), dtype=torch.int64, device=where)
    M = Y_t.shape[0]
    if any(v.shape[0] != M for v in params.values()):
        raise ValueError("Y must have one row of labels per stacked model")
    if subsets is not None:
        if len(subsets) != M:
            raise ValueError("give one subset of indices per model")
        sizes = torch.tensor([len(s) for s in subsets], dtype=torch.float64)
        if (sizes == 0).any():
            raise ValueError("every subset needs at least one example")
        pad = torch.zeros(M, int(sizes.max()), dtype=torch.int64)
        for m, s in enumerate(subsets):
            pad[m, : len(s)] = torch.as_tensor(np.asarray(s), dtype=torch.int64)
    lr_t = torch.as_tensor(lr, dtype=torch.float32, device=where)
    if lr_t.dim() == 1 and lr_t.shape[0] != M:
        raise ValueError("give one step size, or one per stacked model")
    if lr_t.dim() > 1:
        raise ValueError("lr must be a number or a sequence of M numbers")
    gen = torch.Generator().manual_seed(seed)
    rows = torch.arange(M)[:, None]  # batches are drawn on the CPU: the same on every device
    rows_d = rows.to(where)
    at = set(int(s) for s in every)
    params = {k: v.detach().clone() for k, v in params.items()}
    velocity = {k: torch.zeros_like(v) for k, v in params.items()}
    for t in progress(range(steps + 1), desc=desc or "training", total=steps + 1):
        if callback is not None and t in at:
            callback(t, params)
        if t == steps:
            break
        if subsets is None:
            idx = torch.randint(X_t.shape[0], (M, batch_size), generator=gen)
        else:
            u = torch.rand(M, batch_size, generator=gen, dtype=torch.float64)
            idx = pad[rows, (u * sizes[:, None]).long()]
        idx = idx.to(where)
        xb, yb = X_t[idx], Y_t[rows_d, idx]
        if aggregate is None:
            for v in params.values():
                v.requires_grad_(True)
            logits = stacked_logits(base, params, xb)
            loss = F.cross_entropy(logits.flatten(0, 1), yb.flatten(), reduction="sum") / batch_size
            grads = torch.autograd.grad(loss, list(params.values()))
            directions = dict(zip(params, grads, strict=True))
        else:
            units = group_grads(base, params, xb, yb, group_size)
            directions = {k: aggregate(g) for k, g in units.items()}
        with torch.no_grad():
            for k in params:
                velocity[k] = momentum * velocity[k] + directions[k] if t else directions[k]
            params = {k: (v - _per_model(lr_t, v) * velocity[k]).detach() for k, v in params.items()}
    return params
