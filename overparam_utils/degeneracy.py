"""The three degeneracies of a ReLU network and what they do to its effective parameter count (chapter 11).

For a fully connected ReLU network ``nn.Sequential(Linear, ReLU, ..., Linear)`` on a data set ``X``:

* :func:`layer_activations`: the input of every ``Linear`` layer with a column of ones appended (the bias),
  ``(N, in + 1)``; linearly dependent columns are the first degeneracy;
* :func:`layer_backward_jacobians`: the Jacobians of the outputs with respect to every ``Linear`` layer's
  output (its pre-activations), stacked over examples and outputs, ``(N * k, out)``; linearly dependent
  columns are the second degeneracy;
* :func:`firing_groups`: hidden ReLUs that never fire, always fire, or fire on exactly the same examples
  as others: the third degeneracy;
* :func:`firing_restriction`: how many input directions each ReLU loses on the examples where it fires,
  and the same for random firing sets of the same sizes (a control);
* :func:`rank_accounting`: puts the three together into a prediction of the rank of the output Jacobian
  (the Hessian rank of the behavioural loss), to compare with the measured one;
* :func:`llc_sgld`: an SGLD estimate of the local learning coefficient, the effective parameter count of
  singular learning theory (``2 * llc`` plays the role of a parameter count), and :func:`llc_quadratic`,
  the value it would take if the loss were exactly quadratic with a given Hessian spectrum;
* :func:`train_stacked_regression`: many small ReLU networks (dense, or modular through masks) trained at
  once on their own data, as one batched tensor per layer.

Every rank is taken at the round-off tolerance of :func:`overparam_utils.hessian.rank_tolerance`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .hessian import FlatModel, numerical_rank, output_jacobian, rank_tolerance


def _linear_indices(model) -> list[int]:
    from torch import nn

    layers = list(model)
    idx = [i for i, m in enumerate(layers) if isinstance(m, nn.Linear)]
    if not idx or idx[-1] != len(layers) - 1:
        raise ValueError("expected an nn.Sequential of Linear and activation layers ending in a Linear")
    return idx


def _forward_trace(model, X):
    """Inputs of every Linear layer and their outputs (pre-activations), in float64."""
    import torch

    h = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    inputs, preacts = [], []
    with torch.no_grad():
        for module in model:
            if isinstance(module, torch.nn.Linear):
                inputs.append(h)
                h = module(h)
                preacts.append(h)
            else:
                h = module(h)
    return inputs, preacts


def layer_activations(model, X: ArrayLike) -> list[NDArray[np.float64]]:
    """For each ``Linear`` layer, its input on ``X (N, d)`` with a column of ones appended: ``(N, in + 1)``.

    The model is converted to float64 in place. The rank of this matrix is the layer's number of
    independent input directions; the weights acting on the rest change nothing on the data.
    """
    model.double()
    inputs, _ = _forward_trace(model, X)
    return [np.hstack([a.numpy(), np.ones((a.shape[0], 1))]) for a in inputs]


def layer_backward_jacobians(model, X: ArrayLike) -> list[NDArray[np.float64]]:
    """For each ``Linear`` layer, ``d outputs / d (its outputs)`` stacked over examples: ``(N * k, out)``.

    Row ``(i, c)`` is how output ``c`` on example ``i`` responds to the layer's pre-activations (for the last
    layer, the identity). Linearly dependent columns: directions in which changing the layer's output
    is invisible downstream on the data. The model is converted to float64 in place.
    """
    import torch
    from torch.func import jacrev, vmap

    model.double()
    layers = list(model)
    lin = _linear_indices(model)
    _, preacts = _forward_trace(model, X)
    out = []
    for j, i in enumerate(lin):
        tail = torch.nn.Sequential(*layers[i + 1 :])
        z = preacts[j]
        if len(tail) == 0:
            N, k = z.shape
            jac = np.broadcast_to(np.eye(k), (N, k, k))
        else:
            jac = vmap(jacrev(tail))(z).detach().numpy()  # (N, k, out)
        out.append(np.asarray(jac).reshape(-1, z.shape[1]))
    return out


def relu_patterns(model, X: ArrayLike) -> list[NDArray[np.bool_]]:
    """For each hidden layer, which ReLUs fire (pre-activation > 0) on which example: ``(N, width)``."""
    model.double()
    _, preacts = _forward_trace(model, X)
    return [(z > 0).numpy() for z in preacts[:-1]]


@dataclass(frozen=True)
class FiringGroups:
    """Hidden units of one layer grouped by their firing pattern on the data.

    ``dead``: units that fire on no example; ``always``: units that fire on every example (they act
    linearly); ``sizes``: the sizes of the groups of live units that fire on exactly the same examples
    (a unit with a pattern of its own is a group of size 1; the always-on units form one group).
    """

    width: int
    dead: int
    always: int
    sizes: tuple[int, ...]

    @property
    def synchronised(self) -> int:
        """Live units that share their firing pattern with at least one other unit."""
        return int(sum(s for s in self.sizes if s > 1))

    @property
    def synchronised_partial(self) -> int:
        """Units that fire on some but not all examples and share their firing set with another such unit:
        degeneracy (iii) beyond the trivial cases (dead units and always-on units, which act linearly)."""
        return self.synchronised - (self.always if self.always > 1 else 0)

    @property
    def symmetry_dimension(self) -> int:
        """Dimension of the weight changes that leave the outputs on the data unchanged, mixing this layer's
        live units with the next layer: ``m**2`` per group of ``m`` units with the same pattern (any invertible
        mixing of the group, undone by the next layer, including each unit's rescaling), plus ``m`` for the
        always-on group (a shift of its biases, undone by the next layer's biases)."""
        return int(sum(s * s for s in self.sizes) + self.always)


def firing_groups(pattern: ArrayLike) -> FiringGroups:
    """Group the columns of a firing pattern ``(N, width)`` (see :func:`relu_patterns`)."""
    pattern = np.asarray(pattern, dtype=bool)
    fires = pattern.sum(axis=0)
    dead = int(np.sum(fires == 0))
    always = int(np.sum(fires == pattern.shape[0]))
    live = pattern[:, fires > 0]
    _, counts = np.unique(live.T, axis=0, return_counts=True) if live.size else (None, np.array([], int))
    return FiringGroups(pattern.shape[1], dead, always, tuple(sorted((int(c) for c in counts), reverse=True)))


@dataclass(frozen=True)
class RankAccounting:
    """Where the parameters of a trained ReLU network go (chapter 11).

    Per ``Linear`` layer ``l``: ``fan_in`` (inputs + 1 for the bias), ``width`` (outputs), ``r_act`` (rank of
    :func:`layer_activations`), ``r_grad`` (rank of the backward Jacobians, :func:`layer_backward_jacobians`)
    and ``unit_rank``: for a layer followed by ReLUs, the sum over its units of the rank of the layer's input
    restricted to the examples on which the unit fires (a ReLU's incoming weights act only there); for the
    output layer ``r_act * width``. ``groups`` are the hidden layers' :class:`FiringGroups`.

    The output Jacobian's rows restricted to one layer are ``g (x) a`` (a backward row times an activation
    row), so layer ``l`` contributes at most ``min(r_act * r_grad, unit_rank)`` independent directions
    (``layer_bound``); the cross-layer symmetries of the firing groups remove ``symmetry`` more, which gives
    ``predicted``. ``rank_H`` is the measured rank of the behavioural-loss Hessian ``J^T J / (N k)`` at the
    round-off tolerance, ``eigvals`` its eigenvalues (decreasing).
    """

    n_params: int
    fan_in: tuple[int, ...]
    width: tuple[int, ...]
    r_act: tuple[int, ...]
    r_grad: tuple[int, ...]
    unit_rank: tuple[int, ...]
    groups: tuple[FiringGroups, ...]
    rank_H: int
    eigvals: NDArray[np.float64]

    @property
    def layer_params(self) -> tuple[int, ...]:
        return tuple(f * w for f, w in zip(self.fan_in, self.width, strict=True))

    @property
    def bound(self) -> int:
        """``sum_l r_act * r_grad``: what degeneracies (i) and (ii) alone leave."""
        return int(sum(a * g for a, g in zip(self.r_act, self.r_grad, strict=True)))

    @property
    def layer_bound(self) -> tuple[int, ...]:
        return tuple(min(a * g, u) for a, g, u in zip(self.r_act, self.r_grad, self.unit_rank, strict=True))

    @property
    def symmetry(self) -> int:
        return int(sum(g.symmetry_dimension for g in self.groups))

    @property
    def predicted(self) -> int:
        return int(sum(self.layer_bound)) - self.symmetry


def rank_accounting(model, X: ArrayLike) -> RankAccounting:
    """Measure the three degeneracies of ``model`` on ``X (N, d)`` and the rank of the behavioural Hessian.

    One forward-mode Jacobian ``J (N * k, P)`` of the outputs gives everything: its bias columns are the
    backward Jacobians of each layer, and ``J^T J / (N k)`` is the Hessian of the behavioural loss
    (:func:`behavioural_loss`) at the trained point. Every rank uses the round-off tolerance of
    :func:`overparam_utils.hessian.rank_tolerance`. Needs an ``nn.Sequential`` of ``Linear`` and ``ReLU``
    layers; the model is converted to float64 in place.
    """
    acts = layer_activations(model, X)
    patterns = relu_patterns(model, X)
    J = output_jacobian(model, X)
    N, k, P = J.shape
    J = J.reshape(N * k, P)
    offsets = np.cumsum([0] + [p.numel() for p in model.parameters()])
    linears = [m for m in model if hasattr(m, "weight")]
    grads, unit_rank = [], []
    for i, (layer, a) in enumerate(zip(linears, acts, strict=True)):
        bias = slice(offsets[2 * i + 1], offsets[2 * i + 2])  # d outputs / d bias = d outputs / d z
        grads.append(J[:, bias])
        if i < len(patterns):
            fires = patterns[i]
            unit_rank.append(sum(numerical_rank(a[fires[:, j]]) for j in range(fires.shape[1])))
        else:
            unit_rank.append(numerical_rank(a) * layer.out_features)
    H = J.T @ J / (N * k)
    eigvals = np.linalg.eigvalsh(H)[::-1]
    return RankAccounting(
        n_params=P,
        fan_in=tuple(a.shape[1] for a in acts),
        width=tuple(g.shape[1] for g in grads),
        r_act=tuple(numerical_rank(a) for a in acts),
        r_grad=tuple(numerical_rank(g) for g in grads),
        unit_rank=tuple(unit_rank),
        groups=tuple(firing_groups(p) for p in patterns),
        rank_H=int(np.sum(np.abs(eigvals) > rank_tolerance(np.abs(eigvals).max(), H.shape))),
        eigvals=eigvals,
    )


def firing_restriction(model, X: ArrayLike, *, shuffle_seed: int | None = None) -> int:
    """Directions lost by restricting each hidden ReLU's incoming weights to the examples on which it fires.

    Sums, over the units of every ``Linear`` layer followed by a ReLU, ``rank(A) - rank(A[fires_j])``, with
    ``A`` the layer's input :func:`layer_activations` and ``fires_j`` unit ``j``'s firing set: a unit's
    incoming weights act only on those examples, so input directions that are constant-free there change
    nothing (degeneracies *i* and *iii* of chapter 11, unit by unit). With ``shuffle_seed``, each unit's
    firing set is replaced by a random subset of the data of the same size: the control that keeps how often
    each unit fires but not *which* examples it selects. The model is converted to float64 in place.
    """
    acts = layer_activations(model, X)
    patterns = relu_patterns(model, X)
    rng = None if shuffle_seed is None else np.random.default_rng(shuffle_seed)
    lost = 0
    for a, fires in zip(acts, patterns, strict=False):
        full = numerical_rank(a)
        for j in range(fires.shape[1]):
            mask = fires[:, j] if rng is None else rng.permutation(fires[:, j])
            if mask.any():
                lost += full - numerical_rank(a[mask])
    return int(lost)


def behavioural_loss(model, X: ArrayLike) -> Callable:
    """``theta -> mean over examples and outputs of (f(theta, x) - f(theta*, x))**2 / 2``.

    ``theta*`` are the model's current parameters, where this loss is zero and its Hessian is
    ``J^T J / (N k)`` (``J`` the output Jacobian). The model is converted to float64 in place.
    """
    import torch

    model.double()
    flat = FlatModel.of(model)
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    with torch.no_grad():
        target = flat(flat.theta, X_t)
    return lambda theta: 0.5 * ((flat(theta, X_t) - target) ** 2).mean()


def llc_quadratic(eigvals: ArrayLike, nbeta: float, gamma: float) -> float:
    """The SGLD learning-coefficient estimate for an exactly quadratic loss with Hessian eigenvalues ``eigvals``.

    Sampling ``exp(-nbeta L(w) - gamma |w - w*|^2 / 2)`` with ``L = (w - w*)^T H (w - w*) / 2`` gives
    ``nbeta E[L] = sum_i (1/2) nbeta h_i / (nbeta h_i + gamma)``: each eigenvalue well above
    ``gamma / nbeta`` counts 1/2, each well below it counts 0. So ``2 * llc`` is a soft count of the
    eigenvalues above ``gamma / nbeta``. Chapter 11 compares it with :func:`llc_sgld`.
    """
    h = np.clip(np.asarray(eigvals, dtype=np.float64), 0.0, None)
    return float(0.5 * np.sum(nbeta * h / (nbeta * h + gamma)))


def llc_sgld(
    loss: Callable,
    theta_star,
    *,
    nbeta: float,
    gamma: float,
    lr: float,
    steps: int,
    chains: int = 4,
    burn_in: int | None = None,
    seed: int = 0,
) -> tuple[float, NDArray[np.float64]]:
    """Estimate the local learning coefficient at ``theta_star`` by stochastic-gradient Langevin dynamics.

    Runs ``chains`` chains (batched, one ``vmap``) of
    ``w <- w - (lr / 2) (nbeta grad L(w) + gamma (w - w*)) + sqrt(lr) xi`` from ``w*`` (full-batch gradients,
    so the only noise is the injected one) and returns ``nbeta * (mean L over the chains after burn_in -
    L(w*))`` with the per-step chain-mean losses ``(steps,)``. ``loss`` maps a flat parameter tensor to a
    scalar (e.g. :func:`behavioural_loss`); ``gamma`` keeps the chains near ``w*`` (localisation).
    """
    import torch
    from torch.func import grad, vmap

    gen = torch.Generator().manual_seed(seed)
    g = vmap(grad(loss))
    f = vmap(loss)
    w0 = theta_star.detach()
    w = w0.expand(chains, -1).clone()
    base = float(loss(w0))
    trace = np.empty(steps)
    with torch.no_grad():
        for t in range(steps):
            drift = nbeta * g(w) + gamma * (w - w0)
            noise = torch.randn(w.shape, generator=gen, dtype=w.dtype)
            w = w - 0.5 * lr * drift + np.sqrt(lr) * noise
            trace[t] = float(f(w).mean())
    burn = steps // 4 if burn_in is None else burn_in
    return float(nbeta * (trace[burn:].mean() - base)), trace


def train_stacked_regression(
    models: list,
    X: ArrayLike,
    Y: ArrayLike,
    masks: list | None = None,
    *,
    steps: int,
    lr: float,
    device: str = "cpu",
) -> NDArray[np.float64]:
    """Train several ReLU MLPs of one architecture at once, each on its own data, and write the weights back.

    ``models``: ``B`` networks ``nn.Sequential(Linear, ReLU, ..., Linear)`` of the same shapes; ``X (B, N, d)``
    and ``Y (B, N, k)``: each model's data; ``masks``: per model ``None`` or a list of 0/1 tensors, one per
    parameter in ``model.parameters()`` order (masked weights start at zero and stay there: how chapter 11
    imposes modularity). Each model follows full-batch Adam on its own mean squared error with a cosine
    schedule from ``lr`` to zero over ``steps`` (``torch.optim.Adam`` with ``CosineAnnealingLR``); the
    models are stacked into one batched tensor per layer so a step costs one batched product per layer, not
    one small network at a time. The stacks train on ``device`` (a chapter passes ``ch.device``) and the
    weights come back to wherever the models are. Returns each model's final training loss ``(B,)``.
    """
    import torch

    from .training import adam_step

    stacks = [
        torch.stack([p.detach().to(device) for p in ps]) for ps in zip(*(m.parameters() for m in models), strict=True)
    ]
    if masks is not None:
        full = [[torch.ones_like(p) for p in models[0].parameters()] if m is None else m for m in masks]
        mask_stacks = [torch.stack([m.to(device) for m in ms]) for ms in zip(*full, strict=True)]
        for s, m in zip(stacks, mask_stacks, strict=True):
            s.mul_(m)
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    Y = torch.as_tensor(np.asarray(Y), dtype=torch.float32, device=device)
    for s in stacks:
        s.requires_grad_(True)
    moments = [(torch.zeros_like(s), torch.zeros_like(s)) for s in stacks]

    def forward(h):
        n_layers = len(stacks) // 2
        for k in range(n_layers):
            W, b = stacks[2 * k], stacks[2 * k + 1]
            h = torch.baddbmm(b[:, None, :], h, W.transpose(1, 2))
            if k < n_layers - 1:
                h = torch.relu(h)
        return h

    for t in range(steps):
        per_model = ((forward(X) - Y) ** 2).mean(dim=(1, 2))
        grads = torch.autograd.grad(per_model.sum(), stacks)
        step_lr = lr * (1 + np.cos(np.pi * t / steps)) / 2
        with torch.no_grad():
            for i, (s, g, (m, v)) in enumerate(zip(stacks, grads, moments, strict=True)):
                if masks is not None:
                    g = g * mask_stacks[i]
                adam_step(s, g, m, v, t + 1, step_lr)
    with torch.no_grad():
        final = ((forward(X) - Y) ** 2).mean(dim=(1, 2))
        for b, model in enumerate(models):
            for p, s in zip(model.parameters(), stacks, strict=True):
                p.copy_(s[b])
    return final.cpu().numpy().astype(np.float64)
