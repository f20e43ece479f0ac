"""The toy models whose curves cross with scale (chapter 15).

Chapter 15 compares two methods by their loss at many scales (data size, examples seen) and asks
where the curves cross: the method that wins at small scale loses beyond that point. Finding the
crossing of two curves known on a grid lives in :mod:`overparam_utils.fits`.

* :func:`ridge_path`: ridge regression with a per-sample penalty for many penalties at once (the
  explicit-L2 comparison of chapter 15).
* :func:`sgd_expected_risk` and :func:`online_sgd_linear`: online SGD on linear regression, exactly
  in expectation and simulated over seeds in torch (the learning-rate and batch-size crossovers).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def ridge_path(F: ArrayLike, y: ArrayLike, lams: ArrayLike, rtol: float = 1e-10) -> NDArray[np.float64]:
    """Ridge weights for every penalty in ``lams`` from one eigendecomposition (chapter 15).

    ``F (n, P)`` features, ``y (n,)`` targets; the loss is the *per-sample* one,
    ``||y - F w||**2 / n + lam * ||w||**2``, so a fixed ``lam`` keeps the same strength as ``n`` grows
    (like weight decay). ``lam = 0`` gives the minimum-norm least-squares solution (eigenvalues of
    ``F^T F / n`` below ``rtol`` times the largest count as zero). Returns ``(len(lams), P)``.
    Works on the ``P x P`` Gram matrix, so a large ``n`` costs one matrix product.
    """
    F = np.asarray(F, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    lams = np.atleast_1d(np.asarray(lams, dtype=np.float64))
    if np.any(lams < 0):
        raise ValueError(f"penalties {lams} must be non-negative")
    n = F.shape[0]
    eigvals, Q = np.linalg.eigh(F.T @ F / n)
    proj = Q.T @ (F.T @ y / n)
    keep = eigvals > rtol * eigvals.max()
    denom = eigvals[None, :] + lams[:, None]
    coords = np.where(keep[None, :], proj[None, :] / np.where(keep[None, :], denom, 1.0), 0.0)
    return coords @ Q.T


def sgd_expected_risk(
    eigvals: ArrayLike, noise_var: float, lr: float, batch: int, steps: ArrayLike, m0: ArrayLike
) -> NDArray[np.float64]:
    """Exact expected excess risk of online mini-batch SGD on linear regression with Gaussian inputs.

    Inputs ``x ~ N(0, diag(eigvals))``, labels ``y = x . w* + noise`` (variance ``noise_var``), one fresh
    mini-batch of ``batch`` examples per step, update ``w <- w - lr * mean_j x_j (x_j . w - y_j)``.
    For Gaussian inputs the expected squared error ``m_i = E (w - w*)_i**2`` along each eigendirection
    obeys a closed linear recursion (fourth moments of a Gaussian),

    ``m' = (1 - 2 lr l + lr**2 l**2 (1 + 1/b)) m + (lr**2 / b) l (l . m + noise_var)``,

    solved here for every step count at once from one eigendecomposition of its matrix. ``m0 (d,)``
    is ``E (w_0 - w*)**2`` per direction. Returns the excess risk ``sum_i l_i m_i`` after each of
    ``steps`` (``(len(steps),)``). Chapter 15 draws it next to simulated runs (:func:`online_sgd_linear`).
    """
    lam = np.asarray(eigvals, dtype=np.float64)
    m0 = np.asarray(m0, dtype=np.float64)
    t = np.atleast_1d(np.asarray(steps, dtype=np.float64))
    A = np.diag(1 - 2 * lr * lam + lr**2 * lam**2 * (1 + 1 / batch)) + (lr**2 / batch) * np.outer(lam, lam)
    c = (lr**2 / batch) * noise_var * lam
    alpha, Q = np.linalg.eigh(A)
    if np.any(np.abs(alpha) >= 1):
        raise ValueError(f"lr={lr} with batch={batch} is unstable: the expected error grows")
    powers = alpha[None, :] ** t[:, None]
    m_t = (powers * (Q.T @ m0)) @ Q.T + ((1 - powers) / (1 - alpha) * (Q.T @ c)) @ Q.T
    return m_t @ lam


def online_sgd_linear(
    eigvals: ArrayLike,
    noise_std: float,
    lrs: ArrayLike,
    batches: ArrayLike,
    n_samples: int,
    checkpoints: ArrayLike,
    seeds: ArrayLike,
    chunk: int = 4096,
    desc: str | None = None,
) -> NDArray[np.float64]:
    """Simulate online SGD on linear regression for several (lr, batch) settings and seeds, in torch.

    Every setting ``k`` (``lrs[k]``, ``batches[k]``) and seed ``s`` starts from ``w = 0`` with a teacher
    ``w* ~ N(0, I)`` drawn from ``seeds[s]``, and all settings of one seed see the *same* stream of
    fresh examples ``x ~ N(0, diag(eigvals))``, ``y = x . w* + noise_std * eps`` (common random numbers,
    so their differences are not blurred by different data). A setting with batch ``b`` takes one step
    per ``b`` examples, averaging their gradients. Returns the exact excess risk
    ``(w - w*)^T diag(eigvals) (w - w*)`` after each number of examples in ``checkpoints``:
    ``(len(checkpoints), len(lrs), len(seeds))``. Chapter 15's learning-rate and batch-size crossovers.
    """
    import torch

    from .progress import progress

    lam = torch.as_tensor(np.asarray(eigvals, dtype=np.float64))
    lrs_t = torch.as_tensor(np.asarray(lrs, dtype=np.float64))
    batches_np = np.asarray(batches, dtype=np.int64)
    if lrs_t.shape != (len(batches_np),) or np.any(batches_np < 1):
        raise ValueError("give one positive batch size per learning rate")
    keep = sorted(set(int(c) for c in np.atleast_1d(checkpoints)))
    if keep[0] < 0 or keep[-1] > n_samples:
        raise ValueError(f"checkpoints must lie in [0, {n_samples}]")
    d, K, S = lam.numel(), len(batches_np), len(seeds)
    gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
    w_star = torch.stack([torch.randn(d, generator=g, dtype=torch.float64) for g in gens])  # (S, d)
    scale = lam.sqrt()
    w = torch.zeros(K, S, 1, d, dtype=torch.float64)
    grad = torch.zeros_like(w)
    tick = int(np.gcd.reduce(batches_np))  # examples consumed per iteration
    if n_samples % tick or any(k % tick for k in keep):
        raise ValueError(f"n_samples and checkpoints must be multiples of {tick}")
    cycle = int(np.lcm.reduce(batches_np))
    lrs_np = np.asarray(lrs, dtype=np.float64)
    # after example number `done` (mod cycle) the settings whose batch is complete take a step
    factors, resets = {}, {}
    for done in range(tick, cycle + 1, tick):
        ends = (done % batches_np == 0).astype(np.float64)
        factors[done % cycle] = torch.as_tensor(lrs_np * ends / batches_np)[:, None, None, None]
        resets[done % cycle] = torch.as_tensor(1.0 - ends)[:, None, None, None]
    keep_set = set(keep)
    out = []

    def risk():
        return (((w[:, :, 0] - w_star) ** 2) * lam).sum(-1).numpy().copy()  # (K, S)

    if 0 in keep_set:
        out.append(risk())
    chunk = max(tick, chunk - chunk % tick)
    done = 0
    for start in progress(range(0, n_samples, chunk), desc=desc or "online SGD"):
        size = min(chunk, n_samples - start)
        X = torch.stack([torch.randn(size, d, generator=g, dtype=torch.float64) for g in gens], 1) * scale
        noise = torch.stack([torch.randn(size, generator=g, dtype=torch.float64) for g in gens], 1)
        Y = (X * w_star).sum(-1) + noise_std * noise  # (size, S)
        # per iteration j: examples X[j] (S, tick, d) and labels Y[j] (S, 1, tick)
        X = X.reshape(size // tick, tick, S, d).permute(0, 2, 1, 3).contiguous()
        Y = Y.reshape(size // tick, tick, S).permute(0, 2, 1)[:, :, None, :].contiguous()
        Xt = X.transpose(-1, -2).contiguous()  # (iterations, S, d, tick)
        for j in range(size // tick):
            resid = torch.matmul(w, Xt[j]).sub_(Y[j])  # (K, S, 1, tick)
            grad.add_(torch.matmul(resid, X[j]))  # (K, S, 1, d)
            done += tick
            phase = done % cycle
            w.sub_(factors[phase] * grad)
            grad.mul_(resets[phase])
            if done in keep_set:
                out.append(risk())
    return np.array(out)
