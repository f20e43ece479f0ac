"""Denoising diffusion (DDPM) on small vectors: the noise schedule, a time-conditioned MLP that predicts the
noise, its training loop, the ancestral sampler and the exact noise predictor of a Gaussian mixture
(chapters 26 and 27; chapter 27 fine-tunes many copies at once with :func:`finetune_stack` and
samples them on shared noise with :func:`sample_stack`).

The forward process of Ho et al. (2020) noises a clean row ``x0`` of ``X (n, dim)`` in ``T`` steps; at step
``t`` (0-based here) it is ``x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps`` with ``eps ~ N(0, I)`` and
``abar_t`` the running product of ``1 - beta``. A network ``eps_fn(x_t, t)`` is trained to predict ``eps``
(:func:`train_denoiser`); :func:`sample` runs the reverse chain from pure noise with any such predictor,
a trained :class:`Denoiser` or the exact one of a known mixture (:func:`mixture_eps`), and can keep the
sequence of predicted clean samples ``x0_hat`` along the way. Chapter 26 samples a 1-D mixture of narrow
Gaussians; chapter 27 fine-tunes a denoiser of flattened 8x8 digits, on a chosen subset of its parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .training import adam_step


@dataclass(frozen=True)
class Schedule:
    """A DDPM noise schedule: ``betas (T,)`` as a float64 numpy array; the derived arrays are properties."""

    betas: NDArray[np.float64]

    @property
    def T(self) -> int:
        """The number of noising steps."""
        return len(self.betas)

    @property
    def alphas(self) -> NDArray[np.float64]:
        """``1 - beta_t``."""
        return 1.0 - self.betas

    @property
    def alpha_bar(self) -> NDArray[np.float64]:
        """``abar_t``: the product of ``alphas`` up to and including step ``t``."""
        return np.cumprod(self.alphas)


def linear_schedule(T: int = 100, beta_min: float | None = None, beta_max: float | None = None) -> Schedule:
    """Betas rising linearly from ``beta_min`` to ``beta_max`` over ``T`` steps.

    The defaults, ``0.1 / T`` and ``20 / T``, are DDPM's ``1e-4`` and ``0.02`` at ``T = 1000`` rescaled so
    that the total noise (``abar_T ~ exp(-10)``) does not depend on ``T``: a short chain is the same process,
    discretised more coarsely.
    """
    beta_min = 0.1 / T if beta_min is None else beta_min
    beta_max = min(20.0 / T, 0.999) if beta_max is None else beta_max
    return Schedule(np.linspace(beta_min, beta_max, T))


def add_noise(x0, t, schedule: Schedule, noise):
    """``x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise`` for torch tensors ``x0, noise (n, dim)``, ``t (n,)``."""
    import torch

    abar = torch.as_tensor(schedule.alpha_bar, dtype=x0.dtype, device=x0.device)[t][:, None]
    return abar.sqrt() * x0 + (1 - abar).sqrt() * noise


def _time_features(t, T: int, n_freq: int):
    """Sinusoidal features of the step ``t / T`` (``2 n_freq`` columns), the usual time embedding."""
    import torch

    s = (t.to(torch.float32) / T)[:, None]
    freqs = torch.pi * 2.0 ** torch.arange(n_freq, dtype=torch.float32, device=t.device)
    return torch.cat([torch.sin(s * freqs), torch.cos(s * freqs)], dim=1)


def denoiser(
    dim: int,
    T: int,
    width: int = 128,
    depth: int = 3,
    n_freq: int = 8,
    seed: int | None = None,
    device: str = "cpu",
    residual: bool = False,
):
    """A :class:`Denoiser` (an MLP ``eps_fn(x_t, t)``), its weights drawn on the CPU from ``seed`` (so a seed
    gives the same network on every device) and moved to ``device``. ``residual``: the hidden layers after the
    first add their output to their input (``h + silu(W h + b)``), which trains deeper nets faster."""
    import torch

    if seed is None:
        return _denoiser_class()(dim, T, width, depth, n_freq, residual).to(device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _denoiser_class()(dim, T, width, depth, n_freq, residual).to(device)


_DENOISER = None


def _denoiser_class():
    global _DENOISER
    if _DENOISER is not None:
        return _DENOISER
    from torch import nn

    class _Denoiser(nn.Module):
        """MLP noise predictor: input ``[x_t, time features]``, ``depth`` hidden layers of ``width`` SiLU
        units, output ``dim``. Layer ``k`` is ``self.layers[k]`` (a ``nn.Linear``), so a chapter can
        fine-tune a chosen subset (biases only, one layer) by name."""

        def __init__(self, dim: int, T: int, width: int = 128, depth: int = 3, n_freq: int = 8, residual: bool = False):
            super().__init__()
            self.dim, self.T, self.n_freq, self.residual = dim, T, n_freq, residual
            sizes = [dim + 2 * n_freq] + [width] * depth + [dim]
            self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True))

        def forward(self, x, t):
            import torch

            h = torch.cat([x, _time_features(t, self.T, self.n_freq)], dim=1)
            for k, layer in enumerate(self.layers[:-1]):
                out = nn.functional.silu(layer(h))
                h = h + out if self.residual and k > 0 else out
            return self.layers[-1](h)

    _Denoiser.__name__ = _Denoiser.__qualname__ = "Denoiser"
    _DENOISER = _Denoiser
    return _Denoiser


def __getattr__(name: str):
    # ``Denoiser`` is a torch module; built on first use so that importing this module stays cheap.
    if name == "Denoiser":
        return _denoiser_class()
    raise AttributeError(name)


def train_denoiser(
    model,
    X: ArrayLike,
    schedule: Schedule,
    *,
    steps: int,
    lr: float,
    batch_size: int = 256,
    seed: int = 0,
    params: Sequence | None = None,
) -> NDArray[np.float64]:
    """Train ``model`` to predict the noise (the DDPM loss ``|eps - eps_fn(x_t, t)|^2``, ``t`` uniform) on
    the rows of ``X``, by Adam; return the loss of every step.

    ``params``: the tensors to train (default: all of the model's); the others stay as they are, which is how
    a chapter fine-tunes a subset. Batches, steps and noise come from a CPU generator seeded by ``seed``, so
    a seed gives the same run on every device.
    """
    import torch

    where = next(model.parameters()).device
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    gen = torch.Generator().manual_seed(seed)
    params = list(model.parameters()) if params is None else list(params)
    trainable = {id(p) for p in params}
    for p in model.parameters():
        p.requires_grad_(id(p) in trainable)
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    losses = np.empty(steps)
    for step in range(steps):
        idx = torch.randint(len(X), (min(batch_size, len(X)),), generator=gen)
        t = torch.randint(schedule.T, (len(idx),), generator=gen)
        noise = torch.randn(len(idx), X.shape[1], generator=gen)
        x0, t, noise = X[idx].to(where), t.to(where), noise.to(where)
        loss = ((model(add_noise(x0, t, schedule, noise), t) - noise) ** 2).mean()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                adam_step(p, g, m, v, step + 1, lr)
        losses[step] = float(loss.detach())
    for p in model.parameters():
        p.requires_grad_(True)
    return losses


def sample(
    eps_fn: Callable,
    schedule: Schedule,
    n: int,
    dim: int,
    *,
    seed: int = 0,
    device: str = "cpu",
    keep_x0: bool = False,
):
    """``n`` samples by DDPM's ancestral reverse chain from ``x_{T-1} ~ N(0, I)``, with the noise predictor
    ``eps_fn(x_t, t)`` (torch tensors ``(n, dim)`` and ``(n,)`` in, ``(n, dim)`` out).

    Each step removes the predicted noise and adds fresh noise of the posterior's variance
    ``beta_t (1 - abar_{t-1}) / (1 - abar_t)`` (none at the last step). Returns numpy ``x (n, dim)`` and, with
    ``keep_x0``, ``x0_hat (T, n, dim)``: the predicted clean sample at each step, in the order the chain visits
    them (``x0_hat[-1]`` is the last step's prediction, ``t = 0``). Noise comes from a CPU generator seeded by
    ``seed``.
    """
    import torch

    gen = torch.Generator().manual_seed(seed)
    abar = schedule.alpha_bar
    x = torch.randn(n, dim, generator=gen).to(device)
    path = np.empty((schedule.T, n, dim), dtype=np.float32) if keep_x0 else None
    with torch.no_grad():
        for i, t in enumerate(range(schedule.T - 1, -1, -1)):
            eps = eps_fn(x, torch.full((n,), t, dtype=torch.long, device=device))
            if keep_x0:
                path[i] = ((x - math.sqrt(1 - abar[t]) * eps) / math.sqrt(abar[t])).cpu().numpy()
            beta = schedule.betas[t]
            x = (x - beta / math.sqrt(1 - abar[t]) * eps) / math.sqrt(1 - beta)
            if t > 0:
                var = beta * (1 - abar[t - 1]) / (1 - abar[t])
                x = x + math.sqrt(var) * torch.randn(n, dim, generator=gen).to(device)
    return x.cpu().numpy(), path


def mixture_eps(means: ArrayLike, sds: ArrayLike, weights: ArrayLike, schedule: Schedule) -> Callable:
    """The exact noise predictor ``E[eps | x_t]`` of data from a mixture of isotropic Gaussians.

    ``means (k, dim)``, ``sds (k,)`` and ``weights (k,)`` (summing to 1). At step ``t`` component ``j`` of the
    noised data is ``N(sqrt(abar_t) mu_j, (abar_t s_j^2 + 1 - abar_t) I)``, so the score of ``x_t`` is the
    responsibility-weighted ``-(x_t - sqrt(abar_t) mu_j) / v_j`` and ``E[eps | x_t] = -sqrt(1 - abar_t)`` times
    it. This is the predictor a denoiser would learn with unlimited capacity and data: sampling with it draws
    from the mixture itself, up to the chain's discretisation.
    """
    import torch

    means = np.atleast_2d(np.asarray(means, dtype=np.float64))
    sds, weights = np.asarray(sds, dtype=np.float64), np.asarray(weights, dtype=np.float64)
    abar_all = schedule.alpha_bar

    def eps_fn(x, t):
        ab = torch.as_tensor(abar_all, dtype=torch.float64, device=x.device)[t][:, None]  # (n, 1)
        mu = torch.as_tensor(means, device=x.device)  # (k, dim)
        var = ab * torch.as_tensor(sds**2, device=x.device)[None, :] + (1 - ab)  # (n, k)
        diff = x.to(torch.float64)[:, None, :] - ab.sqrt()[:, :, None] * mu[None]  # (n, k, dim)
        logp = (
            torch.log(torch.as_tensor(weights, device=x.device))[None]
            - 0.5 * (diff**2).sum(-1) / var
            - 0.5 * x.shape[1] * torch.log(var)
        )
        resp = torch.softmax(logp, dim=1)
        score = -(resp[:, :, None] * diff / var[:, :, None]).sum(1)
        return (-(1 - ab).sqrt() * score).to(x.dtype)

    return eps_fn


def _stacked_forward(model, stack: dict, x, t):
    """The outputs of ``B`` copies of the :class:`Denoiser` ``model`` whose weights are ``stack`` (``{name:
    (B, *shape)}``) on ``x (B, n, dim)`` at steps ``t (B, n)``: one batched product per layer."""
    import torch
    from torch import nn

    B, n, _ = x.shape
    h = torch.cat([x, _time_features(t.reshape(-1), model.T, model.n_freq).reshape(B, n, -1)], dim=2)
    L = len(model.layers)
    for k in range(L):
        W, b = stack[f"layers.{k}.weight"], stack[f"layers.{k}.bias"]
        z = torch.baddbmm(b[:, None, :], h, W.transpose(1, 2))
        if k == L - 1:
            return z
        out = nn.functional.silu(z)
        h = h + out if model.residual and k > 0 else out


def finetune_stack(
    model,
    X: ArrayLike,
    schedule: Schedule,
    masks: Sequence[dict],
    *,
    steps: int,
    lr: float,
    batch_size: int = 256,
    seed: int = 0,
) -> dict:
    """Fine-tune ``len(masks)`` copies of the :class:`Denoiser` ``model`` at once on the rows of ``X``, each on
    its own subset of the parameters; return their weights stacked, ``{name: tensor (B, *shape)}`` (``model``
    itself is left as it is).

    ``masks[b]`` maps a parameter's name (``model.named_parameters()``) to ``True`` (train it), ``False`` or a
    0/1 tensor of its shape; a name left out is not trained. Each copy follows :func:`train_denoiser`'s loss
    and Adam on its own batches of ``batch_size`` rows (drawn with replacement, so a batch may be larger than
    ``X``), steps and noise, from one CPU generator seeded by ``seed``: two copies with the same mask are two
    independent fine-tuning runs. The copies run as one batched network, so ``B`` runs cost about one run's
    Python overhead.
    """
    import torch

    where = next(model.parameters()).device
    named = dict(model.named_parameters())
    B = len(masks)
    stack = {k: p.detach().expand(B, *p.shape).clone().requires_grad_(True) for k, p in named.items()}
    mask = {
        k: torch.stack([torch.as_tensor(m.get(k, False), dtype=p.dtype, device=where).expand_as(p) for m in masks])
        for k, p in named.items()
    }
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    abar = torch.as_tensor(schedule.alpha_bar, dtype=torch.float32, device=where)
    gen = torch.Generator().manual_seed(seed)
    moments = {k: (torch.zeros_like(p), torch.zeros_like(p)) for k, p in stack.items()}
    for step in range(steps):
        idx = torch.randint(len(X), (B, batch_size), generator=gen)
        t = torch.randint(schedule.T, (B, batch_size), generator=gen).to(where)
        noise = torch.randn(B, batch_size, X.shape[1], generator=gen).to(where)
        a = abar[t][..., None]
        x_t = a.sqrt() * X[idx].to(where) + (1 - a).sqrt() * noise
        loss = ((_stacked_forward(model, stack, x_t, t) - noise) ** 2).mean(dim=(1, 2)).sum()
        grads = torch.autograd.grad(loss, list(stack.values()))
        with torch.no_grad():
            for (k, p), g in zip(stack.items(), grads, strict=True):
                adam_step(p, g * mask[k], *moments[k], step + 1, lr)
    return {k: p.detach() for k, p in stack.items()}


def sample_stack(model, stack: dict, schedule: Schedule, n: int, *, seed: int = 0) -> NDArray[np.float64]:
    """``n`` samples from each network of ``stack`` (as returned by :func:`finetune_stack`) by :func:`sample`'s
    chain, every network starting from the same noise and receiving the same fresh noise at each step, so the
    networks are compared on paired draws. Returns ``(B, n, dim)``."""
    import torch

    where = next(model.parameters()).device
    B = next(iter(stack.values())).shape[0]
    gen = torch.Generator().manual_seed(seed)
    abar = schedule.alpha_bar
    x = torch.randn(n, model.dim, generator=gen).to(where).expand(B, n, model.dim)
    with torch.no_grad():
        for t in range(schedule.T - 1, -1, -1):
            eps = _stacked_forward(model, stack, x, torch.full((B, n), t, dtype=torch.long, device=where))
            beta = schedule.betas[t]
            x = (x - beta / math.sqrt(1 - abar[t]) * eps) / math.sqrt(1 - beta)
            if t > 0:
                var = beta * (1 - abar[t - 1]) / (1 - abar[t])
                x = x + math.sqrt(var) * torch.randn(n, model.dim, generator=gen).to(where)
    return x.cpu().numpy().astype(np.float64)
