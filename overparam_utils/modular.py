"""Modular addition and two-layer networks trained on it as one batched tensor computation (chapter 13).

The task: all ``p**2`` pairs ``(a, b)`` of residues modulo ``p`` with the label ``c = (a + b) mod p``. A
random part of the pairs is the training set and the rest the test set (:func:`random_splits`).

The model is the two-layer network of grokking studies: the input ``x = [onehot(a); onehot(b)]``
(length ``2p``), hidden units ``h = sigma(W x)`` with ``width`` units and a quadratic activation
``sigma(z) = z**2``, and outputs ``V h`` (``p`` of them), trained with the squared error to centred
one-hot targets. Because the input is one-hot, ``W x = W_a[a] + W_b[b]``: we store the first layer
as two tables ``W_a, W_b`` of shape ``(p, width)`` and never build the inputs.

:func:`train_two_layer` trains ``B`` such networks at once (different training sets, weight decays,
initialisations), stacked along a leading batch axis, with Adam and decoupled weight decay
(the update of ``torch.optim.AdamW``, with one decay per model), or with plain gradient descent.
Because the loss is a sum of the models' losses and Adam acts element by element, each model
follows exactly the path it would follow alone (tested). A step touches only each model's training
pairs (padded to a common count); a model can stop once its test accuracy passes a level, and then
leaves the batch. Every ``eval_every`` steps it records train and test accuracy and the
measures of the three stages of grokking: how far each layer moved from its initialisation, and how
concentrated each hidden unit is on one Fourier frequency (:func:`fourier_power`). :func:`linear_cka`
compares a hidden representation with the initial one (how much it changed, whatever the optimizer's
step sizes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .progress import progress
from .training import adam_step


def addition_table(p: int) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """All ``p**2`` pairs of residues and their sums: ``a, b, c`` of shape ``(p*p,)`` with
    ``c = (a + b) % p``; pair ``(a, b)`` sits at index ``a * p + b``."""
    if p < 2:
        raise ValueError(f"p={p} must be at least 2")
    a, b = np.divmod(np.arange(p * p), p)
    return a.astype(np.int64), b.astype(np.int64), ((a + b) % p).astype(np.int64)


def random_splits(p: int, fractions: ArrayLike, seeds: Sequence[int]) -> NDArray[np.bool_]:
    """Training masks ``(len(fractions), p*p)``: model ``i`` trains on ``round(fractions[i] * p**2)``
    pairs drawn at random (with its own ``seeds[i]``); the other pairs are its test set."""
    fractions = np.atleast_1d(np.asarray(fractions, dtype=np.float64))
    if len(seeds) != len(fractions):
        raise ValueError(f"{len(fractions)} fractions but {len(seeds)} seeds")
    if np.any((fractions <= 0) | (fractions >= 1)):
        raise ValueError(f"fractions {fractions} must lie strictly between 0 and 1")
    mask = np.zeros((len(fractions), p * p), dtype=bool)
    for i, (frac, seed) in enumerate(zip(fractions, seeds, strict=True)):
        n_train = int(round(frac * p * p))
        mask[i, np.random.default_rng(seed).permutation(p * p)[:n_train]] = True
    return mask


def fourier_power(W: ArrayLike) -> NDArray[np.float64]:
    """Power of each hidden unit's input weights at each frequency of ``Z_p``.

    ``W`` has shape ``(..., p, width)``: the weights from each residue to each unit (one half of the
    first layer, or several halves stacked in front). Returns ``(..., p // 2 + 1, width)``: row ``k`` is
    ``|sum_a W[a] exp(-2 pi i k a / p)|**2``, counted twice for ``0 < k < p/2`` (frequencies ``k`` and
    ``p - k`` carry the same power for real weights), so the rows sum to ``p * sum_a W[a]**2``
    (Parseval). Row 0 is the unit's mean, which carries no information about the residue.
    """
    W = np.asarray(W, dtype=np.float64)
    p = W.shape[-2]
    power = np.abs(np.fft.rfft(W, axis=-2)) ** 2
    power[..., 1 : (p + 1) // 2, :] *= 2
    return power


def fourier_concentration(W_a: ArrayLike, W_b: ArrayLike) -> NDArray[np.float64]:
    """Share of each unit's non-constant power that sits at its strongest frequency, ``(..., width)``.

    ``W_a, W_b``: ``(..., p, width)``, the two halves of the first layer; their powers are added. A unit
    whose weights are one pure cosine of frequency ``k`` in both halves scores 1; random Gaussian
    weights score about 0.2 for ``p = 23`` (the largest of 11 shares, each a sum of four squared
    Gaussians). Chapter 13 uses its mean over units as the feature-emergence measure.
    """
    power = fourier_power(W_a) + fourier_power(W_b)
    power = power[..., 1:, :]
    return power.max(axis=-2) / power.sum(axis=-2)


def dominant_frequency(W_a: ArrayLike, W_b: ArrayLike) -> NDArray[np.int64]:
    """The frequency ``k in 1..p//2`` with the most power for each unit, ``(..., width)``."""
    power = fourier_power(W_a) + fourier_power(W_b)
    return np.argmax(power[..., 1:, :], axis=-2) + 1


def hidden_features(W: ArrayLike) -> NDArray[np.float64]:
    """Hidden activations ``(W_a[a] + W_b[b])**2`` of one network on all pairs: ``W (2, p, width)`` gives
    ``(p*p, width)`` in the order of :func:`addition_table`."""
    W = np.asarray(W, dtype=np.float64)
    p, width = W.shape[1:]
    return ((W[0][:, None, :] + W[1][None, :, :]) ** 2).reshape(p * p, width)


def linear_cka(H1: ArrayLike, H2: ArrayLike) -> float:
    """Linear centred kernel alignment of two representations ``(n, d1)`` and ``(n, d2)`` of the
    same ``n`` inputs: ``||H1c^T H2c||_F^2 / (||H1c^T H1c||_F ||H2c^T H2c||_F)`` with column-centred
    ``H1c, H2c``. 1 when one is a rotation and rescaling of the other, near 0 for unrelated ones; it
    does not change when units are permuted or the whole layer is rescaled, so it measures how much
    the representation changed, not how far the weights moved. Chapter 13 compares the hidden layer
    with its initialisation."""
    A = np.asarray(H1, dtype=np.float64)
    B = np.asarray(H2, dtype=np.float64)
    A = A - A.mean(axis=0)
    B = B - B.mean(axis=0)
    cross = np.linalg.norm(A.T @ B) ** 2
    return float(cross / (np.linalg.norm(A.T @ A) * np.linalg.norm(B.T @ B)))


def ridge_readout_accuracy(W: ArrayLike, train_mask: ArrayLike, ridge: float = 1e-6) -> tuple[float, float]:
    """Train and test accuracy of the best top layer for a frozen first layer ``W (2, p, width)``.

    The top layer is fitted by ridge regression (penalty ``ridge`` on the summed squared error) to the
    centred one-hot targets of the training pairs (``train_mask``, ``(p*p,)`` booleans). With ``W`` at
    its random initialisation this is the lazy limit of the network, a random-feature model: chapter
    13 uses it to show that memorising needs no feature learning.
    """
    mask = np.asarray(train_mask, dtype=bool)
    H = hidden_features(W)
    p = int(round(np.sqrt(H.shape[0])))
    c = addition_table(p)[2]
    Y = np.eye(p)[c] - 1.0 / p
    Ht = H[mask]
    V = np.linalg.solve(Ht.T @ Ht + ridge * np.eye(H.shape[1]), Ht.T @ Y[mask])
    correct = (H @ V).argmax(axis=1) == c
    return float(correct[mask].mean()), float(correct[~mask].mean())


def frequency_counts(W_a: ArrayLike, W_b: ArrayLike, threshold: float = 0.5) -> NDArray[np.int64]:
    """How many hidden units have each frequency ``k = 1..p//2`` as their dominant one, counting only
    units whose :func:`fourier_concentration` exceeds ``threshold``. ``W_a, W_b``: ``(..., p, width)``;
    returns ``(..., p // 2)``. Chapter 13 compares the spread of these counts with independent choices."""
    conc = fourier_concentration(W_a, W_b)
    dom = dominant_frequency(W_a, W_b)
    n_freq = np.asarray(W_a).shape[-2] // 2
    onehot = (dom[..., None] == np.arange(1, n_freq + 1)) & (conc[..., None] > threshold)
    return onehot.sum(axis=-2).astype(np.int64)


@dataclass
class TrainingRecord:
    """What :func:`train_two_layer` records every ``eval_every`` steps, for ``B`` models.

    ``steps (T,)``; ``train_acc, test_acc, train_loss, w_move, v_move, concentration`` all ``(T, B)``.
    ``w_move`` and ``v_move`` are ``||W_t - W_0|| / ||W_0||`` for the first layer and the same for the
    top layer; ``concentration`` is the mean over units of :func:`fourier_concentration`.
    ``snapshots`` maps a step to the weights at that step, ``{"W": (B, 2, p, width), "V": (B, width, p)}``
    (``W[:, 0]`` and ``W[:, 1]`` are the halves for ``a`` and ``b``); ``final`` holds the last weights.
    """

    steps: NDArray[np.int64]
    train_acc: NDArray[np.float64]
    test_acc: NDArray[np.float64]
    train_loss: NDArray[np.float64]
    w_move: NDArray[np.float64]
    v_move: NDArray[np.float64]
    concentration: NDArray[np.float64]
    snapshots: dict[int, dict[str, NDArray[np.float64]]] = field(default_factory=dict)
    final: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    def first_step(self, key: str, level: float) -> NDArray[np.float64]:
        """For each model, the first recorded step at which ``key`` (e.g. ``"test_acc"``) reaches
        ``level``; ``inf`` where it never does. Shape ``(B,)``."""
        values = getattr(self, key)
        reached = values >= level
        out = np.full(values.shape[1], np.inf)
        hit = reached.any(axis=0)
        out[hit] = self.steps[np.argmax(reached[:, hit], axis=0)]
        return out


def init_two_layer(batch: int, p: int, width: int, seeds: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Initial weights for ``batch`` networks: ``W (batch, 2, p, width)`` with entries
    ``N(0, 1 / (2p))`` (unit-variance pre-activations: two inputs are on) and ``V (batch, width, p)``
    with entries ``N(0, 1 / width)``; model ``i`` is drawn from ``seeds[i]`` alone."""
    if len(seeds) != batch:
        raise ValueError(f"batch={batch} but {len(seeds)} seeds")
    W = np.empty((batch, 2, p, width))
    V = np.empty((batch, width, p))
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        W[i] = rng.normal(0.0, 1.0 / np.sqrt(2 * p), size=(2, p, width))
        V[i] = rng.normal(0.0, 1.0 / np.sqrt(width), size=(width, p))
    return W, V


def forward(W, V):
    """Outputs ``(B, p*p, p)`` of the networks ``W (B, 2, p, width)``, ``V (B, width, p)`` (torch tensors)
    on all pairs in the order of :func:`addition_table`: ``((W_a[a] + W_b[b])**2) @ V``. Built by
    broadcasting the two halves against each other (faster than gathering rows)."""
    B, _, p, width = W.shape
    hidden = (W[:, 0, :, None, :] + W[:, 1, None, :, :]) ** 2
    return hidden.reshape(B, p * p, width) @ V


def loss_and_gradients(W, V, target, weights):
    """The summed loss of ``B`` networks and its gradients, by hand (about twice as fast as autograd).

    ``W (B, 2, p, width)``, ``V (B, width, p)``, ``target (p*p, p)``, ``weights (B, p*p)``: the loss is
    ``sum_b sum_i weights[b, i] * ||out[b, i] - target[i]||**2`` (weights ``mask / n_train`` give each
    model its mean training loss). Returns ``(out, per_pair, grad_W, grad_V)`` with ``out (B, p*p, p)``
    and ``per_pair (B, p*p)`` the squared error of every pair (torch tensors, no autograd).
    """
    import torch

    B, _, p, width = W.shape
    pre = (W[:, 0, :, None, :] + W[:, 1, None, :, :]).reshape(B, p * p, width)
    hidden = pre.square()
    out = torch.bmm(hidden, V)
    resid = out - target
    per_pair = resid.square().sum(dim=-1)
    resid.mul_(2.0 * weights[:, :, None])
    grad_V = torch.bmm(hidden.transpose(1, 2), resid)
    d_pre = torch.bmm(resid, V.transpose(1, 2)).mul_(pre).mul_(2.0).view(B, p, p, width)
    grad_W = torch.stack([d_pre.sum(dim=2), d_pre.sum(dim=1)], dim=1)
    return out, per_pair, grad_W, grad_V


def train_two_layer(
    train_mask: ArrayLike,
    weight_decay: ArrayLike,
    *,
    width: int,
    lr: float,
    steps: int,
    init_seeds: Sequence[int],
    betas: tuple[float, float] = (0.9, 0.98),
    optimizer: str = "adam",
    eval_every: int = 50,
    eval_steps: Sequence[int] = (),
    snapshot_steps: Sequence[int] = (),
    stop_at: float | None = None,
    desc: str | None = None,
    device: str = "cpu",
) -> TrainingRecord:
    """Train ``B`` two-layer quadratic networks on modular addition, full batch, as one computation.

    Parameters
    ----------
    train_mask: ``(B, p*p)`` booleans (:func:`random_splits`): each model's training pairs; the rest
        are its test pairs.
    weight_decay: a float or ``(B,)`` values: decoupled weight decay of each model (AdamW's rule
        ``w <- w - lr * wd * w`` before each step, on both layers).
    width, lr, steps, betas: hidden units, step size, number of full-batch steps, Adam's betas.
    optimizer: ``"adam"`` (torch's Adam update, with the decoupled decay: ``AdamW``) or ``"gd"``
        (plain gradient descent, ``w <- w - lr * grad`` after the decay).
    init_seeds: ``B`` seeds for the initial weights (:func:`init_two_layer`).
    eval_every: record accuracies and stage measures every this many steps (and at the end).
    eval_steps: further steps at which to record (e.g. every early step, to time memorization).
    snapshot_steps: steps at which to keep the weights (they are recorded as well).
    stop_at: if given, a model whose test accuracy reaches it at a recorded step stops training
        there (it leaves the batch, which saves time); its later records repeat its last ones.
    device: where the tensors live (a chapter passes ``ch.device``); the weights are drawn on the CPU
        (:func:`init_two_layer`), so a seed gives the same networks everywhere; the record is NumPy.

    The loss of a model is the mean over its training pairs of ``||V h - (onehot(c) - 1/p)||**2``;
    the steps only touch the training pairs, the records evaluate all pairs. Returns a
    :class:`TrainingRecord`.
    """
    import torch

    if optimizer not in ("adam", "gd"):
        raise ValueError(f"optimizer={optimizer!r}: use 'adam' or 'gd'")
    mask_np = np.asarray(train_mask, dtype=bool)
    B, n_pairs = mask_np.shape
    p = int(round(np.sqrt(n_pairs)))
    if p * p != n_pairs:
        raise ValueError(f"train_mask has {n_pairs} columns, not a square p*p")

    def on(x, **kw):
        return torch.as_tensor(x, device=device, **kw)

    wd_all = on(np.broadcast_to(np.asarray(weight_decay, dtype=np.float32), (B,)).copy())
    a_np, b_np, c_np = addition_table(p)
    c = on(c_np)
    # the training pairs of each model, padded to a common length with weight 0
    counts = mask_np.sum(axis=1)
    n_max = int(counts.max())
    idx = np.zeros((B, n_max), dtype=np.int64)
    w_np = np.zeros((B, n_max), dtype=np.float32)
    for i in range(B):
        rows = np.flatnonzero(mask_np[i])
        idx[i, : len(rows)] = rows
        w_np[i, : len(rows)] = 1.0 / max(len(rows), 1)
    a_tr = on(a_np[idx])
    b_tr = on(b_np[idx])
    target_tr = torch.nn.functional.one_hot(on(c_np[idx]), p).float() - 1.0 / p
    weights_all = on(w_np)
    mask_all = on(mask_np, dtype=torch.float32)
    W0_np, V0_np = init_two_layer(B, p, width, init_seeds)
    W0_all = on(W0_np, dtype=torch.float32)
    V0_all = on(V0_np, dtype=torch.float32)
    W0_norm = W0_all.flatten(1).norm(dim=1)
    V0_norm = V0_all.flatten(1).norm(dim=1)
    W, V = W0_all.clone(), V0_all.clone()
    moments = [torch.zeros_like(W), torch.zeros_like(W), torch.zeros_like(V), torch.zeros_like(V)]
    active = np.arange(B)  # the models still training; W, V, moments hold their rows only
    W_last, V_last = W0_np.astype(np.float32), V0_np.astype(np.float32)
    keep = set(int(s) for s in snapshot_steps)
    record_at = sorted(set(range(0, steps + 1, eval_every)) | {steps} | keep | set(int(s) for s in eval_steps))
    record_at = [s for s in record_at if 0 <= s <= steps]
    T = len(record_at)
    names = ("train_acc", "test_acc", "train_loss", "w_move", "v_move", "concentration")
    table = {k: np.full((T, B), np.nan) for k in names}
    snapshots: dict[int, dict[str, np.ndarray]] = {}

    def record(row: int, step: int) -> np.ndarray:
        """Fill row ``row`` for the active models; return the active models' test accuracy."""
        sel = on(active)
        m = mask_all[sel]
        out = forward(W, V)
        correct = (out.argmax(dim=-1) == c).float()
        loss = (out - (torch.nn.functional.one_hot(c, p).float() - 1.0 / p)).square().sum(-1)
        n_tr = m.sum(1)
        test = 1.0 - m
        test_acc = ((correct * test).sum(1) / test.sum(1).clamp(min=1)).cpu().numpy()
        table["train_acc"][row, active] = ((correct * m).sum(1) / n_tr).cpu().numpy()
        table["test_acc"][row, active] = test_acc
        table["train_loss"][row, active] = ((loss * m).sum(1) / n_tr).cpu().numpy()
        table["w_move"][row, active] = ((W - W0_all[sel]).flatten(1).norm(dim=1) / W0_norm[sel]).cpu().numpy()
        table["v_move"][row, active] = ((V - V0_all[sel]).flatten(1).norm(dim=1) / V0_norm[sel]).cpu().numpy()
        Wn = W.cpu().numpy()
        table["concentration"][row, active] = fourier_concentration(Wn[:, 0], Wn[:, 1]).mean(axis=-1)
        W_last[active], V_last[active] = Wn, V.cpu().numpy()
        if step in keep:
            snapshots[step] = {"W": W_last.astype(np.float64), "V": V_last.astype(np.float64)}
        return test_acc

    row = 0
    for step in progress(range(steps + 1), desc=desc or "training", total=steps + 1):
        if row < T and step == record_at[row]:
            test_acc = record(row, step)
            row += 1
            if stop_at is not None and step < steps:
                going = test_acc < stop_at
                if not going.all():
                    if not going.any():
                        active = active[:0]
                        break
                    sel = on(np.flatnonzero(going))
                    active = active[going]
                    W, V = W[sel].clone(), V[sel].clone()
                    moments = [mo[sel].clone() for mo in moments]
                    n_max = int(counts[active].max())  # drop the padding no longer needed
        if step == steps:
            break
        sel = on(active)
        Wa, Wb = W[:, 0], W[:, 1]
        ai, bi = a_tr[sel, :n_max], b_tr[sel, :n_max]
        pre = Wa.gather(1, ai[:, :, None].expand(-1, -1, width)) + Wb.gather(1, bi[:, :, None].expand(-1, -1, width))
        hidden = pre.square()
        resid = torch.bmm(hidden, V).sub_(target_tr[sel, :n_max])
        resid.mul_(2.0 * weights_all[sel, :n_max, None])
        grad_V = torch.bmm(hidden.transpose(1, 2), resid)
        d_pre = torch.bmm(resid, V.transpose(1, 2)).mul_(pre).mul_(2.0)
        grad_W = torch.zeros_like(W)
        grad_W[:, 0].scatter_add_(1, ai[:, :, None].expand(-1, -1, width), d_pre)
        grad_W[:, 1].scatter_add_(1, bi[:, :, None].expand(-1, -1, width), d_pre)
        wd = wd_all[sel]
        W.mul_(1.0 - lr * wd[:, None, None, None])
        V.mul_(1.0 - lr * wd[:, None, None])
        if optimizer == "adam":
            adam_step(W, grad_W, moments[0], moments[1], step + 1, lr, betas)
            adam_step(V, grad_V, moments[2], moments[3], step + 1, lr, betas)
        else:
            W.sub_(grad_W, alpha=lr)
            V.sub_(grad_V, alpha=lr)

    for k in names:  # a stopped model keeps its last record
        col = table[k]
        for r in range(1, T):
            gap = np.isnan(col[r])
            col[r, gap] = col[r - 1, gap]
    for s in keep:
        snapshots.setdefault(s, {"W": W_last.astype(np.float64), "V": V_last.astype(np.float64)})
    return TrainingRecord(
        steps=np.array(record_at, dtype=np.int64),
        **table,
        snapshots=snapshots,
        final={"W": W_last.astype(np.float64), "V": V_last.astype(np.float64)},
    )
