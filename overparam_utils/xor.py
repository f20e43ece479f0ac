"""XOR cluster data and exact gradient descent for two-layer ReLU networks in high dimension (chapter 05).

The data (Xu et al., 2023): four Gaussian clusters with means :math:`\\pm\\mu_1` (label +1) and
:math:`\\pm\\mu_2` (label -1), :math:`\\mu_1 \\perp \\mu_2`, :math:`\\lVert\\mu_1\\rVert = \\lVert\\mu_2\\rVert`,
identity noise covariance in dimension ``dim``, and a fraction of the training labels flipped. No
linear classifier beats chance on it. The network is
:math:`f(x) = \\sum_j a_j \\,\\mathrm{ReLU}(\\langle w_j, x\\rangle)` with a fixed second layer
``a_j = +-1/sqrt(width)``; only the first layer ``W`` is trained, by full-batch gradient descent on the
mean logistic loss from a tiny random start ``W0``.

Two exact reductions make ``dim = 1e5`` or ``1e6`` cost nothing:

1. **The iterates stay in the span.** Every gradient step adds to each ``w_j`` a combination of the
   training inputs, so ``W_t = W0 + C_t X`` with a ``(width, n)`` coefficient matrix ``C_t``. The
   network only ever needs inner products: ``X W_t^T = X W0^T + K C_t^T`` with the Gram matrix
   ``K = X X^T``. :func:`train_xor_network` runs gradient descent on ``C`` alone: ``O(n^2 width)`` per
   step, whatever ``dim``.
2. **The data need not be drawn in ``dim`` dimensions.** Everything the network computes is an inner
   product between the training inputs, the initial weights and the test inputs. Write vectors in an
   orthonormal basis whose first two axes are ``mu_1/|mu|`` and ``mu_2/|mu|``. The noise of the ``n``
   training inputs and the ``width`` initial weights, restricted to the other ``dim - 2`` axes, are
   ``n + width`` i.i.d. Gaussian vectors: their Gram matrix is Wishart with ``dim - 2`` degrees of
   freedom, which the Bartlett decomposition samples as ``L L^T`` with ``L`` lower-triangular and of
   size ``n + width``. The rows of ``L`` are the same vectors written in an orthonormal basis of their
   span. A fresh test input's noise, projected onto that span, is standard normal in that basis (the
   part orthogonal to the span never meets a weight vector). So :func:`sample_xor_problem` returns
   every vector in ``2 + n + width`` coordinates, with exactly the joint law of all inner products the
   network uses, for any ``dim >= n + width + 2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from .progress import progress

CLUSTER_LABELS = np.array([1, 1, -1, -1])
"""Clean label of clusters 0..3, whose means are ``+mu_1, -mu_1, +mu_2, -mu_2``: an XOR pattern."""

LINEAR_LABELS = np.array([1, -1, 1, -1])
"""A linearly separable labelling of the same four clusters (``+mu_1, +mu_2`` get +1, ``-mu_1, -mu_2`` get -1):
the sign of ``<mu_1 + mu_2, x>`` classifies it. Used as a control in chapter 05."""

LABELLINGS = {"xor": CLUSTER_LABELS, "linear": LINEAR_LABELS}


def cluster_means(mean_norm: float) -> NDArray[np.float64]:
    """``(4, 2)`` cluster means in the plane spanned by ``mu_1, mu_2`` (axes 0 and 1), each of norm ``mean_norm``."""
    return mean_norm * np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])


def bartlett_factor(n_vectors: int, dof: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Lower-triangular ``L (n_vectors, n_vectors)`` with ``L L^T ~ Wishart(dof, I)`` (Bartlett decomposition).

    The rows of ``L`` have the joint law of ``n_vectors`` i.i.d. standard Gaussian vectors in ``R^dof``,
    written in an orthonormal basis of their span (Gram-Schmidt order). Needs ``dof >= n_vectors``.
    """
    if dof < n_vectors:
        raise ValueError(f"dof={dof} must be at least n_vectors={n_vectors}")
    L = np.tril(rng.standard_normal((n_vectors, n_vectors)), k=-1)
    L[np.diag_indices(n_vectors)] = np.sqrt(rng.chisquare(dof - np.arange(n_vectors)))
    return L


@dataclass(frozen=True)
class XorProblem:
    """One draw of XOR cluster data and of the network's initial weights (chapter 05).

    Attributes
    ----------
    X: ``(n_train, D)`` training inputs; axes 0 and 1 are the directions of ``mu_1`` and ``mu_2``.
    y: ``(n_train,)`` training labels in {-1, +1}, after the flips.
    y_clean: ``(n_train,)`` the labels before the flips; ``flipped = y != y_clean``.
    cluster: ``(n_train,)`` cluster index 0..3 (means ``+mu_1, -mu_1, +mu_2, -mu_2``).
    X_test, y_test, cluster_test: fresh inputs with their clean labels and clusters.
    W0: ``(width, D)`` initial first-layer weights, i.i.d. ``N(0, init_scale^2)`` in ``dim`` dimensions.
    a: ``(width,)`` fixed second layer, ``+1/sqrt(width)`` for the first half and ``-1/sqrt(width)`` after.
    dim, mean_norm: the ambient dimension and ``|mu_1| = |mu_2|``.
    reduced: True when ``D = 2 + n_train + width`` span coordinates stand for ``dim`` dimensions (then
        ``X_test`` holds the test inputs' projection onto the span of ``mu``, ``X`` and ``W0``: their inner
        products with any vector of that span are exact, their norms are not).
    """

    X: NDArray[np.float64]
    y: NDArray[np.float64]
    y_clean: NDArray[np.float64]
    cluster: NDArray[np.int64]
    X_test: NDArray[np.float64]
    y_test: NDArray[np.float64]
    cluster_test: NDArray[np.int64]
    W0: NDArray[np.float64]
    a: NDArray[np.float64]
    dim: int
    mean_norm: float
    reduced: bool

    @property
    def flipped(self) -> NDArray[np.bool_]:
        """``(n_train,)`` True where the training label was flipped."""
        return self.y != self.y_clean


def _draw_clusters(
    n_train: int, flip_rate: float, balanced: bool, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    if balanced:
        if n_train % 4:
            raise ValueError(f"balanced clusters need n_train divisible by 4, got {n_train}")
        per = n_train // 4
        n_flip = int(round(flip_rate * per))
        cluster = np.repeat(np.arange(4), per)
        flipped = np.zeros(n_train, dtype=bool)
        for c in range(4):
            flipped[c * per + rng.choice(per, size=n_flip, replace=False)] = True
        return cluster, flipped
    return rng.integers(0, 4, size=n_train), rng.random(n_train) < flip_rate


def sample_xor_problem(
    *,
    n_train: int,
    n_test: int,
    dim: int,
    mean_norm: float,
    flip_rate: float,
    width: int,
    init_scale: float,
    rng: np.random.Generator,
    balanced: bool = True,
    reduced: bool = True,
    labels: str = "xor",
) -> XorProblem:
    """Draw XOR cluster data ``x = mean + N(0, I_dim)`` and initial weights ``W0 ~ N(0, init_scale^2 I)``.

    Training clusters are either ``balanced`` (``n_train / 4`` points each, and exactly
    ``round(flip_rate * n_train / 4)`` flipped labels in every cluster) or i.i.d. uniform with each label
    flipped independently with probability ``flip_rate``. Test points are i.i.d. with clean labels.

    With ``reduced=True`` (needs ``dim >= n_train + width + 2``) the vectors are returned in
    ``2 + n_train + width`` span coordinates with the exact joint law of every inner product the network
    uses (see the module docstring); with ``reduced=False`` they are drawn explicitly in ``dim`` dimensions.
    ``width`` must be even (half of the second layer is positive). ``labels="xor"`` (the paper's data,
    :data:`CLUSTER_LABELS`) or ``"linear"`` (:data:`LINEAR_LABELS`, a linearly separable control on the same
    clusters). The clusters and flips are drawn first from ``rng``, so the same seed gives the same clusters
    and flips whatever ``labels``, ``mean_norm`` or ``dim``; at equal ``dim`` the noise is the same too (paired
    draws). Used in chapter 05.
    """
    if labels not in LABELLINGS:
        raise ValueError(f"labels={labels!r} must be one of {sorted(LABELLINGS)}")
    label_of = LABELLINGS[labels]
    if width % 2:
        raise ValueError(f"width={width} must be even")
    if not 0 <= flip_rate < 0.5:
        raise ValueError(f"flip_rate={flip_rate} must lie in [0, 0.5)")
    cluster, flipped = _draw_clusters(n_train, flip_rate, balanced, rng)
    cluster_test = rng.integers(0, 4, size=n_test)
    means = cluster_means(mean_norm)
    if reduced:
        n_span = n_train + width
        if dim < n_span + 2:
            raise ValueError(f"reduced coordinates need dim >= n_train + width + 2 = {n_span + 2}; use reduced=False")
        L = bartlett_factor(n_span, dim - 2, rng)
        X = np.hstack([means[cluster] + rng.standard_normal((n_train, 2)), L[:n_train]])
        W0 = init_scale * np.hstack([rng.standard_normal((width, 2)), L[n_train:]])
        X_test = np.hstack(
            [means[cluster_test] + rng.standard_normal((n_test, 2)), rng.standard_normal((n_test, n_span))]
        )
    else:
        X = rng.standard_normal((n_train, dim))
        X[:, :2] += means[cluster]
        W0 = init_scale * rng.standard_normal((width, dim))
        X_test = rng.standard_normal((n_test, dim))
        X_test[:, :2] += means[cluster_test]
    y_clean = label_of[cluster].astype(np.float64)
    a = np.concatenate([np.ones(width // 2), -np.ones(width // 2)]) / np.sqrt(width)
    return XorProblem(
        X=X,
        y=np.where(flipped, -y_clean, y_clean),
        y_clean=y_clean,
        cluster=cluster,
        X_test=X_test,
        y_test=label_of[cluster_test].astype(np.float64),
        cluster_test=cluster_test,
        W0=W0,
        a=a,
        dim=int(dim),
        mean_norm=float(mean_norm),
        reduced=reduced,
    )


def train_xor_network(
    X: ArrayLike,
    y: ArrayLike,
    W0: ArrayLike,
    a: ArrayLike,
    *,
    lr: float,
    steps: int,
    record_steps: ArrayLike,
    desc: str | None = None,
) -> NDArray[np.float64]:
    """Full-batch gradient descent on the first layer of ``f(x) = sum_j a_j relu(<w_j, x>)``, exactly.

    Minimises the mean logistic loss ``mean_i log(1 + exp(-y_i f(x_i)))`` with step ``lr``, tracking the
    weights as ``W_t = W0 + C_t X`` (module docstring): each step costs ``O(n^2 width)``, whatever the
    inputs' dimension. The ReLU's derivative at exactly 0 is taken as 0 (as in torch).

    Parameters
    ----------
    X: ``(S, n, D)`` training inputs of ``S`` independent problems (batched), ``y``: ``(S, n)`` labels.
    W0: ``(S, width, D)`` initial weights; ``a``: ``(width,)`` fixed second layer.
    record_steps: step counts ``0 <= t <= steps`` at which to keep ``C_t``.

    Returns
    -------
    ``(len(record_steps), S, width, n)`` coefficients ``C_t`` (see :func:`xor_network_outputs`). Chapter 05.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    W0 = np.asarray(W0, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    S, n, _ = X.shape
    record = [int(t) for t in np.atleast_1d(record_steps)]
    if any(t < 0 or t > steps for t in record):
        raise ValueError(f"record_steps must lie in [0, {steps}]")
    K = X @ X.transpose(0, 2, 1)  # (S, n, n)
    P0 = W0 @ X.transpose(0, 2, 1)  # (S, width, n): initial pre-activations
    C = np.zeros((S, a.size, n))
    saved: dict[int, NDArray[np.float64]] = {}
    for t in progress(range(steps + 1), desc=desc or "gradient descent", total=steps + 1):
        if t in record:
            saved[t] = C.copy()
        if t == steps:
            break
        H = P0 + C @ K  # (S, width, n) pre-activations X W_t^T, transposed
        f = np.einsum("j,sjn->sn", a, np.maximum(H, 0.0))
        g = expit(-y * f)  # -d loss_i / d margin_i
        C += (lr / n) * a[None, :, None] * (H > 0) * (g * y)[:, None, :]
    return np.stack([saved[t] for t in record])


def xor_network_outputs(
    C: ArrayLike, X: ArrayLike, W0: ArrayLike, a: ArrayLike, X_new: ArrayLike
) -> NDArray[np.float64]:
    """Network outputs ``f(x)`` at inputs ``X_new (S, k, D)`` for weights ``W = W0 + C X``.

    ``C`` is ``(T, S, width, n)`` from :func:`train_xor_network` (or ``(S, width, n)``); ``X (S, n, D)``,
    ``W0 (S, width, D)``. Returns ``(T, S, k)`` (or ``(S, k)``), computed from inner products only.
    """
    C = np.asarray(C, dtype=np.float64)
    X, W0, X_new = (np.asarray(v, dtype=np.float64) for v in (X, W0, X_new))
    a = np.asarray(a, dtype=np.float64)
    single = C.ndim == 3
    C = C[None] if single else C
    P_new = X_new @ W0.transpose(0, 2, 1)  # (S, k, width)
    K_new = X_new @ X.transpose(0, 2, 1)  # (S, k, n)
    out = np.stack([np.maximum(P_new + K_new @ Ct.transpose(0, 2, 1), 0.0) @ a for Ct in C])
    return out[0] if single else out


def linear_scores(X: ArrayLike, y: ArrayLike, X_new: ArrayLike) -> NDArray[np.float64]:
    """Scores ``sum_i y_i <x_i, x>`` of the linear classifier the first step implements, at ``X_new``.

    ``X (S, n, D)``, ``y (S, n)``, ``X_new (S, k, D)``; returns ``(S, k)``. Chapter 05.
    """
    X, y, X_new = (np.asarray(v, dtype=np.float64) for v in (X, y, X_new))
    return np.einsum("skn,sn->sk", X_new @ X.transpose(0, 2, 1), y)


def cluster_mean_margins(W_plane: ArrayLike, a: ArrayLike, mean_norm: float) -> NDArray[np.float64]:
    """Margins ``y_c f_plane(nu_c)`` of the four noise-free cluster means under the learned features alone.

    ``W_plane (..., width, 2)``: each unit's components along ``mu_1/|mu|`` and ``mu_2/|mu|``; ``a (width,)``
    the second layer. ``f_plane(x) = sum_j a_j relu(<w_j, x>)`` keeps only that part of each weight vector and
    is evaluated at the cluster means ``nu_c = +mu_1, -mu_1, +mu_2, -mu_2`` (:func:`cluster_means`), with
    clean labels :data:`CLUSTER_LABELS`. Returns ``(..., 4)``. All four are positive only if units of the right
    output sign point at *both* signs of each mean (a unit along ``+mu_1`` is silent on ``-mu_1``); a linear
    ``f_plane`` cannot make all four positive. Chapter 05.
    """
    W_plane = np.asarray(W_plane, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    pre = np.einsum("...jk,ck->...cj", W_plane, cluster_means(mean_norm))  # (..., 4, width)
    return (np.maximum(pre, 0.0) @ a) * CLUSTER_LABELS
