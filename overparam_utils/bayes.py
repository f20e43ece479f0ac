"""Bayesian mixture learners over huge classes of small networks, and a Langevin sampler (chapter 20).

The hypothesis class of chapter 20 is the set of Boolean functions of ``n_bits`` inputs computed by
one-hidden-layer *sign networks* ``f(x) = sum_k v_k sign(w_k . x + b_k) + c`` with every parameter drawn
uniformly from ``[-1, 1]``. A uniform prior over parameters induces a very non-uniform prior over
functions: :func:`sign_network_tables` samples networks and returns their truth tables, and
:func:`function_weights` turns them into the prior weight ``W(f)`` of each function.

With the noisy-label likelihood ``p_f(y | x) = 1 - eps`` if ``y = f(x)`` and ``eps`` otherwise, the Bayes
mixture ``sum_f W(f) p_f`` predicts sequentially; :func:`mixture_regret` computes its cumulative log-loss
regret against the true function exactly, and :func:`kl_ball_bound` the standard bound
``min_delta [-log W(B_delta) + n delta]`` over KL balls ``B_delta`` around the truth.

:func:`sgld` is stochastic-gradient Langevin dynamics (Welling & Teh, 2011) for many chains at once, with
optional reflection at the walls of a box (for the uniform prior). :class:`SoftSignNetwork` is the smooth
version of the sign networks whose posterior it samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp


def boolean_inputs(n_bits: int) -> NDArray[np.float64]:
    """``(2**n_bits, n_bits)`` matrix of all inputs in ``{-1, +1}^n_bits``; row ``i`` has bit ``j`` of ``i``
    as coordinate ``j`` (``+1`` for a set bit)."""
    idx = np.arange(2**n_bits)
    return np.where((idx[:, None] >> np.arange(n_bits)) & 1, 1.0, -1.0)


def n_parameters(n_bits: int, width: int) -> int:
    """Number of parameters of a one-hidden-layer network ``n_bits -> width -> 1``: ``width (n_bits + 2) + 1``."""
    return width * (n_bits + 2) + 1


def sign_network_tables(
    n_bits: int, width: int, n_networks: int, rng: np.random.Generator, chunk: int = 20_000
) -> NDArray[np.int64]:
    """Truth tables of ``n_networks`` random sign networks with parameters uniform in ``[-1, 1]``.

    Returns ``(n_networks,)`` integers whose bit ``i`` is the output ``[f(x_i) > 0]`` on input ``i`` of
    :func:`boolean_inputs` (so ``n_bits <= 6``).
    """
    if n_bits > 6:
        raise ValueError("truth tables are stored in 64-bit integers: n_bits must be at most 6")
    X = boolean_inputs(n_bits)
    powers = 2 ** np.arange(2**n_bits, dtype=np.int64)
    out = []
    for start in range(0, n_networks, chunk):
        m = min(chunk, n_networks - start)
        W = rng.uniform(-1, 1, (m, width, n_bits))
        b = rng.uniform(-1, 1, (m, width))
        v = rng.uniform(-1, 1, (m, width))
        c = rng.uniform(-1, 1, m)
        hidden = np.sign(np.einsum("mkd,xd->mxk", W, X) + b[:, None, :])
        f = hidden @ v[:, :, None]
        bits = (f[:, :, 0] + c[:, None]) > 0
        out.append(bits.astype(np.int64) @ powers)
    return np.concatenate(out)


def lookup_table_tables(n_bits: int, n_networks: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Truth tables of ``n_networks`` random *lookup tables*: one parameter ``theta_x`` uniform in ``[-1, 1]``
    per input and output ``[theta_x > 0]``. A uniform prior over parameters again, but no parameter is shared
    between inputs, so the prior over functions is uniform (the control of chapter 20). ``(n_networks,)``."""
    bits = rng.uniform(-1, 1, (n_networks, 2**n_bits)) > 0
    return bits.astype(np.int64) @ (2 ** np.arange(2**n_bits, dtype=np.int64))


def function_weights(tables: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Distinct functions and their prior weights, heaviest first.

    ``tables (M,)`` truth tables of networks drawn from the prior. Returns ``functions (F,)`` and
    ``weights (F,)``, the fraction of the ``M`` networks computing each function (they sum to 1).
    """
    functions, counts = np.unique(np.asarray(tables), return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return functions[order], counts[order] / counts.sum()


def table_bits(functions: ArrayLike, n_inputs: int) -> NDArray[np.int64]:
    """``(F, n_inputs)`` 0/1 outputs of each truth table on each input."""
    return (np.asarray(functions)[:, None] >> np.arange(n_inputs)) & 1


def hamming(functions: ArrayLike, target: int, n_inputs: int) -> NDArray[np.int64]:
    """``(F,)`` number of inputs on which each function differs from ``target``."""
    return table_bits(np.bitwise_xor(np.asarray(functions), int(target)), n_inputs).sum(axis=1)


def noisy_labels(
    target: int, n: int, n_inputs: int, eps: float, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``n`` examples of ``target``: inputs uniform over ``range(n_inputs)`` and labels flipped w.p. ``eps``."""
    x = rng.integers(0, n_inputs, size=n)
    y = ((int(target) >> x) & 1) ^ (rng.random(n) < eps)
    return x, y.astype(np.int64)


def mixture_regret(
    functions: ArrayLike,
    weights: ArrayLike,
    target: int,
    x: ArrayLike,
    y: ArrayLike,
    eps: float,
    n_inputs: int,
    at: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Cumulative log-loss regret ``R_t = log p*(y_1..t) - log sum_f W(f) p_f(y_1..t)``, ``t = 1..n``.

    ``p*`` is the noisy-label likelihood of ``target``; the mixture is over ``functions (F,)`` with prior
    ``weights (F,)``. Each ``p_f`` depends on the data only through the number of mismatches
    ``m_f(t) = #{s <= t : y_s != f(x_s)}``, so all ``R_t`` come from one matrix product. Returns ``(n,)``,
    or only the sample sizes ``t`` listed in ``at`` (each in ``1..n``; cheaper for a large class).
    Nats. (It is also the sequential mixture's cumulative log-loss in excess of the truth's.)
    """
    x, y = np.asarray(x), np.asarray(y)
    n = len(x)
    t = np.arange(1, n + 1) if at is None else np.asarray(at, dtype=np.int64)
    onehot = np.zeros((n_inputs, n))
    onehot[x, np.arange(n)] = 1.0
    ones = np.cumsum(onehot * y, axis=1)[:, t - 1]  # (inputs, len(t)): label-1 counts up to t
    zeros = np.cumsum(onehot * (1 - y), axis=1)[:, t - 1]
    bits = table_bits(functions, n_inputs).astype(np.float64)
    mismatches = (1 - bits) @ ones + bits @ zeros  # (F, len(t))
    log_right, log_wrong = np.log1p(-eps), np.log(eps)
    loglik = (t - mismatches) * log_right + mismatches * log_wrong
    log_mix = logsumexp(loglik + np.log(np.asarray(weights))[:, None], axis=0)
    target_bits = (int(target) >> x) & 1
    m_star = np.cumsum(target_bits != y)[t - 1]
    loglik_star = (t - m_star) * log_right + m_star * log_wrong
    return loglik_star - log_mix


def uniform_prior_regret(
    target: int, x: ArrayLike, y: ArrayLike, eps: float, n_inputs: int, at: ArrayLike | None = None
) -> NDArray[np.float64]:
    """:func:`mixture_regret` for the uniform prior over *all* ``2**n_inputs`` functions, in closed form.

    That prior is a lookup table with one fair coin per input (no parameters shared between inputs), so
    the mixture factorises over inputs: ``R_t = sum_x [log p*(labels at x) - log((A_x + B_x) / 2)]`` with
    ``A_x``, ``B_x`` the likelihoods of the labels seen at ``x`` if its bit is 1 or 0. Returns ``(n,)`` or the
    sample sizes in ``at``. Its large-``n`` limit is ``n_inputs log 2``, the same for every target.
    """
    x, y = np.asarray(x), np.asarray(y)
    n = len(x)
    t = np.arange(1, n + 1) if at is None else np.asarray(at, dtype=np.int64)
    onehot = np.zeros((n_inputs, n))
    onehot[x, np.arange(n)] = 1.0
    ones = np.cumsum(onehot * y, axis=1)[:, t - 1]
    zeros = np.cumsum(onehot * (1 - y), axis=1)[:, t - 1]
    log_right, log_wrong = np.log1p(-eps), np.log(eps)
    log_a = ones * log_right + zeros * log_wrong  # the input's bit is 1
    log_b = ones * log_wrong + zeros * log_right  # its bit is 0
    target_bits = ((int(target) >> np.arange(n_inputs)) & 1)[:, None]
    log_star = np.where(target_bits == 1, log_a, log_b)
    return (log_star - (np.logaddexp(log_a, log_b) - np.log(2))).sum(axis=0)


def uniform_prior_predictive(ones: ArrayLike, zeros: ArrayLike, eps: float) -> NDArray[np.float64]:
    """``p(y = 1 | x)`` of the Bayes mixture under the uniform prior over all functions, from the label
    counts ``ones``, ``zeros`` seen at each input (any shape): each input's bit has posterior odds
    ``((1 - eps) / eps) ** (ones - zeros)`` and the prediction mixes ``1 - eps`` and ``eps`` with them."""
    log_odds = (np.asarray(ones) - np.asarray(zeros)) * np.log((1 - eps) / eps)
    from scipy.special import expit

    bit_one = expit(log_odds)
    return (1 - eps) * bit_one + eps * (1 - bit_one)


def total_influence(functions: ArrayLike, n_bits: int) -> NDArray[np.float64]:
    """Average sensitivity (total influence) of each truth table: ``sum_j Pr_x[f(x) != f(x with bit j
    flipped)]`` over uniform inputs, a complexity measure of Boolean functions that knows nothing of any
    prior: 0 for a constant, 1 for a function of one input, ``n_bits`` for parity. ``(F,)``."""
    bits = table_bits(functions, 2**n_bits)
    idx = np.arange(2**n_bits)
    return sum((bits != bits[:, idx ^ (1 << j)]).mean(axis=1) for j in range(n_bits))


def relevant_inputs(functions: ArrayLike, n_bits: int) -> NDArray[np.int64]:
    """Number of input coordinates each truth table depends on: ``(F,)`` integers in ``0..n_bits``."""
    bits = table_bits(functions, 2**n_bits)
    idx = np.arange(2**n_bits)
    return sum((bits != bits[:, idx ^ (1 << j)]).any(axis=1) for j in range(n_bits)).astype(np.int64)


def per_input_kl(eps: float) -> float:
    """KL divergence (nats) between the label laws of two functions on an input where they differ:
    ``(1 - 2 eps) log((1 - eps) / eps)``."""
    return (1 - 2 * eps) * np.log((1 - eps) / eps)


def kl_ball_bound(
    functions: ArrayLike, weights: ArrayLike, target: int, n: ArrayLike, eps: float, n_inputs: int
) -> NDArray[np.float64]:
    """The mixture-regret bound ``min_delta [-log W(B_delta) + n delta]`` for each sample size in ``n``.

    ``B_delta`` holds the functions whose per-example KL divergence from the truth,
    ``hamming / n_inputs * per_input_kl(eps)`` with inputs uniform, is at most ``delta``. The bound holds
    for the expected regret ``E[R_n]``.
    """
    dist = hamming(functions, target, n_inputs)
    w = np.asarray(weights)
    levels = np.arange(n_inputs + 1)
    ball = np.array([w[dist <= h].sum() for h in levels])
    delta = levels / n_inputs * per_input_kl(eps)
    ok = ball > 0
    n = np.atleast_1d(np.asarray(n, dtype=np.float64))
    return np.min(-np.log(ball[ok])[None, :] + n[:, None] * delta[ok][None, :], axis=1)


def bernoulli_kl(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """``KL(Bern(p) || Bern(q))`` elementwise, in nats (``q`` clipped away from 0 and 1)."""
    p = np.asarray(p, dtype=np.float64)
    q = np.clip(np.asarray(q, dtype=np.float64), 1e-12, 1 - 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(p / q), 0.0)
        b = np.where(p < 1, (1 - p) * np.log((1 - p) / (1 - q)), 0.0)
    return a + b


@dataclass(frozen=True)
class SoftSignNetwork:
    """A smooth sign network on ``n_bits`` Boolean inputs, for Langevin sampling (chapter 20).

    ``f(x) = sum_k v_k tanh(sharpness (w_k . x + b_k)) + c`` and ``p(y = 1 | x) = eps + (1 - 2 eps) sigmoid(
    gain f(x))``. As ``sharpness`` and ``gain`` grow it becomes the noisy sign network of
    :func:`sign_network_tables`. Parameters are flat vectors of length :func:`n_parameters`:
    ``[W (width * n_bits), b (width), v (width), c]``.
    """

    n_bits: int
    width: int
    eps: float
    sharpness: float = 4.0
    gain: float = 4.0

    @property
    def size(self) -> int:
        return n_parameters(self.n_bits, self.width)

    def prob_one(self, theta):
        """``p(y = 1 | x)`` for every input of :func:`boolean_inputs`: ``theta (C, P)`` -> ``(C, 2**n_bits)``.

        Works on NumPy arrays and on torch tensors (differentiable)."""
        k, d = self.width, self.n_bits
        if isinstance(theta, np.ndarray):
            from scipy.special import expit

            lib, X, sigmoid = np, boolean_inputs(d), expit
        else:
            import torch

            lib, X, sigmoid = torch, torch.as_tensor(boolean_inputs(d), dtype=theta.dtype), torch.sigmoid
        W = theta[:, : k * d].reshape(-1, k, d)
        b = theta[:, k * d : k * d + k]
        v = theta[:, k * d + k : k * d + 2 * k]
        c = theta[:, -1:]
        hidden = lib.tanh(self.sharpness * (lib.einsum("ckd,xd->cxk", W, X) + b[:, None, :]))
        f = (hidden * v[:, None, :]).sum(-1) + c
        return self.eps + (1 - 2 * self.eps) * sigmoid(self.gain * f)

    def grad_log_likelihood(self, theta: NDArray[np.float64], ones: ArrayLike, zeros: ArrayLike) -> NDArray[np.float64]:
        """Gradient of :meth:`log_likelihood` with respect to ``theta (C, P)`` (NumPy, by hand): ``(C, P)``.

        ``ones``, ``zeros``: label counts per input, ``(C, inputs)`` or ``(inputs,)``.
        """
        k, d = self.width, self.n_bits
        from scipy.special import expit

        X = boolean_inputs(d)
        W = theta[:, : k * d].reshape(-1, k, d)
        b = theta[:, k * d : k * d + k]
        v = theta[:, k * d + k : k * d + 2 * k]
        c = theta[:, -1:]
        hidden = np.tanh(self.sharpness * (np.matmul(W, X.T).transpose(0, 2, 1) + b[:, None, :]))
        q = expit(self.gain * (np.matmul(hidden, v[:, :, None])[..., 0] + c))
        p = self.eps + (1 - 2 * self.eps) * q
        d_f = (np.asarray(ones) / p - np.asarray(zeros) / (1 - p)) * (1 - 2 * self.eps) * self.gain * q * (1 - q)
        d_pre = d_f[:, :, None] * v[:, None, :] * self.sharpness * (1 - hidden**2)  # (C, inputs, k)
        grad_W = np.matmul(d_pre.transpose(0, 2, 1), X).reshape(len(theta), k * d)
        grad_b = d_pre.sum(axis=1)
        grad_v = np.matmul(d_f[:, None, :], hidden)[:, 0, :]
        grad_c = d_f.sum(axis=1, keepdims=True)
        return np.concatenate([grad_W, grad_b, grad_v, grad_c], axis=1)

    def log_likelihood(self, theta, ones, zeros):
        """``sum_x ones[x] log p(1|x) + zeros[x] log p(0|x)`` per chain: label counts ``(C, inputs)`` or
        ``(inputs,)``; returns ``(C,)`` (NumPy or torch, following ``theta``)."""
        p = self.prob_one(theta)
        lib = np if isinstance(p, np.ndarray) else __import__("torch")
        return (ones * lib.log(p) + zeros * lib.log(1 - p)).sum(-1)


def sgld(
    grad_log_density: Callable,
    theta0: NDArray[np.float64],
    step: float,
    n_steps: int,
    rng: np.random.Generator,
    *,
    keep_every: int = 1,
    burn_in: int = 0,
    box: float | None = None,
    temperature: float = 1.0,
) -> NDArray[np.float64]:
    """Langevin dynamics ``theta += step/2 * grad + sqrt(step * temperature) * N(0, I)`` for many chains.

    ``grad_log_density(theta, t)`` returns the (possibly stochastic, e.g. mini-batch) gradient of the log
    target density at ``theta (C, P)`` on step ``t``. With ``box = a`` the chains live in ``[-a, a]^P`` and
    are reflected at its walls (a uniform prior on the box). After ``burn_in`` steps every ``keep_every``-th
    state is kept. Returns ``(kept, C, P)`` samples. Without mini-batch noise and as ``step -> 0`` the
    chains sample the target; a finite step adds a bias of order ``step``. ``temperature = 0`` removes the
    injected noise: plain (mini-batch) gradient ascent from the same starts, an ensemble of optimised
    networks rather than posterior samples.
    """
    theta = np.array(theta0, dtype=np.float64)
    kept = []
    for t in range(n_steps):
        noise = np.sqrt(step * temperature) * rng.standard_normal(theta.shape)
        theta = theta + 0.5 * step * grad_log_density(theta, t) + noise
        if box is not None:
            theta = reflect(theta, box)
        if t >= burn_in and (t - burn_in) % keep_every == 0:
            kept.append(theta.copy())
    return np.array(kept)


def reflect(theta: NDArray[np.float64], a: float) -> NDArray[np.float64]:
    """Fold ``theta`` back into ``[-a, a]`` by reflection at the walls (any distance outside)."""
    period = 4 * a
    z = np.mod(theta + a, period)
    return np.where(z <= 2 * a, z, period - z) - a
