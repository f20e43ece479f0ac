"""Torch training loops, batched over models so a whole sweep is one set of tensor operations.

:func:`train_readouts` trains the linear read-out of many random-feature models at once: several
data sets (seeds) times several nested widths, by full-batch gradient descent or Adam on the
squared error. Widths are handled with a mask over the widest feature matrix, so the ``(seeds,
widths)`` grid costs one batched matrix product per step instead of a Python loop over models.
Chapter 01 uses it to check its exact dynamics against real gradient descent; chapter 02 to compare
gradient descent with Adam at the same step budget.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .progress import progress


def device() -> str:
    """``"cuda"`` when a GPU is visible, else ``"cpu"`` (CPU is always enough at book scale)."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def width_mask(widths: Sequence[int], max_width: int) -> NDArray[np.float64]:
    """``(len(widths), max_width)`` mask whose row ``k`` keeps the first ``widths[k]`` features."""
    if any(w < 1 or w > max_width for w in widths):
        raise ValueError(f"widths {list(widths)} must lie in [1, {max_width}]")
    return (np.arange(max_width)[None, :] < np.asarray(widths)[:, None]).astype(np.float64)


def train_readouts(
    F: ArrayLike,
    y: ArrayLike,
    widths: Sequence[int],
    *,
    optimizer: str,
    lr: float | ArrayLike,
    steps: int,
    snapshots: Sequence[int] = (),
    cosine: bool = False,
    desc: str | None = None,
) -> NDArray[np.float64]:
    """Train ``len(widths)`` nested linear read-outs on each of ``S`` feature matrices, from zero.

    Parameters
    ----------
    F: ``(S, n, max_width)`` features (one matrix per seed); width ``k`` uses the first ``widths[k]`` columns.
    y: ``(S, n)`` targets.
    optimizer: ``"gd"`` (full-batch gradient descent) or ``"adam"`` (torch.optim.Adam).
    lr: a float, or for ``"gd"`` an ``(S, len(widths))`` array of per-model steps (e.g. ``1 / lambda_max``).
    steps: number of full-batch updates of the loss ``mean((F w - y)**2) / 2``.
    snapshots: step counts at which to keep the weights (``0 <= s <= steps``); the final weights are
        always returned last.
    cosine: anneal the learning rate to zero with a cosine schedule over ``steps`` (Adam only).

    Returns
    -------
    ``(len(snapshots) + 1, S, len(widths), max_width)`` weights (float64, zero beyond each width).
    """
    import torch

    F_t = torch.as_tensor(np.asarray(F), dtype=torch.float64)
    y_t = torch.as_tensor(np.asarray(y), dtype=torch.float64)
    S, n, max_width = F_t.shape
    mask = torch.as_tensor(width_mask(widths, max_width))
    w = torch.zeros(S, len(widths), max_width, dtype=torch.float64, requires_grad=True)
    keep = sorted(set(int(s) for s in snapshots))
    if keep and (keep[0] < 0 or keep[-1] > steps):
        raise ValueError(f"snapshots must lie in [0, {steps}]")

    if optimizer == "gd":
        step_size = torch.as_tensor(np.broadcast_to(np.asarray(lr, dtype=np.float64), (S, len(widths))).copy())
        step_size = step_size[:, :, None]
        opt = None
    elif optimizer == "adam":
        if np.ndim(lr) != 0:
            raise ValueError("Adam takes one scalar lr")
        opt = torch.optim.Adam([w], lr=float(lr))
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps) if cosine else None
    else:
        raise ValueError(f"optimizer={optimizer!r}; choose 'gd' or 'adam'")

    saved = []
    for t in progress(range(steps + 1), desc=desc or optimizer, total=steps + 1):
        if t in keep:
            saved.append((w.detach() * mask).clone())
        if t == steps:
            break
        pred = torch.einsum("snf,skf->skn", F_t, w * mask)
        loss = 0.5 * ((pred - y_t[:, None, :]) ** 2).mean(dim=-1).sum()
        if opt is None:
            (grad,) = torch.autograd.grad(loss, w)
            with torch.no_grad():
                w -= step_size * grad
        else:
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
    saved.append((w.detach() * mask).clone())
    return torch.stack(saved).numpy()
