"""Training a network inside a random low-dimensional subspace of its parameters (chapter 10).

Li et al. (2018) freeze a network's initial parameters ``theta_0`` (``D`` numbers) and a random
``D x d`` matrix ``P``, and train only ``z`` (``d`` numbers) in ``theta = theta_0 + P z``. The smallest
``d`` at which this reaches 90% of the full network's accuracy is the *intrinsic dimension*
``d_int90``. Three kinds of ``P`` are provided, all with (about) unit-length columns, so that a step of
size ``s`` along ``z_i`` moves ``theta`` by ``s``:

* :class:`DenseProjection`: i.i.d. Gaussian entries, columns normalised (``D * d`` numbers stored);
* :class:`SparseProjection`: the very sparse random projection of Li, Hastie & Church (2006) that the
  paper's code takes from scikit-learn, about ``sqrt(D)`` non-zeros (``+-1``) per column, normalised;
* :class:`FastfoodProjection`: the structured Fastfood transform ``S H G Pi H B`` (Le et al. 2013),
  ``O(D log D)`` time and ``O(D)`` memory, which makes wide networks cheap.

Every projection maps a batch ``z (K, d)`` to ``(K, D)``, so ``K`` subspace models train at once. Models
are nested: model ``k`` uses the first ``dims[k]`` coordinates of ``z`` (the first columns of ``P``).
:class:`SubspaceModel` evaluates any ``torch.nn.Module`` at ``theta_0 + P z`` with
``torch.func.functional_call`` (vmapped over the ``K`` models), :func:`train_subspace` trains them all
with Adam, and :func:`intrinsic_dimension` reads ``d_int`` off an accuracy curve.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .progress import progress


def _generator(seed: int):
    import torch

    return torch.Generator().manual_seed(int(seed))


class Projection:
    """A fixed linear map from ``R^d`` to ``R^D`` (subclasses define :meth:`__call__`)."""

    d: int
    D: int

    def __call__(self, z):
        """``z (K, d)`` -> ``(K, D)``: the parameter offsets ``P z`` of ``K`` subspace models."""
        raise NotImplementedError

    def dense(self):
        """The matrix ``P`` as a dense ``(D, d)`` tensor (for tests and small ``D``)."""
        import torch

        return self(torch.eye(self.d, dtype=torch.float32)).T

    _tensors: tuple[str, ...] = ()

    def to(self, device) -> Projection:
        """Move the projection's tensors to ``device`` (in place; returns ``self``). Drawn on the CPU, so the
        same seed gives the same projection on every device."""
        for name in self._tensors:
            setattr(self, name, getattr(self, name).to(device))
        return self


class DenseProjection(Projection):
    """``P`` with i.i.d. Gaussian entries and each column scaled to unit length (``D x d`` floats)."""

    _tensors = ("P",)

    def __init__(self, D: int, d: int, seed: int = 0):
        import torch

        P = torch.randn(D, d, generator=_generator(seed))
        self.P = P / P.norm(dim=0, keepdim=True)
        self.D, self.d = D, d

    @classmethod
    def from_matrix(cls, P) -> DenseProjection:
        """A projection with the given ``(D, d)`` matrix, used as is (e.g. an orthonormal basis)."""
        import torch

        self = cls.__new__(cls)
        self.P = torch.as_tensor(P, dtype=torch.float32)
        self.D, self.d = self.P.shape
        return self

    def __call__(self, z):
        return z @ self.P.T

    def dense(self):
        return self.P


class SparseProjection(Projection):
    """Very sparse random projection: entries ``+-1`` with probability ``density / 2`` each, else 0.

    ``density`` defaults to ``1 / sqrt(D)`` (Li, Hastie & Church 2006; the choice of scikit-learn's
    ``SparseRandomProjection`` that Li et al. 2018 use). Columns are scaled to unit length (an empty
    column, which is very unlikely, gets one random entry). ``P`` and its transpose are stored as
    torch sparse CSR matrices, so that both the forward map and its gradient are one sparse product.
    """

    _tensors = ("P", "PT")

    def __init__(self, D: int, d: int, density: float | None = None, seed: int = 0):
        import warnings

        import torch

        density = 1.0 / np.sqrt(D) if density is None else float(density)
        if not 0 < density <= 1:
            raise ValueError(f"density={density} must lie in (0, 1]")
        rng = np.random.default_rng(seed)
        counts = rng.binomial(D, density, size=d)
        counts = np.maximum(counts, 1)
        rows = np.concatenate([rng.choice(D, size=c, replace=False) for c in counts])
        cols = np.repeat(np.arange(d), counts)
        values = rng.choice([-1.0, 1.0], size=len(rows)) / np.sqrt(np.repeat(counts, counts))
        indices = torch.as_tensor(np.vstack([rows, cols]))
        values_t = torch.as_tensor(values, dtype=torch.float32)
        coo = torch.sparse_coo_tensor(indices, values_t, (D, d), check_invariants=True).coalesce()
        with warnings.catch_warnings():  # "sparse CSR support is in beta": we use only matmul
            warnings.simplefilter("ignore", UserWarning)
            self.P = coo.to_sparse_csr()
            self.PT = coo.t().coalesce().to_sparse_csr()
        self.nnz = len(rows)
        self.D, self.d = D, d

    def __call__(self, z):
        return _sparse_map(z, self.P, self.PT)

    def dense(self):
        return self.P.to_dense()


def _sparse_map(z, P, PT):
    """``z (K, d) -> (P z^T)^T``, with the gradient ``(P^T g^T)^T`` from the stored transpose ``PT``."""
    global _SPARSE_MAP
    if _SPARSE_MAP is None:
        import torch

        class SparseMap(torch.autograd.Function):
            @staticmethod
            def forward(ctx, z, P, PT):
                ctx.PT = PT
                return (P @ z.T).T

            @staticmethod
            def backward(ctx, grad):
                return (ctx.PT @ grad.T).T, None, None

        _SPARSE_MAP = SparseMap
    return _SPARSE_MAP.apply(z, P, PT)


_SPARSE_MAP = None


_HADAMARD_CACHE: dict[int, object] = {}


def _hadamard(n: int):
    """The ``n x n`` Sylvester-Hadamard matrix (entries +-1) as a float32 tensor, cached."""
    import torch

    if n not in _HADAMARD_CACHE:
        H = torch.ones(1, 1)
        while H.shape[0] < n:
            H = torch.cat([torch.cat([H, H], dim=1), torch.cat([H, -H], dim=1)], dim=0)
        _HADAMARD_CACHE[n] = H
    return _HADAMARD_CACHE[n]


def fast_walsh_hadamard(x, block: int = 6):
    """Unnormalised Walsh-Hadamard transform along the last axis of ``x (..., L)``, ``L`` a power of 2.

    Equals ``x @ H`` with ``H = scipy.linalg.hadamard(L)``. ``H_L`` is the Kronecker product of small
    Hadamard matrices (``H_{2^(a+b)} = H_{2^a} (x) H_{2^b}``), so the transform is a few small matrix
    products, one per factor of at most ``2**block`` rows: ``O(L log L)`` work done by fast matmuls.
    Differentiable.
    """
    import torch

    L = x.shape[-1]
    if L < 1 or L & (L - 1):
        raise ValueError(f"length {L} is not a power of two")
    k = L.bit_length() - 1
    n_factors = max(1, -(-k // block))
    exps = [k // n_factors + (1 if i < k % n_factors else 0) for i in range(n_factors)]
    lead = x.shape[:-1]
    before = 1
    for e in exps:
        n = 1 << e
        after = L // (before * n)
        H = _hadamard(n).to(device=x.device, dtype=x.dtype)
        if after == 1:  # the last factor: one matrix product over all rows (H is symmetric)
            x = x.reshape(-1, n) @ H
        else:
            x = torch.matmul(H, x.reshape(-1, n, after))
        before *= n
    return x.reshape(*lead, L)


def _permute_last(x, perm, inverse):
    """``x[..., perm]`` whose backward is the inverse gather (cheaper than autograd's scatter-add)."""
    global _PERMUTE
    if _PERMUTE is None:
        import torch

        class Permute(torch.autograd.Function):
            @staticmethod
            def forward(ctx, v, perm, inverse):
                ctx.inverse = inverse
                return v[..., perm]

            @staticmethod
            def backward(ctx, grad):
                return grad[..., ctx.inverse], None, None

        _PERMUTE = Permute
    return _PERMUTE.apply(x, perm, inverse)


_PERMUTE = None


class FastfoodProjection(Projection):
    """Fastfood projection ``z -> (H G Pi H B [z, 0])[:D] / sqrt(D * sum(G**2))``.

    ``L = 2**ceil(log2 D)``; ``B`` random signs, ``Pi`` a random permutation, ``G`` Gaussian, ``H`` the
    Walsh-Hadamard matrix. Each column has squared length ``(D/L) * L * sum(G**2)`` before scaling in
    expectation, so columns have unit length on average and are nearly orthogonal. Stores ``3 L``
    numbers; applying it costs ``O(K L log L)``.
    """

    _tensors = ("B", "Pi", "Pi_inverse", "G")

    def __init__(self, D: int, d: int, seed: int = 0):
        import torch

        if d > D:
            raise ValueError(f"d={d} cannot exceed D={D}")
        gen = _generator(seed)
        self.L = 1 << int(np.ceil(np.log2(max(D, 2))))
        self.B = torch.randint(0, 2, (self.L,), generator=gen).float() * 2 - 1
        self.Pi = torch.randperm(self.L, generator=gen)
        self.Pi_inverse = torch.argsort(self.Pi)
        self.G = torch.randn(self.L, generator=gen)
        self.scale = float(1.0 / np.sqrt(D * float((self.G**2).sum())))
        self.D, self.d = D, d

    def __call__(self, z):
        import torch.nn.functional as F

        x = F.pad(z, (0, self.L - z.shape[-1])) * self.B
        x = _permute_last(fast_walsh_hadamard(x), self.Pi, self.Pi_inverse) * self.G
        return fast_walsh_hadamard(x)[..., : self.D] * self.scale


PROJECTIONS = {"dense": DenseProjection, "sparse": SparseProjection, "fastfood": FastfoodProjection}
"""The projection classes by name (``"dense"``, ``"sparse"``, ``"fastfood"``)."""


def make_projection(kind: str, D: int, d: int, seed: int = 0) -> Projection:
    """A projection of the given ``kind`` (a key of :data:`PROJECTIONS`) from ``R^d`` to ``R^D``."""
    try:
        cls = PROJECTIONS[kind]
    except KeyError:
        raise ValueError(f"kind={kind!r}; choose one of {sorted(PROJECTIONS)}") from None
    return cls(D, d, seed=seed)


class SubspaceModel:
    """A network evaluated at ``theta_0 + P z`` for a batch of subspace coordinates ``z (K, d)``.

    ``model`` is any ``torch.nn.Module``; its current parameters are ``theta_0`` (copied, frozen).
    :meth:`forward` returns the outputs of all ``K`` models, ``(K, *model(X).shape)``. Everything lives
    on the model's device (the projection is moved there).
    """

    def __init__(self, model, projection: Projection):
        import torch

        self.model = model
        self.projection = projection
        named = [(name, p) for name, p in model.named_parameters()]
        self.names = [name for name, _ in named]
        self.shapes = [tuple(p.shape) for _, p in named]
        self.sizes = [p.numel() for _, p in named]
        self.theta0 = torch.cat([p.detach().reshape(-1) for _, p in named]).clone()
        projection.to(self.theta0.device)
        if projection.D != self.D:
            raise ValueError(f"projection maps to D={projection.D}, the model has D={self.D} parameters")

    @property
    def D(self) -> int:
        """The number of parameters of the network."""
        return int(self.theta0.numel())

    def theta(self, z):
        """Full parameter vectors ``(K, D)`` for subspace coordinates ``z (K, d)``."""
        return self.theta0 + self.projection(z)

    def unflatten(self, theta) -> dict:
        """Split ``theta (K, D)`` into the model's named parameters, each ``(K, *shape)``."""
        parts = theta.split(self.sizes, dim=-1)
        return {n: t.reshape(theta.shape[0], *s) for n, t, s in zip(self.names, parts, self.shapes, strict=True)}

    def forward(self, z, X):
        """Outputs of the ``K`` subspace models on the same input ``X``: ``(K, *model(X).shape)``."""
        from torch.func import functional_call, vmap

        params = self.unflatten(self.theta(z))
        return vmap(lambda p: functional_call(self.model, p, (X,)))(params)


def nested_mask(dims: Sequence[int], d_max: int):
    """``(len(dims), d_max)`` float mask whose row ``k`` keeps the first ``dims[k]`` coordinates."""
    import torch

    if any(d < 1 or d > d_max for d in dims):
        raise ValueError(f"dims {list(dims)} must lie in [1, {d_max}]")
    return (torch.arange(d_max)[None, :] < torch.as_tensor(list(dims))[:, None]).float()


def train_subspace(
    sub: SubspaceModel,
    X: ArrayLike,
    y: ArrayLike,
    dims: Sequence[int],
    *,
    steps: int,
    lr: float,
    optimizer: str = "adam",
    batch_size: int | None = None,
    seed: int = 0,
    X_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    desc: str | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Train ``len(dims)`` nested subspace models of ``sub`` at once, from ``z = 0``.

    Model ``k`` trains the first ``dims[k]`` coordinates of ``z`` (``dims[k] <= sub.projection.d``) on the
    cross-entropy with ``optimizer`` (``"adam"`` or ``"sgd"``, plain gradient descent); the models'
    losses are summed, so every model gets exactly its own update.
    ``batch_size=None`` is full-batch; otherwise random mini-batches (seeded by ``seed``), shared by all
    models. Returns ``train_acc``, ``train_loss`` and (with test data) ``test_acc``, each
    ``(len(dims),)``, measured on the whole sets at the end, and the final ``z (len(dims), d)``.
    """
    import torch
    import torch.nn.functional as F

    where = sub.theta0.device
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=where)
    y_t = torch.as_tensor(np.asarray(y), dtype=torch.long, device=where)
    mask = nested_mask(dims, sub.projection.d).to(where)
    z = torch.zeros_like(mask, requires_grad=True)
    if optimizer == "adam":
        opt = torch.optim.Adam([z], lr=lr)
    elif optimizer == "sgd":
        opt = torch.optim.SGD([z], lr=lr)
    else:
        raise ValueError(f"optimizer={optimizer!r}; choose 'adam' or 'sgd'")
    gen = _generator(seed)
    K = len(dims)
    for _ in progress(range(steps), desc=desc or "subspace", total=steps):
        if batch_size is None:
            xb, yb = X_t, y_t
        else:
            idx = torch.randint(len(y_t), (batch_size,), generator=gen).to(where)
            xb, yb = X_t[idx], y_t[idx]
        logits = sub.forward(z * mask, xb)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.repeat(K), reduction="sum") / len(yb)
        opt.zero_grad()
        loss.backward()
        z.grad *= mask  # coordinates beyond a model's dimension stay at zero
        opt.step()

    out: dict[str, NDArray[np.float64]] = {}
    with torch.no_grad():
        zf = z * mask
        logits = sub.forward(zf, X_t)
        out["train_acc"] = (logits.argmax(-1) == y_t).double().mean(dim=1).cpu().numpy()
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y_t.repeat(K), reduction="none")
        out["train_loss"] = ce.reshape(K, -1).double().mean(dim=1).cpu().numpy()
        if X_test is not None:
            X_te = torch.as_tensor(np.asarray(X_test), dtype=torch.float32, device=where)
            y_te = torch.as_tensor(np.asarray(y_test), dtype=torch.long, device=where)
            correct = sub.forward(zf, X_te).argmax(-1) == y_te
            out["test_acc"] = correct.double().mean(dim=1).cpu().numpy()
        out["z"] = zf.double().cpu().numpy()
    return out


def intrinsic_dimension(dims: ArrayLike, scores: ArrayLike, target: float) -> float:
    """The smallest subspace dimension at which ``scores`` (e.g. accuracy) reaches ``target``.

    ``dims`` increasing, ``scores (..., len(dims))``. Between the last grid point below the target and the
    first one at or above it, the crossing is interpolated linearly in ``log d``; if the first grid point
    already reaches the target, it is returned; if none does, ``nan``. (The first crossing is used, as
    the definition asks, even if a later point dips below the target again.)
    """
    d = np.asarray(dims, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim > 1:
        return np.array([intrinsic_dimension(d, row, target) for row in s.reshape(-1, s.shape[-1])]).reshape(
            s.shape[:-1]
        )
    above = np.flatnonzero(s >= target)
    if len(above) == 0:
        return float("nan")
    k = int(above[0])
    if k == 0:
        return float(d[0])
    frac = (target - s[k - 1]) / (s[k] - s[k - 1])
    return float(np.exp(np.log(d[k - 1]) + frac * (np.log(d[k]) - np.log(d[k - 1]))))


def participation_ratio(v: ArrayLike) -> float:
    """``(sum v_i^2)^2 / sum v_i^4``: how many coordinates a vector spreads over (1 to ``len(v)``).

    A vector with ``k`` equal non-zero entries gives ``k``; one entry gives 1. Chapter 10 applies it to
    the change of a network's parameters under full training, ``theta_T - theta_0``, to count the
    parameters that training moves (an all-zero vector gives ``nan``).
    """
    x = np.asarray(v, dtype=np.float64).ravel()
    s2 = float(np.sum(x**2))
    s4 = float(np.sum(x**4))
    return float("nan") if s4 == 0 else s2**2 / s4
