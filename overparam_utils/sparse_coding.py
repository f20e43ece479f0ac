"""Sparse coding of image patches with l1 and l0-like penalties (chapter 25, sparse coding).

What it holds, by concept:

- data: whitened grey-level patches of scikit-learn's bundled sample images, and white-noise patches;
- thresholding rules: the proximal maps of the l1 norm (soft), of the l0 count (hard) and of the
  CEL0 penalty of Soubies, Blanc-Feraud and Aubert (firm thresholding), with the penalties themselves;
- inference: proximal gradient descent (ISTA form) on ``0.5 ||x - D a||^2 + penalty(a)``, for many
  patches at once, and warm-started along a path of penalty weights;
- refitting: least squares on a code's support, which removes the shrinkage of soft thresholding;
- learning: a dictionary learned by alternating inference and a step on the atoms;
- reading curves: the number of active units needed for a given error, and the error at a given number
  of active units, interpolated on log scales.

Patches are rows: ``X`` is ``(n, p)``, the dictionary ``D`` is ``(p, K)`` with unit-norm columns (atoms),
codes ``A`` are ``(n, K)`` and ``X ~ A D^T``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
PENALTIES = ("soft", "hard", "cel0")


# --- data ------------------------------------------------------------------------------------------
def sample_image_patches(n: int, size: int, rng: np.random.Generator) -> Array:
    """``n`` random ``size x size`` grey-level patches (rows, values in [0, 1]) cut from
    scikit-learn's bundled sample images (a photo of a temple and one of a flower)."""
    from sklearn.datasets import load_sample_images

    images = [img.astype(np.float64).mean(axis=2) / 255.0 for img in load_sample_images().images]
    which = rng.integers(len(images), size=n)
    offsets = np.arange(size)
    out = np.empty((n, size * size))
    for k, img in enumerate(images):
        rows = np.flatnonzero(which == k)
        r = rng.integers(img.shape[0] - size + 1, size=len(rows))
        c = rng.integers(img.shape[1] - size + 1, size=len(rows))
        cut = img[(r[:, None] + offsets)[:, :, None], (c[:, None] + offsets)[:, None, :]]
        out[rows] = cut.reshape(len(rows), -1)
    return out


def zca_whitener(X: Array, eps: float = 0.1) -> Array:
    """Regularised ZCA whitening matrix ``W`` (apply as ``X @ W``) of mean-removed patches ``X``.

    The covariance's eigenvalues ``e`` are replaced by ``1 / sqrt(e + eps * mean(e))``: directions of
    high variance (low spatial frequencies) are flattened, the noisiest ones not blown up."""
    C = X.T @ X / len(X)
    e, V = np.linalg.eigh(C)
    e = np.clip(e, 0.0, None)
    return (V / np.sqrt(e + eps * e.mean())) @ V.T


def whitened_patches(n: int, size: int, rng: np.random.Generator, eps: float = 0.1) -> Array:
    """``n`` natural-image patches: per-patch mean removed, ZCA-whitened, scaled to unit std overall."""
    X = sample_image_patches(n, size, rng)
    X = X - X.mean(axis=1, keepdims=True)
    X = X @ zca_whitener(X, eps)
    return X / X.std()


def noise_patches(n: int, size: int, rng: np.random.Generator) -> Array:
    """``n`` white Gaussian noise patches with the same preprocessing shape (mean removed, unit std)."""
    X = rng.standard_normal((n, size * size))
    X = X - X.mean(axis=1, keepdims=True)
    return X / X.std()


def random_dictionary(p: int, K: int, rng: np.random.Generator) -> Array:
    """A ``(p, K)`` dictionary of independent Gaussian atoms, normalised to unit length."""
    D = rng.standard_normal((p, K))
    return D / np.linalg.norm(D, axis=0)


# --- thresholding rules -----------------------------------------------------------------------------
def soft_threshold(u: Array, t: float) -> Array:
    """Prox of ``t |.|`` (the l1 norm): shrink every entry toward zero by ``t``."""
    return np.sign(u) * np.maximum(np.abs(u) - t, 0.0)


def hard_threshold(u: Array, t: float) -> Array:
    """Keep entries with ``|u| > t``, zero the rest. With ``t = sqrt(2 lam step)`` it is the prox of
    ``step * lam * ||.||_0``."""
    return np.where(np.abs(u) > t, u, 0.0)


def cel0_prox(u: Array, lam: float, step: float) -> Array:
    """Prox of ``step * CEL0(.; lam)`` for a unit-norm atom (needs ``step < 1``): firm thresholding.

    Zero below ``sqrt(2 lam) step``, a linear ramp ``(|u| - sqrt(2 lam) step) / (1 - step)`` that meets
    the identity at ``sqrt(2 lam)``, the identity above (Soubies et al. 2015, eq. for ``||d_i|| = 1``)."""
    if not 0.0 < step < 1.0:
        raise ValueError(f"cel0_prox needs 0 < step < 1, got {step}")
    a = np.abs(u)
    ramp = np.maximum(a - np.sqrt(2.0 * lam) * step, 0.0) / (1.0 - step)
    return np.sign(u) * np.minimum(a, ramp)


def penalty_value(a: Array, penalty: str, lam: float) -> Array:
    """Entrywise penalty: ``lam |a|`` (soft), ``lam 1[a != 0]`` (hard), CEL0 for unit atoms (cel0)."""
    a = np.abs(np.asarray(a, dtype=np.float64))
    if penalty == "soft":
        return lam * a
    if penalty == "hard":
        return lam * (a != 0)
    if penalty == "cel0":
        t = np.sqrt(2.0 * lam)
        return lam - 0.5 * (a - t) ** 2 * (a <= t)
    raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")


def prox(penalty: str, lam: float, step: float) -> Callable[[Array], Array]:
    """The prox of ``step * penalty(.; lam)`` as a function of ``u``."""
    if penalty == "soft":
        return lambda u: soft_threshold(u, step * lam)
    if penalty == "hard":
        t = np.sqrt(2.0 * lam * step)
        return lambda u: hard_threshold(u, t)
    if penalty == "cel0":
        return lambda u: cel0_prox(u, lam, step)
    raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")


# --- inference ---------------------------------------------------------------------------------------
def lipschitz_step(D: Array) -> float:
    """The step ``1 / ||D||_2^2`` of proximal gradient descent (below 1 for an over-complete unit D)."""
    return 1.0 / np.linalg.norm(D, 2) ** 2


def infer(X: Array, D: Array, penalty: str, lam: float, steps: int, A0: Array | None = None) -> Array:
    """Codes ``A`` of the rows of ``X`` by ``steps`` proximal gradient steps (ISTA form) on
    ``0.5 ||x - D a||^2 + penalty(a; lam)``, from ``A0`` (zeros by default)."""
    step = lipschitz_step(D)
    P = prox(penalty, lam, step)
    G = D.T @ D
    B = X @ D
    A = np.zeros((len(X), D.shape[1])) if A0 is None else A0.copy()
    for _ in range(steps):
        A = P(A - step * (A @ G - B))
    return A


def rel_error(X: Array, A: Array, D: Array) -> float:
    """Relative squared reconstruction error ``||X - A D^T||^2 / ||X||^2``."""
    return float(np.sum((X - A @ D.T) ** 2) / np.sum(X**2))


def refit_on_support(X: Array, A: Array, D: Array, ridge: float = 1e-9) -> Array:
    """Codes with the support of ``A`` and least-squares values on it (a "debiased" code).

    For each row, the nonzero coefficients of ``A`` are replaced by the least-squares fit of ``x`` with
    the atoms of that support (a ``ridge`` keeps supports larger than ``p`` solvable); zeros stay."""
    mask = A != 0
    m = max(int(mask.sum(axis=1).max()), 1)
    idx = np.argsort(~mask, axis=1, kind="stable")[:, :m]  # each row's support first
    valid = np.take_along_axis(mask, idx, axis=1)
    both = valid[:, :, None] & valid[:, None, :]
    G = D.T @ D
    Gs = np.where(both, G[idx[:, :, None], idx[:, None, :]], 0.0)
    Gs += np.eye(m) * np.where(valid, ridge, 1.0)[:, :, None]
    b = np.where(valid, np.take_along_axis(X @ D, idx, axis=1), 0.0)
    coef = np.linalg.solve(Gs, b[..., None])[..., 0]
    out = np.zeros_like(A)
    np.put_along_axis(out, idx, np.where(valid, coef, 0.0), axis=1)
    return out


def lambda_path(
    X: Array, D: Array, penalty: str, lams: Array, steps: int, refit: bool = False
) -> tuple[Array, Array] | tuple[Array, Array, Array]:
    """Active units per patch and relative error for each weight in ``lams``, warm-started from the
    largest weight down. Returns ``(active, error)`` in the order of ``lams``, and with
    ``refit=True`` also the error of the codes refitted on their support (``refit_on_support``)."""
    order = np.argsort(lams)[::-1]
    active, error, refitted = np.empty(len(lams)), np.empty(len(lams)), np.empty(len(lams))
    A = None
    for i in order:
        A = infer(X, D, penalty, float(lams[i]), steps, A)
        active[i] = np.count_nonzero(A) / len(X)
        error[i] = rel_error(X, A, D)
        if refit:
            refitted[i] = rel_error(X, refit_on_support(X, A, D), D)
    return (active, error, refitted) if refit else (active, error)


# --- learning ----------------------------------------------------------------------------------------
def learn_dictionary(
    X: Array,
    K: int,
    penalty: str,
    lam: float,
    *,
    batches: int,
    batch: int,
    steps: int,
    lr: float,
    rng: np.random.Generator,
    D0: Array | None = None,
) -> Array:
    """A ``(p, K)`` unit-norm dictionary learned on the rows of ``X`` by alternating minimisation.

    For each minibatch: infer the codes ``A`` with ``penalty`` (``steps`` proximal steps), then move
    every atom along the gradient of the squared residual ``R = X - A D^T``, scaled per atom by the
    energy of its coefficients, ``d_k += lr R^T a_k / (||a_k||^2 + batch * 1e-3)`` (a damped block
    coordinate step: ``lr = 1`` solves for one atom with the others fixed), and renormalise."""
    D = random_dictionary(X.shape[1], K, rng) if D0 is None else D0.copy()
    for _ in range(batches):
        Xb = X[rng.integers(len(X), size=batch)]
        A = infer(Xb, D, penalty, lam, steps)
        R = Xb - A @ D.T
        D = D + lr * (R.T @ A) / (np.sum(A**2, axis=0) + 1e-3 * batch)
        D /= np.maximum(np.linalg.norm(D, axis=0), 1e-12)
    return D


# --- reading the curves ------------------------------------------------------------------------------
def active_at_error(active: Array, error: Array, target: float) -> float:
    """Active units needed for relative error ``target``, interpolated in log-log along a lambda path;
    ``nan`` if the path does not bracket ``target``."""
    o = np.argsort(error)
    e, a = np.log(np.asarray(error)[o]), np.log(np.asarray(active)[o])
    lt = np.log(target)
    if not e[0] <= lt <= e[-1] or np.any(~np.isfinite(a)):
        return float("nan")
    return float(np.exp(np.interp(lt, e, a)))


def error_at_active(active: Array, error: Array, target: float) -> float:
    """Relative error reached with ``target`` active units per patch, interpolated in log-log along a
    lambda path; ``nan`` if the path does not bracket ``target``."""
    ok = np.asarray(active) > 0
    o = np.argsort(np.asarray(active)[ok])
    a, e = np.log(np.asarray(active)[ok][o]), np.log(np.asarray(error)[ok][o])
    lt = np.log(target)
    if len(a) == 0 or not a[0] <= lt <= a[-1]:
        return float("nan")
    return float(np.exp(np.interp(lt, a, e)))
