"""Merging networks by parameter averaging: isotropic and diagonal-Fisher weighted (chapter 22).

Networks of one architecture are handled as *parameter dicts* (name -> tensor, as
``dict(model.named_parameters())`` detached) and evaluated functionally with
``torch.func.functional_call``, so a merge is arithmetic on dicts, never a copy of a module.

- :func:`param_dict`, :func:`logits_with`, :func:`accuracy_with`: a model's parameters, and the
  forward pass / accuracy of the architecture with any parameter dict;
- :func:`diagonal_fisher`: the diagonal of the Fisher information of a classifier, as the exact
  expectation over its own predictive distribution (not the "empirical" Fisher at the labels);
- :func:`merge`: the weighted average ``sum_i l_i F_i theta_i / sum_i l_i F_i`` (isotropic when no
  Fishers are given, i.e. every ``F_i = 1``);
- :func:`shuffle_within`: the same Fisher values permuted at random within each tensor (a weighting
  with the same distribution of magnitudes that carries no information about which parameter
  matters), the control of chapter 22;
- :func:`fisher_mass`: each model's total Fisher, a scalar that says how much precision it claims;
- :func:`fisher_masks` and :func:`overwrite`: the parameters a Fisher ranks lowest (or highest), and a
  model with exactly those parameters taken from another model (does the Fisher know which
  parameters a task needs?).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

Params = dict[str, Any]  # name -> torch.Tensor


def param_dict(model: Any) -> Params:
    """The parameters of ``model`` as a dict of detached copies (name -> tensor)."""
    return {k: v.detach().clone() for k, v in model.named_parameters()}


def logits_with(model: Any, params: Mapping[str, Any], X: Any) -> Any:
    """The outputs of ``model``'s architecture with parameters ``params`` on inputs ``X (n, d)``."""
    import torch
    from torch.func import functional_call

    with torch.no_grad():
        return functional_call(model, dict(params), (torch.as_tensor(X),))


def accuracy_with(model: Any, params: Mapping[str, Any], X: ArrayLike, y: ArrayLike) -> float:
    """Fraction of ``X`` whose arg-max output under ``params`` equals the label ``y``."""
    import torch

    pred = logits_with(model, params, torch.as_tensor(np.asarray(X, dtype=np.float32))).argmax(1)
    return float((pred == torch.as_tensor(np.asarray(y))).float().mean())


def diagonal_fisher(model: Any, params: Mapping[str, Any], X: ArrayLike, chunk: int = 64) -> Params:
    """Diagonal Fisher information of the classifier at ``params``, averaged over the inputs ``X``.

    ``F_j = mean_x sum_c p(c | x) (d log p(c | x) / d theta_j)^2``, the expectation taken over the
    model's own predicted class probabilities ``p`` (the *true* Fisher of the model's predictive
    distribution). The per-example, per-class gradients are one ``vmap`` of ``jacrev`` over a chunk of
    ``chunk`` inputs. Returns a dict shaped like ``params``.
    """
    import torch
    from torch.func import functional_call, jacrev, vmap

    params = {k: v.detach() for k, v in params.items()}
    X_t = torch.as_tensor(np.asarray(X, dtype=np.float32))

    def log_probs(p, x):
        return torch.log_softmax(functional_call(model, p, (x[None],))[0], dim=-1)

    jac = vmap(jacrev(log_probs), in_dims=(None, 0))
    total = {k: torch.zeros_like(v) for k, v in params.items()}
    for start in range(0, len(X_t), chunk):
        xb = X_t[start : start + chunk]
        with torch.no_grad():
            probs = torch.softmax(functional_call(model, params, (xb,)), dim=-1)  # (b, C)
        J = jac(params, xb)  # name -> (b, C, *shape)
        for k, g in J.items():
            w = probs.reshape(probs.shape + (1,) * (g.dim() - 2))
            total[k] += (w * g.detach() ** 2).sum(dim=(0, 1))
    return {k: v / len(X_t) for k, v in total.items()}


def fisher_mass(fisher: Mapping[str, Any]) -> float:
    """The sum of a diagonal Fisher over all parameters (its trace)."""
    return float(sum(v.sum() for v in fisher.values()))


def merge(
    params: Sequence[Mapping[str, Any]],
    weights: Sequence[float],
    fishers: Sequence[Mapping[str, Any]] | None = None,
    eps: float = 1e-8,
) -> Params:
    """The weighted average of parameter dicts: ``sum_i l_i F_i theta_i / sum_i l_i F_i``.

    ``weights`` are the mixing weights ``l_i`` (they need not sum to one: only their ratios matter for
    a Fisher merge; an isotropic merge divides by their sum). Without ``fishers`` every ``F_i`` is 1,
    the plain (isotropic) average. ``eps`` is added to the denominator (and ``eps * l_i`` to each
    ``l_i F_i``) so that a parameter no model is sensitive to falls back to the plain average.
    """
    if len(params) != len(weights):
        raise ValueError("one weight per model")
    if fishers is not None and len(fishers) != len(params):
        raise ValueError("one Fisher per model")
    out: Params = {}
    for k in params[0]:
        if fishers is None:
            num = sum(w * p[k] for w, p in zip(weights, params, strict=True))
            out[k] = num / float(sum(weights))
        else:
            prec = [w * (f[k] + eps) for w, f in zip(weights, fishers, strict=True)]
            num = sum(c * p[k] for c, p in zip(prec, params, strict=True))
            out[k] = num / sum(prec)
    return out


def shuffle_within(fisher: Mapping[str, Any], rng: np.random.Generator) -> Params:
    """``fisher`` with its values permuted at random inside each tensor (same shapes, same values)."""
    import torch

    out: Params = {}
    for k, v in fisher.items():
        perm = torch.as_tensor(rng.permutation(v.numel()))
        out[k] = v.reshape(-1)[perm].reshape(v.shape).clone()
    return out


def fisher_masks(fisher: Mapping[str, Any], frac: float, largest: bool = False) -> Params:
    """Boolean masks (shaped like ``fisher``) of the fraction ``frac`` of all parameters with the smallest
    Fisher values (``largest=True``: the largest), ranked across every tensor together; ties are broken
    by position, so exactly ``round(frac * n)`` parameters are selected."""
    import torch

    if not 0.0 <= frac <= 1.0:
        raise ValueError(f"frac={frac} must lie in [0, 1]")
    flat = torch.cat([v.reshape(-1) for v in fisher.values()])
    k = int(round(frac * flat.numel()))
    order = torch.argsort(flat, descending=largest, stable=True)
    chosen = torch.zeros(flat.numel(), dtype=torch.bool)
    chosen[order[:k]] = True
    out: Params = {}
    start = 0
    for name, v in fisher.items():
        out[name] = chosen[start : start + v.numel()].reshape(v.shape)
        start += v.numel()
    return out


def overwrite(params: Mapping[str, Any], donor: Mapping[str, Any], masks: Mapping[str, Any]) -> Params:
    """``params`` with the entries where ``masks`` is true replaced by ``donor``'s values."""
    import torch

    return {k: torch.where(masks[k], donor[k], params[k]) for k in params}
