"""Core and shortcut features with controlled predictivity and availability (chapter 14).

The generative model follows the two-latent-feature setup of Hermann et al. (2023), as far as we could
reconstruct it: a label ``y`` in ``{-1, +1}``; two latent features ``z = (z_s, z_c)`` (shortcut, core)
drawn from ``N(y * mu, Sigma)`` with unit variances; the *predictivity* ``rho_i = P(sign z_i = y)``
fixes ``mu_i = Phi^{-1}(rho_i)``; the *availability* of a feature is its amplification ``alpha_i``, the
scale at which it is written into the input ``x = (alpha_s z_s, alpha_c z_c) @ Q`` (``Q`` has two
orthonormal rows in ``R^dim``).

A model's *reliance* on the shortcut is measured on a uniform probe grid over the latent plane,
``R = mean(yhat(z) * (sign z_s - sign z_c))``: only points where the two features disagree count, each
with ``+2`` if the model follows ``z_s`` and ``-2`` if it follows ``z_c``, so ``R`` lies in ``[-1, 1]``.
The *shortcut bias* is ``R(model) - R(Bayes)``: how much more the model follows ``z_s`` than the optimal
classifier does (0: as the optimum; positive: over-reliance on the shortcut).

:class:`MLPEnsemble` and :func:`train_ensemble` train many independent one-hidden-layer networks (one per
data set) as one batched tensor computation. :func:`relu_ntk` and :func:`linear_ntk` are the infinite-width
neural tangent kernels of the same networks (ReLU and identity activations), for the kernel-regression
account of the bias at convergence (the regression itself is :class:`overparam_utils.ridge.RidgePath`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from .progress import progress
from .ridge import relu_kernel
from .training import adam_step


def latent_mean(rho: float | NDArray[np.float64]) -> NDArray[np.float64]:
    """The class-conditional mean ``mu = Phi^{-1}(rho)`` for which ``P(sign z = y) = rho`` when ``z ~ N(y mu, 1)``.

    ``rho`` must lie in ``(0.5, 1)``: a feature that predicts the label better than chance.
    """
    rho = np.asarray(rho, dtype=np.float64)
    if np.any((rho <= 0.5) | (rho >= 1.0)):
        raise ValueError(f"predictivity rho={rho} must lie in (0.5, 1)")
    return norm.ppf(rho)


@dataclass(frozen=True)
class ShortcutTask:
    """One synthetic task with a shortcut feature ``z_s`` and a core feature ``z_c`` (chapter 14).

    ``rho_s, rho_c``: predictivities; ``alpha_s, alpha_c``: amplifications (availability); ``corr``: the
    within-class correlation of the two latents; ``Q``: ``(2, dim)`` orthonormal rows embedding the
    amplified latents into the input space. Make one with :meth:`draw`.
    """

    rho_s: float
    rho_c: float
    alpha_s: float
    alpha_c: float
    corr: float
    Q: NDArray[np.float64]

    @classmethod
    def draw(
        cls,
        rng: np.random.Generator,
        *,
        rho_s: float,
        rho_c: float,
        alpha_s: float,
        alpha_c: float = 1.0,
        corr: float = 0.0,
        dim: int = 10,
    ) -> ShortcutTask:
        """A task whose embedding ``Q`` is a random ``(2, dim)`` matrix with orthonormal rows."""
        if dim < 2:
            raise ValueError(f"dim={dim} must be at least 2")
        if not -1 < corr < 1:
            raise ValueError(f"corr={corr} must lie in (-1, 1)")
        latent_mean([rho_s, rho_c])  # validates
        Q = np.linalg.qr(rng.standard_normal((dim, 2)))[0].T
        return cls(float(rho_s), float(rho_c), float(alpha_s), float(alpha_c), float(corr), Q)

    @property
    def mu(self) -> NDArray[np.float64]:
        """``(2,)`` class-conditional means ``(mu_s, mu_c)`` of the latents for ``y = +1``."""
        return latent_mean([self.rho_s, self.rho_c])

    @property
    def cov(self) -> NDArray[np.float64]:
        """``(2, 2)`` within-class covariance of the latents."""
        return np.array([[1.0, self.corr], [self.corr, 1.0]])

    @property
    def dim(self) -> int:
        return int(self.Q.shape[1])

    def embed(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """Inputs ``x = (alpha_s z_s, alpha_c z_c) @ Q``, shape ``(m, dim)``, for latents ``z (m, 2)``."""
        return (np.asarray(z) * np.array([self.alpha_s, self.alpha_c])) @ self.Q

    def sample(
        self, n: int, rng: np.random.Generator
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """``n`` balanced-in-expectation examples: inputs ``X (n, dim)``, labels ``y (n,)`` in ``{-1, 1}``,
        latents ``z (n, 2)``."""
        y = rng.choice([-1.0, 1.0], size=n)
        noise = rng.standard_normal((n, 2)) @ np.linalg.cholesky(self.cov).T
        z = y[:, None] * self.mu + noise
        return self.embed(z), y, z

    def bayes_weights(self) -> NDArray[np.float64]:
        """``Sigma^{-1} mu``: the optimal (Bayes, equal priors) rule is ``sign(z @ bayes_weights())``; it is the
        rule that linear discriminant analysis estimates."""
        return np.linalg.solve(self.cov, self.mu)

    def bayes_predict(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """Predictions ``(m,)`` in ``{-1, 1}`` of the Bayes-optimal classifier at latents ``z (m, 2)``."""
        return np.where(np.asarray(z) @ self.bayes_weights() >= 0, 1.0, -1.0)

    def probe_grid(self, k: int = 30) -> NDArray[np.float64]:
        """``(k*k, 2)`` latents on a uniform grid over ``[-3 mu_s, 3 mu_s] x [-3 mu_c, 3 mu_c]`` (the probe set of
        the shortcut-bias measure). For even ``k`` no grid point has a zero coordinate."""
        s = np.linspace(-3 * self.mu[0], 3 * self.mu[0], k)
        c = np.linspace(-3 * self.mu[1], 3 * self.mu[1], k)
        S, C = np.meshgrid(s, c, indexing="ij")
        return np.stack([S.ravel(), C.ravel()], axis=1)


def reliance(pred: NDArray[np.float64], z: NDArray[np.float64]) -> NDArray[np.float64]:
    """Reliance on the shortcut, ``mean(sign(pred) * (sign z_s - sign z_c))`` over the last axis.

    ``pred (..., m)``: model outputs (only their sign is used) at probe latents ``z (m, 2)``.
    Returns ``(...)`` values in ``[-1, 1]``: ``+1`` for a model that always follows ``z_s`` on a probe set
    where half of the points are conflicts, ``-1`` for one that always follows ``z_c``.
    """
    z = np.asarray(z)
    conflict = np.sign(z[:, 0]) - np.sign(z[:, 1])
    return np.mean(np.where(np.asarray(pred) >= 0, 1.0, -1.0) * conflict, axis=-1)


def shortcut_bias(pred: NDArray[np.float64], task: ShortcutTask, z: NDArray[np.float64]) -> NDArray[np.float64]:
    """Shortcut bias ``reliance(pred) - reliance(Bayes)`` on probe latents ``z (m, 2)``; ``pred (..., m)``."""
    return reliance(pred, z) - reliance(task.bayes_predict(z), z)


ACTIVATIONS = ("relu", "tanh", "linear")


class MLPEnsemble:
    """``n_models`` independent networks ``d_in -> width -> 1`` with one hidden layer, as batched tensors.

    Parameters ``W1 (E, d_in, width)``, ``b1 (E, 1, width)``, ``W2 (E, width, 1)``, ``b2 (E, 1, 1)`` are
    initialised as torch's ``nn.Linear`` does (uniform in ``+-1/sqrt(fan_in)``), from a generator seeded
    by ``seed``. ``activation`` is ``"relu"``, ``"tanh"`` or ``"linear"`` (the identity: a linear model
    with the same parametrization). Calling the ensemble on ``X (E, m, d_in)`` gives ``(E, m)`` outputs:
    model ``e`` sees only ``X[e]``. The weights are drawn on the CPU and moved to ``device``, so a seed gives
    the same ensemble everywhere. Used in chapter 14.
    """

    def __init__(
        self, n_models: int, d_in: int, width: int, activation: str = "relu", seed: int = 0, device: str = "cpu"
    ):
        import torch

        if activation not in ACTIVATIONS:
            raise ValueError(f"activation={activation!r}; choose one of {ACTIVATIONS}")
        self.activation = activation
        gen = torch.Generator().manual_seed(int(seed))

        def uniform(*shape: int, fan_in: int):
            bound = 1.0 / np.sqrt(fan_in)
            return ((torch.rand(*shape, generator=gen) * 2 - 1) * bound).to(device).requires_grad_()

        self.W1 = uniform(n_models, d_in, width, fan_in=d_in)
        self.b1 = uniform(n_models, 1, width, fan_in=d_in)
        self.W2 = uniform(n_models, width, 1, fan_in=width)
        self.b2 = uniform(n_models, 1, 1, fan_in=width)

    @property
    def parameters(self) -> list[Any]:
        return [self.W1, self.b1, self.W2, self.b2]

    def select(self, members: Sequence[int]) -> MLPEnsemble:
        """A new ensemble of copies of the chosen members (same initial weights, trained separately)."""
        import torch

        index = torch.as_tensor(list(members), dtype=torch.long)
        new = object.__new__(MLPEnsemble)
        new.activation = self.activation
        for name in ("W1", "b1", "W2", "b2"):
            setattr(new, name, getattr(self, name).detach()[index].clone().requires_grad_())
        return new

    def __call__(self, X: Any) -> Any:
        import torch

        h = X @ self.W1 + self.b1
        if self.activation == "relu":
            h = torch.relu(h)
        elif self.activation == "tanh":
            h = torch.tanh(h)
        return (h @ self.W2 + self.b2)[..., 0]


def logistic_loss(out: Any, y: Any) -> Any:
    """Per-example logistic loss ``log(1 + exp(-y * out))`` for labels in ``{-1, 1}`` (torch tensors)."""
    import torch

    return torch.nn.functional.softplus(-y * out)


def train_ensemble(
    model: MLPEnsemble,
    X: NDArray[np.floating],
    y: NDArray[np.floating],
    *,
    steps: int,
    lr: float,
    optimizer: str = "gd",
    checkpoints: Sequence[int] = (),
    probe: NDArray[np.floating] | None = None,
    desc: str | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Full-batch training of every member of ``model`` on its own data with the logistic loss.

    ``X (E, n, d_in)``, ``y (E, n)`` in ``{-1, 1}``; ``optimizer`` is ``"gd"`` (plain gradient descent) or
    ``"adam"``. The members do not interact: each one's gradient is that of its own mean loss.
    At each step count in ``checkpoints`` (``0 <= c <= steps``) the result records the mean training
    loss of each member and, if ``probe (E, m, d_in)`` is given, the members' outputs there.

    Returns ``{"steps": (C,), "train_loss": (C, E), "probe": (C, E, m)}`` (``probe`` only when given).
    """
    import torch

    keep = sorted({int(c) for c in checkpoints})
    if keep and (keep[0] < 0 or keep[-1] > steps):
        raise ValueError(f"checkpoints must lie in [0, {steps}]")
    where = model.W1.device  # the data go where the ensemble is
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=where)
    y_t = torch.as_tensor(np.asarray(y), dtype=torch.float32, device=where)
    P_t = None if probe is None else torch.as_tensor(np.asarray(probe), dtype=torch.float32, device=where)
    if optimizer not in ("gd", "adam"):
        raise ValueError(f"optimizer={optimizer!r}; choose 'gd' or 'adam'")
    params = model.parameters
    # the updates are written out (the rules of torch.optim.SGD and torch.optim.Adam with their
    # defaults): constructing a torch.optim optimizer imports torch._dynamo, seconds of start-up
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    losses, outputs = [], []
    for t in progress(range(steps + 1), desc=desc or optimizer, total=steps + 1):
        if t in keep:
            with torch.no_grad():
                losses.append(logistic_loss(model(X_t), y_t).mean(dim=1).cpu().numpy().astype(np.float64))
                if P_t is not None:
                    outputs.append(model(P_t).cpu().numpy().astype(np.float64))
        if t == steps:
            break
        grads = torch.autograd.grad(logistic_loss(model(X_t), y_t).mean(dim=1).sum(), params)
        with torch.no_grad():
            if optimizer == "gd":
                for p, g in zip(params, grads, strict=True):
                    p.sub_(lr * g)
                continue
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                adam_step(p, g, m, v, t + 1, lr)
    result = {"steps": np.array(keep), "train_loss": np.array(losses)}
    if P_t is not None:
        result["probe"] = np.array(outputs)
    return result


def _with_bias_input(X: NDArray[np.floating]) -> NDArray[np.float64]:
    """``(n, d + 1)``: the inputs with a constant 1 appended (the hidden layer's bias as an input weight)."""
    X = np.asarray(X, dtype=np.float64)
    return np.concatenate([X, np.ones((X.shape[0], 1))], axis=1)


def relu_ntk(X: NDArray[np.floating], X_new: NDArray[np.floating] | None = None) -> NDArray[np.float64]:
    """The neural tangent kernel ``(m, n)`` of an infinitely wide one-hidden-layer ReLU network.

    The network is ``f(x) = m^{-1/2} sum_j a_j relu(w_j . u / sqrt(d + 1))`` with ``u = (x, 1)`` (the bias of
    the hidden layer folded into its weights) and ``a_j, w_j`` standard Gaussian (NTK parametrization). Its
    tangent kernel is the sum of the second layer's part ``E relu(w.u) relu(w.u')`` (the first-order
    arc-cosine kernel, :func:`overparam_utils.ridge.relu_kernel` of the augmented inputs) and the first
    layer's part ``(u . u' / (d + 1)) (pi - t) / (2 pi)``, ``t`` the angle between ``u`` and ``u'``.
    ``X (n, d)``; ``X_new (m, d)`` defaults to ``X``. Chapter 14 fits kernel regression with it.
    """
    U = _with_bias_input(X)
    U_new = U if X_new is None else _with_bias_input(X_new)
    norms = np.outer(np.linalg.norm(U_new, axis=1), np.linalg.norm(U, axis=1))
    dots = U_new @ U.T
    t = np.arccos(np.clip(dots / norms, -1.0, 1.0))
    return relu_kernel(U, U_new) + dots / U.shape[1] * (np.pi - t) / (2 * np.pi)


def linear_ntk_features(X: NDArray[np.floating]) -> NDArray[np.float64]:
    """Features ``(n, d + 1)`` whose inner products are :func:`linear_ntk`: ``sqrt(2 / (d + 1)) (x, 1)``.

    The linear NTK has rank at most ``d + 1``, so kernel regression with it is cheapest from these features
    (``RidgePath.from_features``: a thin SVD, ``O(n d^2)``, instead of an ``(n, n)`` eigendecomposition).
    """
    U = _with_bias_input(X)
    return np.sqrt(2.0 / U.shape[1]) * U


def linear_ntk(X: NDArray[np.floating], X_new: NDArray[np.floating] | None = None) -> NDArray[np.float64]:
    """The neural tangent kernel ``(m, n)`` of the same network with the identity activation: ``2 u . u' / (d + 1)``.

    Both layers contribute ``u . u' / (d + 1)`` (``u = (x, 1)``, as in :func:`relu_ntk`): a linear kernel, so
    kernel regression with it is a linear model of the inputs. Chapter 14's control for :func:`relu_ntk`.
    """
    F = linear_ntk_features(X)
    return (F if X_new is None else linear_ntk_features(X_new)) @ F.T
