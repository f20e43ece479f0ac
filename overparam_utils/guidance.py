"""Guided training (chapter 21): a network trained on its task while its hidden layers are pulled, by a
representational-similarity penalty, towards those of a frozen guide network of another architecture.

- :func:`cka`: linear centred kernel alignment of two batches of representations, differentiable (torch);
- :func:`conv_guide`: the guide, a small 1-D convolutional network whose ``features`` are its layers' outputs;
- :func:`hidden_states`: the post-activation outputs of each hidden layer of an :func:`~overparam_utils.training.mlp`;
- :func:`train_guided`: Adam on cross-entropy plus ``lam`` times the summed ``1 - cka`` between each hidden
  layer of the network and the matching guide layer, on the same examples (or on others: the control).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .training import adam_step


def cka(A, B):
    """Linear CKA of ``A (n, p)`` and ``B (n, q)``, rows the same ``n`` inputs (torch tensors, differentiable):
    ``<K_c, L_c> / (|K_c| |L_c|)`` with ``K_c``, ``L_c`` the centred Gram matrices ``A_c A_c^T`` and
    ``B_c B_c^T``. The same value as :func:`overparam_utils.modular.linear_cka` (the feature-space form); the
    Gram form costs ``n^2`` per feature, cheap for a minibatch, and does not need ``p == q``."""
    A = A - A.mean(0)
    B = B - B.mean(0)
    K, L = A @ A.T, B @ B.T
    return (K * L).sum() / (K.norm() * L.norm())


def conv_guide(length: int, n_classes: int, channels: int = 32, seed: int | None = None, device: str = "cpu"):
    """A 1-D CNN for inputs ``(n, length)``: three ReLU convolutions of ``channels`` channels (kernel 5, 3, 3,
    stride 2 each) and a linear head; ``model.features(x)`` returns the three layers' outputs, flattened. The
    guide of chapter 21, drawn on the CPU from ``seed`` and moved to ``device``."""
    import torch
    from torch import nn

    class ConvGuide(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList(
                [
                    nn.Conv1d(1, channels, 5, 2, padding=2),
                    nn.Conv1d(channels, channels, 3, 2, padding=1),
                    nn.Conv1d(channels, channels, 3, 2, padding=1),
                ]
            )
            out = length
            for k, p in ((5, 2), (3, 1), (3, 1)):
                out = (out + 2 * p - k) // 2 + 1
            self.head = nn.Linear(channels * out, n_classes)

        def features(self, x):
            h, out = x[:, None, :], []
            for conv in self.convs:
                h = torch.relu(conv(h))
                out.append(h.flatten(1))
            return out

        def forward(self, x):
            return self.head(self.features(x)[-1])

    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        return ConvGuide().to(device)


def hidden_states(model, x) -> list:
    """The output of every hidden ReLU (or Tanh) layer of an ``nn.Sequential`` MLP on ``x``, in order."""
    from torch import nn

    out, h = [], x
    for layer in model:
        h = layer(h)
        if isinstance(layer, nn.ReLU | nn.Tanh):
            out.append(h)
    return out


def train_guided(
    model,
    X: ArrayLike,
    y: ArrayLike,
    guide_features: Sequence | None,
    *,
    lam: float,
    steps: int,
    lr: float,
    batch_size: int = 256,
    cka_size: int = 64,
    partner: ArrayLike | None = None,
    seed: int = 0,
) -> NDArray[np.float64]:
    """Train the MLP ``model`` on ``(X, y)`` by Adam on ``cross-entropy + lam * sum_l (1 - cka(h_l, g_l))``;
    return the cross-entropy of every step.

    ``guide_features``: one tensor ``(n, q_l)`` per hidden layer of ``model``, the frozen guide's features of
    every row of ``X`` (``None``: no penalty, plain training). The penalty is computed on the first
    ``cka_size`` rows of each batch. ``partner``: an index array; when given, row ``i`` is matched with the
    guide's features of row ``partner[i]`` instead of its own (a permutation: representations unrelated
    to the input, the control). Batches come from a CPU generator seeded by ``seed``, so arms with the same
    seed see the same batches.
    """
    import torch
    import torch.nn.functional as F

    where = next(model.parameters()).device
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=where)
    y_t = torch.as_tensor(np.asarray(y), device=where)
    match = None if partner is None else torch.as_tensor(np.asarray(partner), device=where)
    params = list(model.parameters())
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    gen = torch.Generator().manual_seed(seed)
    losses = np.empty(steps)
    for step in range(steps):
        idx = torch.randint(len(X_t), (batch_size,), generator=gen).to(where)
        hs = hidden_states(model, X_t[idx])
        ce = F.cross_entropy(model[-1](hs[-1]), y_t[idx])
        loss = ce
        if guide_features is not None:
            sub = idx[:cka_size]
            rows = sub if match is None else match[sub]
            loss = ce + lam * sum(1 - cka(h[:cka_size], g[rows]) for h, g in zip(hs, guide_features, strict=True))
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                adam_step(p, g, m, v, step + 1, lr)
        losses[step] = float(ce.detach())
    return losses
