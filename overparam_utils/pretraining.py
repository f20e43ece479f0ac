"""A linear latent factor model and what pretraining on unlabeled data buys in it (chapter 28).

The model: ``x = A z + xi`` in ``d`` dimensions with ``z ~ N(0, I_r)`` and isotropic noise
``xi ~ N(0, I_d)``; the label ``y = beta . z + gamma * (u . xi) + sigma * eps``. With ``gamma = 0`` the label
depends on the ``r`` latent factors only (the paper's "informative" case); with ``gamma > 0`` it also depends
on a noise direction ``u`` orthogonal to the factor loadings, which PCA discards (the misspecified control).

* :class:`FactorModel`, :func:`factor_model`: the model, its samples, its covariance and Bayes predictor;
* :func:`excess_risk`: the exact excess squared risk of linear predictors;
* :func:`pca_subspace`: maximum-likelihood pretraining (the top-``r`` principal subspace);
* :func:`fit_in_subspace`, :func:`min_norm_least_squares`, :func:`ridge_path`: the downstream and
  supervised fits; :func:`subspace_excess`: the risk left with infinitely many labels (the unlabeled term);
* :func:`ols_excess_theory`: the expected excess risk of least squares with Gaussian design;
* :func:`label_sweep` and :func:`unlabeled_sweep`: excess risks over the labelled sample size ``n`` (for
  several unlabelled sizes ``m``, with the supervised baselines) and over ``m`` alone, on repeated draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class FactorModel:
    """Loadings ``A (d, r)``, label weights ``beta (r,)``, noise direction ``u (d,)`` (unit, ``A.T u = 0``),
    its label weight ``gamma`` and the label noise ``sigma``."""

    A: NDArray[np.float64]
    beta: NDArray[np.float64]
    u: NDArray[np.float64]
    gamma: float
    sigma: float

    @property
    def d(self) -> int:
        return self.A.shape[0]

    @property
    def r(self) -> int:
        return self.A.shape[1]

    def sample(self, n: int, rng: np.random.Generator) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``n`` labelled points: ``X (n, d)`` and ``y (n,)`` (the first ``n`` of a longer draw are the same)."""
        z = rng.standard_normal((n, self.r))
        xi = rng.standard_normal((n, self.d))
        eps = rng.standard_normal(n)
        X = z @ self.A.T + xi
        y = z @ self.beta + self.gamma * (xi @ self.u) + self.sigma * eps
        return X, y

    def cov_x(self) -> NDArray[np.float64]:
        """``Sigma_x = A A^T + I_d``, the covariance of ``x``."""
        return self.A @ self.A.T + np.eye(self.d)

    def bayes_weights(self) -> NDArray[np.float64]:
        """``w* = Sigma_x^{-1} Cov(x, y) = Sigma_x^{-1} A beta + gamma u``: the best linear (here Bayes) predictor."""
        return np.linalg.solve(self.cov_x(), self.A @ self.beta + self.gamma * self.u)

    def bayes_risk(self) -> float:
        """``Var(y) - Cov(x,y)^T w*``: the squared risk of the Bayes predictor, the irreducible noise."""
        var_y = self.beta @ self.beta + self.gamma**2 + self.sigma**2
        return float(var_y - (self.A @ self.beta + self.gamma * self.u) @ self.bayes_weights())


def factor_model(
    d: int, r: int, strength: float, sigma: float, rng: np.random.Generator, gamma: float = 0.0
) -> FactorModel:
    """A random model: ``A`` has i.i.d. ``N(0, strength^2)`` entries, ``beta ~ N(0, I_r)``, and ``u`` is a random
    unit vector orthogonal to the columns of ``A`` (used only when ``gamma != 0``)."""
    A = strength * rng.standard_normal((d, r))
    beta = rng.standard_normal(r)
    v = rng.standard_normal(d)
    Q, _ = np.linalg.qr(A)
    v -= Q @ (Q.T @ v)
    return FactorModel(A=A, beta=beta, u=v / np.linalg.norm(v), gamma=float(gamma), sigma=float(sigma))


def excess_risk(model: FactorModel, W: ArrayLike) -> NDArray[np.float64] | float:
    """Exact excess squared risk ``(w - w*)^T Sigma_x (w - w*)`` of each column of ``W (d,)`` or ``(d, k)``."""
    W = np.asarray(W, dtype=np.float64)
    D = W - (model.bayes_weights()[:, None] if W.ndim == 2 else model.bayes_weights())
    S = model.cov_x()
    if W.ndim == 1:
        return float(D @ S @ D)
    return np.einsum("ik,ij,jk->k", D, S, D)


def pca_subspace(X: ArrayLike, r: int) -> NDArray[np.float64]:
    """``U (d, r)``, orthonormal: the top-``r`` eigenvectors of the second moment ``X^T X / m`` of the unlabeled
    ``X (m, d)``. For the isotropic-noise factor model with mean zero this is the maximum-likelihood estimate
    of the span of ``A`` (probabilistic PCA)."""
    X = np.asarray(X, dtype=np.float64)
    _, vecs = np.linalg.eigh(X.T @ X / X.shape[0])
    return vecs[:, ::-1][:, :r]


def fit_in_subspace(X: ArrayLike, y: ArrayLike, U: ArrayLike) -> NDArray[np.float64]:
    """Least squares of ``y`` on the features ``X U`` (``r`` parameters); returns the predictor ``w = U c``."""
    X, U = np.asarray(X, dtype=np.float64), np.asarray(U, dtype=np.float64)
    c, *_ = np.linalg.lstsq(X @ U, np.asarray(y, dtype=np.float64), rcond=None)
    return U @ c


def min_norm_least_squares(X: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
    """``pinv(X) y``: ordinary least squares for ``n > d``, the minimum-norm interpolator for ``n < d``."""
    return np.linalg.pinv(np.asarray(X, dtype=np.float64)) @ np.asarray(y, dtype=np.float64)


def ridge_path(X: ArrayLike, y: ArrayLike, lambdas: ArrayLike) -> NDArray[np.float64]:
    """``(d, k)`` ridge solutions ``argmin |y - X w|^2 / n + lam |w|^2`` for each ``lam`` (one SVD)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    lam = np.asarray(lambdas, dtype=np.float64) * X.shape[0]
    V, s, Wt = np.linalg.svd(X, full_matrices=False)
    shrink = s[:, None] / (s[:, None] ** 2 + lam[None, :])
    return Wt.T @ (shrink * (V.T @ y)[:, None])


def subspace_excess(model: FactorModel, U: ArrayLike) -> float:
    """The excess risk of the best predictor in ``span(U)``: what is left with infinitely many labels after
    pretraining has fixed the subspace ``U (d, r)``. Zero when ``span(U)`` contains ``w*``."""
    U = np.asarray(U, dtype=np.float64)
    S = model.cov_x()
    c = np.linalg.solve(U.T @ S @ U, U.T @ S @ model.bayes_weights())
    return float(excess_risk(model, U @ c))


def ols_excess_theory(p: int, n: ArrayLike, noise: float) -> NDArray[np.float64]:
    """``noise * p / (n - p - 1)``: the expected excess risk of least squares with ``p`` centred Gaussian
    features, ``n > p + 1`` samples and residual variance ``noise``."""
    n = np.asarray(n, dtype=np.float64)
    if np.any(n <= p + 1):
        raise ValueError(f"the formula needs n > p + 1 = {p + 1}")
    return noise * p / (n - p - 1)


def label_sweep(
    model: FactorModel,
    n_train: Sequence[int],
    m_unlabeled: Sequence[int],
    n_draws: int,
    rng: np.random.Generator,
    lambdas: ArrayLike,
    progress_bar: Callable[[Iterable[int]], Iterable[int]] = iter,
) -> dict[str, NDArray[np.float64]]:
    """Excess risks over labelled sample sizes, on ``n_draws`` independent draws of the data.

    Each draw samples ``max(m_unlabeled)`` unlabelled points (the smaller ``m`` are its first rows, so the
    unlabelled sets are nested) and ``max(n_train)`` labelled ones (nested the same way). Returns arrays with
    the draws last: ``"pretrained" (len(m), len(n), n_draws)`` (PCA on the unlabelled set, least squares on
    the ``r`` factors), ``"least_squares" (len(n), n_draws)`` (``pinv`` on the raw features) and
    ``"ridge" (len(n), n_draws)`` (ridge with the ``lambdas`` value of lowest true excess risk: an
    optimistic, oracle-tuned baseline)."""
    n_train, m_unlabeled = list(n_train), list(m_unlabeled)
    pre = np.zeros((len(m_unlabeled), len(n_train), n_draws))
    ls = np.zeros((len(n_train), n_draws))
    ridge = np.zeros((len(n_train), n_draws))
    for k in progress_bar(range(n_draws)):
        X_u, _ = model.sample(max(m_unlabeled), rng)
        subspaces = [pca_subspace(X_u[:m], model.r) for m in m_unlabeled]
        X, y = model.sample(max(n_train), rng)
        for j, n in enumerate(n_train):
            for i, U in enumerate(subspaces):
                pre[i, j, k] = excess_risk(model, fit_in_subspace(X[:n], y[:n], U))
            ls[j, k] = excess_risk(model, min_norm_least_squares(X[:n], y[:n]))
            ridge[j, k] = np.min(excess_risk(model, ridge_path(X[:n], y[:n], lambdas)))
    return {"pretrained": pre, "least_squares": ls, "ridge": ridge}


def unlabeled_sweep(
    model: FactorModel, m_unlabeled: Sequence[int], n_draws: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``(len(m), n_draws)``: the unlabelled term, :func:`subspace_excess` of the PCA subspace fitted on the
    first ``m`` rows of a draw of ``max(m_unlabeled)`` unlabelled points (labels unlimited)."""
    out = np.zeros((len(m_unlabeled), n_draws))
    for k in range(n_draws):
        X_u, _ = model.sample(max(m_unlabeled), rng)
        for i, m in enumerate(m_unlabeled):
            out[i, k] = subspace_excess(model, pca_subspace(X_u[:m], model.r))
    return out
