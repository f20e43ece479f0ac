"""Distributed alignment search on a small network (chapter 24): does an alignment map find a task's
intermediate variables in a network's hidden layer, or does it fit the counterfactuals by itself?

- :func:`equality_data`: the hierarchical equality task, ``y = [(a == b) == (c == d)]`` on four symbols, with
  the two intermediate variables ``V1 = [a == b]`` and ``V2 = [c == d]`` balanced;
- :func:`counterfactual`: the label the task's algorithm gives a base input whose ``V1`` or ``V2`` is set to
  that of a source input;
- :func:`alignment_map`: an invertible map of the hidden layer, linear (orthogonal) or a RevNet of additive
  coupling blocks, with ``forward`` and exact ``inverse``;
- :func:`interchange_logits`: the network's output after swapping one block of coordinates of the mapped
  hidden state of a base input with that of a source input;
- :func:`fit_alignment`: train the map (only the map) on the counterfactual labels; :func:`iia`, the
  interchange-intervention accuracy of a map on pairs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .training import adam_step


def equality_data(n: int, V: int, embedding: NDArray, rng: np.random.Generator, allowed: NDArray | None = None):
    """``n`` examples of hierarchical equality over ``V`` symbols: returns ``X (n, 4 * e)`` (the four symbols'
    rows of ``embedding (V, e)``, concatenated), the symbols ``(n, 4)``, and ``V1, V2, y`` as int arrays.
    ``a == b`` and ``c == d`` each hold with probability 1/2. ``allowed``: a boolean array over the ``V**4``
    tuple codes (``a V^3 + b V^2 + c V + d``); examples are redrawn until their code is allowed."""
    out = np.empty((0, 4), dtype=np.int64)
    while len(out) < n:
        m = 2 * (n - len(out)) + 16
        a, c = rng.integers(V, size=m), rng.integers(V, size=m)
        same1, same2 = rng.random(m) < 0.5, rng.random(m) < 0.5
        b = np.where(same1, a, (a + rng.integers(1, V, size=m)) % V)
        d = np.where(same2, c, (c + rng.integers(1, V, size=m)) % V)
        sym = np.stack([a, b, c, d], axis=1)
        if allowed is not None:
            sym = sym[allowed[tuple_code(sym, V)]]
        out = np.concatenate([out, sym])
    sym = out[:n]
    V1 = (sym[:, 0] == sym[:, 1]).astype(np.int64)
    V2 = (sym[:, 2] == sym[:, 3]).astype(np.int64)
    X = embedding[sym].reshape(n, -1).astype(np.float32)
    return X, sym, V1, V2, (V1 == V2).astype(np.int64)


def tuple_code(sym: NDArray, V: int) -> NDArray[np.int64]:
    """The integer code ``a V^3 + b V^2 + c V + d`` of each row of symbols ``(n, 4)``."""
    return ((sym[:, 0] * V + sym[:, 1]) * V + sym[:, 2]) * V + sym[:, 3]


def counterfactual(V1_base, V2_base, V1_src, V2_src, variable: int) -> NDArray[np.int64]:
    """The algorithm's label for a base input whose variable ``variable`` (0: ``V1``, 1: ``V2``) is replaced
    by the source's: ``[V1_src == V2_base]`` or ``[V1_base == V2_src]``."""
    if variable == 0:
        return (np.asarray(V1_src) == np.asarray(V2_base)).astype(np.int64)
    return (np.asarray(V1_base) == np.asarray(V2_src)).astype(np.int64)


def alignment_map(dim: int, kind: str = "linear", blocks: int = 2, width: int = 64, seed: int = 0):
    """An invertible map of ``R^dim`` (``dim`` even) with ``forward(h)`` and ``inverse(z)``.

    ``"linear"``: an orthogonal matrix (``torch``'s orthogonal parametrisation; the inverse is the transpose),
    the map of distributed alignment search. ``"revnet"``: ``blocks`` additive coupling blocks
    (``y1 = x1 + F(x2)``, ``y2 = x2 + G(y1)``, ``F`` and ``G`` tanh MLPs of ``width`` units) with a fixed
    random permutation of the coordinates before each block: exactly invertible, and as expressive as its
    size allows."""
    import torch
    from torch import nn

    half = dim // 2

    class Linear(nn.Module):
        def __init__(self):
            super().__init__()
            self.q = nn.utils.parametrizations.orthogonal(nn.Linear(dim, dim, bias=False))

        def forward(self, h):
            return h @ self.q.weight.T

        def inverse(self, z):
            return z @ self.q.weight

    def mlp():
        return nn.Sequential(nn.Linear(half, width), nn.Tanh(), nn.Linear(width, half))

    class RevNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.F = nn.ModuleList(mlp() for _ in range(blocks))
            self.G = nn.ModuleList(mlp() for _ in range(blocks))
            gen = torch.Generator().manual_seed(seed + 1)
            self.register_buffer("perms", torch.stack([torch.randperm(dim, generator=gen) for _ in range(blocks)]))

        def forward(self, h):
            for k in range(blocks):
                h = h[:, self.perms[k]]
                x1, x2 = h[:, :half], h[:, half:]
                y1 = x1 + self.F[k](x2)
                h = torch.cat([y1, x2 + self.G[k](y1)], dim=1)
            return h

        def inverse(self, z):
            for k in reversed(range(blocks)):
                y1, y2 = z[:, :half], z[:, half:]
                x2 = y2 - self.G[k](y1)
                z = torch.cat([y1 - self.F[k](x2), x2], dim=1)
                z = z[:, torch.argsort(self.perms[k])]
            return z

    if kind not in ("linear", "revnet"):
        raise ValueError(f"kind must be 'linear' or 'revnet', got {kind!r}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return Linear() if kind == "linear" else RevNet()


def interchange_logits(head, phi, h_base, h_src, block: slice, mapped=None):
    """``head(phi.inverse(z))`` where ``z`` is ``phi(h_base)`` with the coordinates ``block`` taken from
    ``phi(h_src)``: the network's output when the variable aligned with ``block`` is set to the source's.
    ``mapped``: ``(phi(h_base), phi(h_src))`` when already computed."""
    import torch

    z, zs = (phi(h_base), phi(h_src)) if mapped is None else mapped
    mask = torch.zeros(z.shape[1], dtype=torch.bool, device=z.device)
    mask[block] = True
    return head(phi.inverse(torch.where(mask, zs, z)))


def fit_alignment(
    head, phi, H_base, H_src, targets, blocks, *, steps: int, lr: float, batch_size: int = 256, seed: int = 0
) -> NDArray[np.float64]:
    """Train ``phi`` (only ``phi``: ``head`` is frozen) so that swapping ``blocks[k]`` of the mapped hidden
    states gives the counterfactual labels ``targets[k]``, by Adam on the summed cross-entropy over the
    variables. ``H_base, H_src``: hidden states ``(n, dim)`` of the pairs' base and source inputs (tensors).
    Returns the loss of every step."""
    import torch
    import torch.nn.functional as F
    from torch.nn.utils import parametrize

    for p in head.parameters():
        p.requires_grad_(False)
    params = [p for p in phi.parameters() if p.requires_grad]
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    T = [torch.as_tensor(np.asarray(t), device=H_base.device) for t in targets]
    gen = torch.Generator().manual_seed(seed)
    losses = np.empty(steps)
    for step in range(steps):
        idx = torch.randint(len(H_base), (batch_size,), generator=gen).to(H_base.device)
        with parametrize.cached():  # the orthogonal matrix is built once per step, not at every use
            mapped = phi(H_base[idx]), phi(H_src[idx])
            loss = sum(
                F.cross_entropy(interchange_logits(head, phi, None, None, b, mapped), t[idx])
                for b, t in zip(blocks, T, strict=True)
            )
            grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                adam_step(p, g, m, v, step + 1, lr)
        losses[step] = float(loss.detach())
    return losses


def iia(head, phi, H_base, H_src, target, block: slice) -> float:
    """Interchange-intervention accuracy: the share of pairs whose output after the swap of ``block``
    equals the counterfactual label ``target``."""
    import torch

    with torch.no_grad():
        pred = interchange_logits(head, phi, H_base, H_src, block).argmax(1).cpu().numpy()
    return float(np.mean(pred == np.asarray(target)))
