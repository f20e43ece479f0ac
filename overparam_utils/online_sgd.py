"""Online SGD on linear regression, whose curves cross with scale (chapter 15).

Chapter 15 compares two methods by their loss at many scales (data size, examples seen) and asks
where the curves cross: the method that wins at small scale loses beyond that point. Finding the
crossing of two curves known on a grid lives in :mod:`overparam_utils.fits`.

* :func:`sgd_expected_risk` and :func:`online_sgd_linear`: online SGD on linear regression with a
  constant step, exactly in expectation and simulated over seeds in torch.
* :func:`decayed_sgd_risk` and :func:`decayed_expected_risk`: one run of online SGD per horizon, its
  learning rate decayed linearly to zero at the end of the run, simulated and exactly in expectation
  (chapter 15's learning-rate crossover: the best peak rate of a short run loses a long one).

The ridge regressions of chapter 15's explicit-L2 comparison use :class:`overparam_utils.ridge.RidgePath`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


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


def linear_decay(lr: float, steps: int) -> NDArray[np.float64]:
    """``(steps,)`` learning rates of a run of ``steps`` steps decayed linearly from ``lr`` to zero.

    Step ``s = 0 .. steps-1`` uses ``lr * (1 - s / steps)``: the first step takes the peak rate, the last
    ``lr / steps``.
    """
    if steps < 1:
        raise ValueError(f"steps={steps} must be at least 1")
    return lr * (1.0 - np.arange(steps) / steps)


def decayed_expected_risk(
    eigvals: ArrayLike, noise_var: float, lrs: ArrayLike, batch: int, horizons: ArrayLike, m0: ArrayLike
) -> NDArray[np.float64]:
    """Exact expected final excess risk of online SGD with the rate decayed linearly to zero.

    The model and update are those of :func:`sgd_expected_risk`; a run with horizon ``T`` examples takes
    ``T // batch`` steps with the rates of :func:`linear_decay` and ends at rate zero. The recursion for
    ``m_i = E (w - w*)_i**2`` is iterated step by step (the rate changes every step), for every peak rate at
    once. Returns the expected excess risk at the end of each run, ``(len(horizons), len(lrs))``.
    """
    lam = np.asarray(eigvals, dtype=np.float64)
    lrs = np.atleast_1d(np.asarray(lrs, dtype=np.float64))
    m0 = np.asarray(m0, dtype=np.float64)
    out = np.zeros((len(np.atleast_1d(horizons)), lrs.size))
    for i, T in enumerate(np.atleast_1d(horizons)):
        steps = int(T) // batch
        m = np.tile(m0, (lrs.size, 1))  # (lrs, d)
        for frac in 1.0 - np.arange(steps) / steps:
            eta = (lrs * frac)[:, None]
            m = (1 - 2 * eta * lam + eta**2 * lam**2 * (1 + 1 / batch)) * m + (eta**2 / batch) * lam * (
                (m @ lam)[:, None] + noise_var
            )
        out[i] = m @ lam
    return out


def decayed_sgd_risk(
    eigvals: ArrayLike,
    noise_stds: ArrayLike,
    lrs: ArrayLike,
    horizons: ArrayLike,
    batch: int,
    seeds: ArrayLike,
    chunk: int = 1024,
) -> NDArray[np.float64]:
    """Simulate one run of online SGD per (label noise, horizon, peak rate, seed), the rate decayed to zero.

    Linear regression with inputs ``x ~ N(0, diag(eigvals))``, teacher ``w* ~ N(0, I)`` drawn from each seed
    and labels ``y = x . w* + noise_std * eps`` for each level in ``noise_stds``. Every run starts from
    ``w = 0``, takes one step per mini-batch of ``batch`` fresh examples and, for horizon ``T`` (examples),
    stops after ``T // batch`` steps with the rates ``linear_decay(lr, T // batch)``. All runs of one seed
    read the same stream of inputs and of ``eps`` (common random numbers): a run of horizon ``T`` sees its
    first ``T`` examples, and the noise levels differ only in the factor on ``eps``. Returns the excess risk
    ``(w - w*)^T diag(eigvals) (w - w*)`` at the end of each run, ``(len(noise_stds), len(horizons),
    len(lrs), len(seeds))``. The stream is drawn ``chunk`` examples at a time (inputs, then noise), so it
    depends on ``chunk``. Chapter 15's per-horizon learning-rate comparison (numpy; all runs advance
    together, one step of every run per iteration).
    """
    lam = np.asarray(eigvals, dtype=np.float64)
    noise = np.atleast_1d(np.asarray(noise_stds, dtype=np.float64))
    lrs = np.atleast_1d(np.asarray(lrs, dtype=np.float64))
    horizons = np.atleast_1d(np.asarray(horizons, dtype=np.int64))
    if batch < 1 or np.any(horizons < batch) or np.any(horizons % batch):
        raise ValueError(f"horizons {horizons} must be positive multiples of batch={batch}")
    d, N, H, L, S = lam.size, noise.size, horizons.size, lrs.size, len(seeds)
    steps = horizons // batch  # (H,)
    gens = [np.random.default_rng(int(s)) for s in seeds]
    w_star = np.stack([g.standard_normal(d) for g in gens])  # (S, d)
    sqrt_lam = np.sqrt(lam)
    w = np.zeros((N, H, L, S, 1, d))
    out = np.full((N, H, L, S), np.nan)
    step_chunk = max(1, chunk // batch)
    total = int(steps.max())
    for start in range(0, total, step_chunk):
        count = min(step_chunk, total - start)
        X = np.stack([g.standard_normal((count, batch, d)) for g in gens], 1) * sqrt_lam  # (c, S, b, d)
        eps = np.stack([g.standard_normal((count, batch)) for g in gens], 1)  # (c, S, b)
        clean = (X @ w_star[None, :, :, None])[..., 0]  # (c, S, b)
        Y = clean[None] + noise[:, None, None, None] * eps[None]  # (N, c, S, b)
        Xt = X.transpose(0, 1, 3, 2)  # (c, S, d, b)
        for j in range(count):
            s = start + j
            # rate of step s in each horizon's run: lr (1 - s / steps), zero once the run has ended
            frac = np.where(s < steps, 1.0 - s / steps, 0.0)  # (H,)
            eta = (frac[:, None] * lrs[None, :] / batch)[None, :, :, None, None, None]
            resid = w @ Xt[j] - Y[:, j, None, None, :, None, :]  # (N, H, L, S, 1, b)
            w -= eta * (resid @ X[j])
            for h in np.flatnonzero(steps == s + 1):  # runs that end with this step
                out[:, h] = (((w[:, h, :, :, 0] - w_star) ** 2) * lam).sum(-1)
    return out
