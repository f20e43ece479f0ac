"""Exact Hessians of small torch models, their spectra and ranks, and the loss along a line (chapters 09, 11).

A model's parameters are handled as one flat vector ``theta`` of length ``P`` (:class:`FlatModel`), so that
the Hessian of a loss is an ordinary ``(P, P)`` matrix. :func:`hessian` builds it exactly with ``torch.autograd``:
one Hessian-vector product (a second backward pass through the gradient) per column, batched. That is affordable for
the small networks of the book (``P`` up to a few thousand, a second or so each) and needs no approximation.

Also here:

* :func:`output_jacobian` and :func:`cross_entropy_gauss_newton`: the Gauss-Newton part of the Hessian,
  ``G = (1/N) sum_i J_i^T (diag p_i - p_i p_i^T) J_i``, built from the Jacobian of the outputs (chapter 09);
* :func:`rank_tolerance` and :func:`numerical_rank`: the rank of a matrix up to floating-point round-off,
  with the same rule as ``numpy.linalg.matrix_rank`` (chapter 11);
* :func:`top_eigenvalues`: the largest eigenvalues of a Hessian by Lanczos on Hessian-vector products, for
  networks too large for the full matrix (chapter 09);
* :func:`count_outliers`: where the top of a spectrum has its largest multiplicative gap (chapter 09);
* :func:`loss_along_line` and :func:`barrier_height`: the loss on the segment between two solutions and the
  height of the bump above the straight line between its ends (chapter 09).

Chapter 09's data, Gaussian clusters, come from :func:`overparam_utils.data.gaussian_mixture`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass
class FlatModel:
    """A torch module seen as a function of one flat parameter vector.

    ``FlatModel.of(model)`` records the names and shapes of ``model``'s parameters; ``theta`` is their
    concatenation (a detached copy, ``(P,)``), and ``flat(theta_new, X)`` evaluates the module at other
    parameters without touching it (``torch.func.functional_call``). Used by chapters 09 and 11.
    """

    module: object
    names: list[str]
    shapes: list[tuple[int, ...]]
    theta: object  # torch.Tensor (P,)

    @classmethod
    def of(cls, module) -> FlatModel:
        import torch

        params = dict(module.named_parameters())
        theta = torch.cat([p.detach().reshape(-1) for p in params.values()]).clone()
        return cls(module, list(params), [tuple(p.shape) for p in params.values()], theta)

    @property
    def size(self) -> int:
        """``P``, the number of parameters."""
        return int(self.theta.numel())

    def unflatten(self, theta) -> dict:
        """The named parameter tensors (views into ``theta (P,)``)."""
        import torch

        sizes = [int(np.prod(s)) for s in self.shapes]
        parts = torch.split(theta, sizes)
        return {n: p.reshape(s) for n, p, s in zip(self.names, parts, self.shapes, strict=True)}

    def __call__(self, theta, X):
        """The module's output at parameters ``theta (P,)`` on inputs ``X``."""
        from torch.func import functional_call

        return functional_call(self.module, self.unflatten(theta), (X,))

    def load(self, theta) -> None:
        """Copy ``theta (P,)`` into the module's own parameters."""
        import torch

        with torch.no_grad():
            for p, value in zip(self.module.parameters(), self.unflatten(theta).values(), strict=True):
                p.copy_(value)


def _gradient_graph(f: Callable, theta):
    """``(t, g)``: a leaf copy ``t`` of ``theta`` and ``g = grad f(t)`` with its graph kept (``create_graph``).

    ``g`` is ``None`` when the gradient does not depend on ``theta`` (``f`` at most linear): the Hessian is zero.
    """
    import torch

    t = theta.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(t), t, create_graph=True)
    return t, (g if g.requires_grad else None)


def _hessian_products(t, g, V):
    """``V (m, P) -> (m, P)``: the Hessian times each row of ``V``, a batched second backward pass through ``g``."""
    import torch

    if g is None:
        return torch.zeros_like(V)
    (HV,) = torch.autograd.grad(g, t, V, is_grads_batched=True, retain_graph=True, allow_unused=True)
    return torch.zeros_like(V) if HV is None else HV.detach()


def hessian(f: Callable, theta, chunk_size: int | None = None):
    """Exact Hessian ``(P, P)`` of a scalar function ``f(theta)`` at ``theta (P,)`` (a torch tensor).

    The gradient is computed once with its graph kept; column ``j`` is then the Hessian-vector product with the
    ``j``-th unit vector, a second backward pass (reverse-over-reverse), batched over ``chunk_size`` columns at a
    time (all at once when ``None``; chunks of a few dozen are fastest for ``P`` in the thousands). Plain
    ``torch.autograd``: unlike ``torch.func.grad``, it does not import the compiler stack (about a second the
    first time). The result is symmetrised (it is symmetric up to round-off). Returns a torch tensor in
    ``theta``'s dtype.
    """
    import torch

    t, g = _gradient_graph(f, theta)
    size = theta.numel()
    eye = torch.eye(size, dtype=theta.dtype, device=theta.device)
    step = chunk_size or size
    H = torch.cat([_hessian_products(t, g, eye[i : i + step]) for i in range(0, size, step)])
    return (H + H.T) / 2


def top_eigenvalues(f: Callable, theta, n: int, tol: float = 1e-8) -> NDArray[np.float64]:
    """The ``n`` largest (algebraic) eigenvalues of the Hessian of ``f`` at ``theta (P,)``, in decreasing order.

    Lanczos (``scipy.sparse.linalg.eigsh``) on exact Hessian-vector products (second backward passes through
    the gradient, as in :func:`hessian`), so the ``(P, P)`` matrix is never built: cost a few dozen products,
    each about two passes over the data. Deterministic (fixed start vector). For networks with ``P`` in the
    thousands or more, where :func:`hessian` is too slow. ``theta`` must be float64. Chapter 09.
    """
    import torch
    from scipy.sparse.linalg import LinearOperator, eigsh

    size = theta.numel()
    if not 0 < n < size:
        raise ValueError(f"n={n} must be between 1 and P - 1 = {size - 1}")
    t, g = _gradient_graph(f, theta)

    def matvec(v):
        v_t = torch.as_tensor(np.ascontiguousarray(v).ravel(), dtype=theta.dtype, device=theta.device)
        return _hessian_products(t, g, v_t[None])[0].cpu().numpy()

    op = LinearOperator((size, size), matvec=matvec, dtype=np.float64)
    values = eigsh(op, k=n, which="LA", tol=tol, v0=np.ones(size) / np.sqrt(size), return_eigenvectors=False)
    return np.sort(values)[::-1]


def cross_entropy_loss(flat: FlatModel, X, y) -> Callable:
    """``theta -> mean cross-entropy of flat(theta, X) against integer labels y``, for :func:`hessian`."""
    import torch.nn.functional as F

    return lambda theta: F.cross_entropy(flat(theta, X), y)


def loss_hessian(model, X: ArrayLike, y: ArrayLike, chunk_size: int | None = None) -> NDArray[np.float64]:
    """Exact Hessian of the mean cross-entropy of ``model`` on ``X (N, d)``, ``y (N,)``, in float64.

    The model is converted to float64 in place first (its parameters keep their values). Returns a
    ``(P, P)`` NumPy array, ``P`` the number of parameters in ``model.parameters()`` order. Chapter 09.
    """
    import torch

    model.double()
    flat = FlatModel.of(model)
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float64, device=flat.theta.device)
    y_t = torch.as_tensor(np.asarray(y), device=flat.theta.device)
    return hessian(cross_entropy_loss(flat, X_t, y_t), flat.theta, chunk_size).cpu().numpy()


def output_jacobian(model, X: ArrayLike) -> NDArray[np.float64]:
    """Jacobian of the outputs with respect to the flat parameters: ``(N, k, P)``, in float64.

    ``k`` is the output size; row ``(i, c)`` is the gradient of output ``c`` on example ``i``. The model is
    converted to float64 in place. An ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers takes the closed
    form (:func:`mlp_output_jacobian`, ``O(N k P)``); any other model forward mode (``jacfwd``, cheap
    while ``P`` is a few thousand). Chapters 09, 11.
    """
    import torch
    from torch.func import jacfwd

    model.double()
    if _is_relu_mlp(model):
        return mlp_output_jacobian(model, X)
    flat = FlatModel.of(model)
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float64, device=flat.theta.device)
    with torch.no_grad():
        return jacfwd(lambda theta: flat(theta, X_t))(flat.theta).cpu().numpy()


def _is_relu_mlp(model) -> bool:
    from torch import nn

    layers = list(model) if isinstance(model, nn.Sequential) else []
    return (
        bool(layers)
        and all(isinstance(m, nn.Linear | nn.ReLU) for m in layers)
        and isinstance(layers[-1], nn.Linear)
        and all(m.bias is not None for m in layers if isinstance(m, nn.Linear))
    )


def mlp_output_jacobian(model, X: ArrayLike) -> NDArray[np.float64]:
    """:func:`output_jacobian` of an ``nn.Sequential`` of ``Linear`` (with biases) and ``ReLU`` layers, in
    closed form: ``(N, k, P)``, float64, parameters in ``model.parameters()`` order.

    Backpropagate ``delta = d outputs / d z`` (``(N, k, out)``) through the layers from the identity at the
    output; a ``Linear`` layer with input ``a`` contributes ``delta[..., o] * a[..., j]`` for its weight
    ``(o, j)`` and ``delta`` for its bias. A ReLU passes ``delta`` where its input is positive, the
    derivative autograd uses (0 at 0). Same numbers as ``jacfwd`` to round-off, at ``O(N k P)`` cost
    instead of ``P`` forward passes.
    """
    import torch

    model.double()
    layers = list(model)
    p = next(model.parameters())
    h = torch.as_tensor(np.asarray(X), dtype=torch.float64, device=p.device)
    inputs, masks = [], []
    with torch.no_grad():
        for m in layers:
            if isinstance(m, torch.nn.Linear):
                inputs.append(h)
            else:
                masks.append(h > 0)
            h = m(h)
        N, k = h.shape
        delta = torch.eye(k, dtype=torch.float64, device=p.device).expand(N, k, k)
        blocks = []
        for m in reversed(layers):
            if isinstance(m, torch.nn.Linear):
                a = inputs.pop()
                blocks.append(delta)  # bias
                blocks.append(torch.einsum("nko,nj->nkoj", delta, a).reshape(N, k, -1))  # weight
                delta = delta @ m.weight
            else:
                delta = delta * masks.pop().unsqueeze(1)
        return torch.cat(blocks[::-1], dim=2).cpu().numpy()


def cross_entropy_gauss_newton(J: ArrayLike, logits: ArrayLike) -> NDArray[np.float64]:
    """Gauss-Newton part of the cross-entropy Hessian, ``(1/N) sum_i J_i^T (diag p_i - p_i p_i^T) J_i``.

    ``J (N, k, P)`` is the output Jacobian (:func:`output_jacobian`), ``logits (N, k)`` the outputs and
    ``p_i = softmax(logits_i)``. The rest of the Hessian, ``(1/N) sum_i sum_c (p_ic - y_ic) d^2 f_ic``,
    vanishes where the model fits its labels. Chapter 09 compares the outliers of the two. Returns ``(P, P)``.
    """
    J = np.asarray(J, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    N = J.shape[0]
    # diag(p) - p p^T = (diag(sqrt p) - sqrt(p) p^T)^T (diag(sqrt p) - sqrt(p) p^T), so G = B^T B / N.
    sq = np.sqrt(p)
    B = sq[:, :, None] * (J - np.einsum("nc,ncp->np", p, J)[:, None, :])
    B = B.reshape(N * J.shape[1], J.shape[2])
    return B.T @ B / N


def rank_tolerance(largest: float, shape: Sequence[int]) -> float:
    """Round-off tolerance for a rank: ``largest * max(shape) * eps`` (float64 ``eps``).

    ``largest`` is the largest singular value (or largest absolute eigenvalue of a symmetric matrix).
    Values below it cannot be told apart from zero in double precision: this is the rule of
    ``numpy.linalg.matrix_rank`` and of Numerical Recipes. Chapter 11 reports every rank at this tolerance.
    """
    return float(largest) * max(shape) * np.finfo(np.float64).eps


def numerical_rank(M: ArrayLike, tol: float | None = None, hermitian: bool = False) -> int:
    """Rank of ``M`` (any 2-D shape): the number of singular values above ``tol``.

    ``tol`` defaults to :func:`rank_tolerance` of the largest singular value; with ``hermitian=True`` the
    singular values are the absolute eigenvalues (faster for a Hessian). Agrees with
    ``numpy.linalg.matrix_rank``. Chapter 11.
    """
    M = np.asarray(M, dtype=np.float64)
    if M.size == 0:
        return 0
    s = np.abs(np.linalg.eigvalsh(M)) if hermitian else np.linalg.svd(M, compute_uv=False)
    if tol is None:
        tol = rank_tolerance(s.max(), M.shape)
    return int(np.sum(s > tol))


def count_outliers(eigvals: ArrayLike, max_count: int) -> int:
    """Number of outliers at the top of a spectrum: where its largest multiplicative gap is.

    Sorts ``eigvals`` in decreasing order, looks at the ratios ``lambda_j / lambda_{j+1}`` for
    ``j = 1 .. max_count`` and returns the ``j`` of the largest ratio (the top ``j`` eigenvalues stand
    apart from the rest). ``max_count`` must leave ``max_count + 1`` positive eigenvalues. Chapter 09.
    """
    top = np.sort(np.asarray(eigvals, dtype=np.float64))[::-1][: max_count + 1]
    if len(top) < max_count + 1 or top[-1] <= 0:
        raise ValueError(f"need {max_count + 1} positive eigenvalues, got {top}")
    return int(np.argmax(top[:-1] / top[1:])) + 1


def loss_along_line(f: Callable, theta_a, theta_b, alphas: ArrayLike) -> NDArray[np.float64]:
    """``f((1 - a) theta_a + a theta_b)`` for each ``a`` in ``alphas (T,)``: the loss on a straight line.

    ``f`` maps a flat parameter tensor to a scalar tensor (e.g. :func:`cross_entropy_loss`). Chapter 09.
    """
    import torch

    with torch.no_grad():
        return np.array([float(f((1 - a) * theta_a + a * theta_b)) for a in np.asarray(alphas, dtype=float)])


def barrier_height(alphas: ArrayLike, losses: ArrayLike) -> float:
    """Largest excess of the loss on a line over the straight interpolation of its two end values.

    ``max_a [L(a) - ((1 - a) L(0) + a L(1))]`` over the grid ``alphas`` (which must start at 0 and end at
    1). Zero or negative: no barrier, the segment never rises above its ends. Chapter 09.
    """
    a = np.asarray(alphas, dtype=np.float64)
    L = np.asarray(losses, dtype=np.float64)
    if a[0] != 0 or a[-1] != 1:
        raise ValueError("alphas must run from 0 to 1")
    return float(np.max(L - ((1 - a) * L[0] + a * L[-1])))
