"""Torch training loops, batched over models so a whole sweep is one set of tensor operations.

:func:`train_readouts` trains the linear read-out of many random-feature models at once: several
data sets (seeds) times several nested widths, by full-batch gradient descent or Adam on the
squared error. Widths are handled with a mask over the widest feature matrix, so the ``(seeds,
widths)`` grid costs one batched matrix product per step instead of a Python loop over models.
Chapter 01 uses it to check its exact dynamics against real gradient descent; chapter 02 to compare
gradient descent with Adam at the same step budget. :func:`train_classifier` trains one torch model
with the cross-entropy loss (full batch or seeded mini-batches).

The book's other training loops stay with their science, on purpose: what they share is the three
lines ``zero_grad(); loss.backward(); step()``, and what differs is the experiment itself. Chapter 05
trains a wide first layer under a fixed second layer in reduced coordinates (``xor``), chapter 10 only
the coordinates of a random subspace (``subspace``), chapter 11 under masks that impose modularity,
chapter 09 keeps the checkpoint best on held-out data, chapters 13, 14, 17-19 train a stack of models
as one batched tensor and record the statistic the chapter is about as they go (Fourier concentration,
reliance on a shortcut, per-example gradient coherence, memorization of flipped labels). A shared
trainer would need a hook for each of these, and a reader would have to follow the hooks to see the
experiment.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .progress import progress


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
    device: str = "cpu",
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
    device: where the tensors live (a chapter passes ``ch.device``); the result comes back as NumPy.

    Returns
    -------
    ``(len(snapshots) + 1, S, len(widths), max_width)`` weights (float64, zero beyond each width).
    """
    import torch

    F_t = torch.as_tensor(np.asarray(F), dtype=torch.float64, device=device)
    y_t = torch.as_tensor(np.asarray(y), dtype=torch.float64, device=device)
    S, n, max_width = F_t.shape
    mask = torch.as_tensor(width_mask(widths, max_width), device=device)
    w = torch.zeros(S, len(widths), max_width, dtype=torch.float64, device=device, requires_grad=True)
    keep = sorted(set(int(s) for s in snapshots))
    if keep and (keep[0] < 0 or keep[-1] > steps):
        raise ValueError(f"snapshots must lie in [0, {steps}]")

    if optimizer == "gd":
        step_size = torch.as_tensor(
            np.broadcast_to(np.asarray(lr, dtype=np.float64), (S, len(widths))).copy(), device=device
        )
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
    return torch.stack(saved).cpu().numpy()


def adam_step(param, grad, m, v, t: int, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
    """One step of torch's Adam (``torch.optim.Adam``'s update, no weight decay) on ``param``, in place.

    ``m, v``: the first and second moments of ``grad`` so far (updated in place; zeros before step 1); ``t``: the
    number of this step, from 1. For loops that train a stack of models as one tensor: building a
    ``torch.optim`` optimizer imports ``torch._dynamo``, a second or more of start-up per chapter, for an update
    of four lines. A reference test pins it against ``torch.optim.Adam`` (chapters 13, 14).
    """
    b1, b2 = betas
    m.mul_(b1).add_(grad, alpha=1 - b1)
    v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
    denom = (v.sqrt() / np.sqrt(1 - b2**t)).add_(eps)
    param.addcdiv_(m, denom, value=-lr / (1 - b1**t))


def mlp(
    d_in: int,
    width: int,
    d_out: int,
    depth: int = 1,
    activation: str = "relu",
    seed: int | None = None,
    device: str = "cpu",
):
    """A fully connected network ``d_in -> width (x depth hidden layers) -> d_out`` (torch default init).

    ``activation`` is ``"relu"`` or ``"tanh"``; ``seed`` (if given) makes the initial weights
    reproducible without touching the global torch generator. The weights are drawn on the CPU and then
    moved to ``device``, so a seed gives the same initial network on every device. For the chapters
    that train small classifiers on digits / MNIST-1D.
    """
    import torch
    from torch import nn

    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]

    def build():
        layers, d = [], d_in
        for _ in range(depth):
            layers += [nn.Linear(d, width), act()]
            d = width
        return nn.Sequential(*layers, nn.Linear(d, d_out))

    if seed is None:
        return build().to(device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build().to(device)


def accuracy(model, X, y) -> float:
    """Fraction of ``X (n, d)`` whose arg-max output equals the label ``y (n,)`` (no gradients)."""
    import torch

    where = next(model.parameters()).device
    with torch.no_grad():
        logits = model(torch.as_tensor(X, device=where))
        return float((logits.argmax(dim=1) == torch.as_tensor(y, device=where)).float().mean())


def train_classifier(
    model,
    X: ArrayLike,
    y: ArrayLike,
    *,
    steps: int,
    lr: float,
    optimizer: str = "sgd",
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    eval_every: int = 0,
    X_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    desc: str | None = None,
) -> dict[str, list[float]]:
    """Train ``model`` on ``(X, y)`` with the cross-entropy loss; return the history.

    ``batch_size=None`` is full-batch; otherwise mini-batches are drawn with a generator seeded by
    ``seed``. ``optimizer`` is ``"sgd"`` (with ``momentum``) or ``"adam"``; ``weight_decay`` is the
    optimizer's own (coupled) L2 term. Every ``eval_every`` steps (and at the end) the history records
    ``step``, ``train_loss``, ``train_acc`` and, with test data, ``test_acc``.
    """
    import torch
    import torch.nn.functional as F

    where = next(model.parameters()).device  # the data go where the model is (``mlp(..., device=)``)
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=where)
    y_t = torch.as_tensor(np.asarray(y), device=where)
    params = [p for p in model.parameters() if p.requires_grad]
    if optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    elif optimizer == "adam":
        opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    else:
        raise ValueError(f"optimizer={optimizer!r}; choose 'sgd' or 'adam'")
    gen = torch.Generator().manual_seed(seed)
    history: dict[str, list[float]] = {"step": [], "train_loss": [], "train_acc": [], "test_acc": []}

    def record(step: int) -> None:
        with torch.no_grad():
            logits = model(X_t)
            history["step"].append(step)
            history["train_loss"].append(float(F.cross_entropy(logits, y_t)))
            history["train_acc"].append(float((logits.argmax(1) == y_t).float().mean()))
            if X_test is not None:
                history["test_acc"].append(accuracy(model, np.asarray(X_test, dtype=np.float32), y_test))

    for step in progress(range(steps), desc=desc or "training", total=steps):
        if eval_every and step % eval_every == 0:
            record(step)
        if batch_size is None:
            xb, yb = X_t, y_t
        else:
            idx = torch.randint(len(y_t), (batch_size,), generator=gen).to(where)
            xb, yb = X_t[idx], y_t[idx]
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    record(steps)
    return history
