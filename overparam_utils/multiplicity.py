"""The epsilon-Rashomon set of L2-penalised logistic regression and each point's extreme risks.

Used by the chapter ``23_predictive_multiplicity``. The model is logistic regression with an
intercept: a design matrix ``X1`` whose last column is all ones, labels ``y`` in {0, 1}, weights
``theta`` (the last entry is the intercept, which is not penalised) and the penalised loss

    L(theta) = mean_i log(1 + exp(-(2 y_i - 1) x_i . theta)) + (lam / 2) ||theta[:-1]||^2.

The epsilon-Rashomon set is {theta : L(theta) <= L* + eps}, L* the minimum. For a point x the
extreme logits over that set, min and max of x . theta, are convex programs (a linear objective
over a convex set), solved here exactly through their Lagrangian: for a tilt t >= 0 the minimiser
theta(t) of L(theta) + t s . theta (s = x for the minimum, s = -x for the maximum) is found by
Newton's method, and a 1-D safeguarded Newton search finds the t at which the constraint is
active, L(theta(t)) = L* + eps. Many points and both directions are solved at once, batched.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize


def add_intercept(X: ArrayLike) -> NDArray[np.float64]:
    """``X`` with a last column of ones (the intercept's feature)."""
    X = np.asarray(X, dtype=float)
    return np.hstack([X, np.ones((len(X), 1))])


def sigmoid(z: ArrayLike) -> NDArray[np.float64]:
    """The logistic function 1 / (1 + exp(-z)), stable for large |z|."""
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def _penalty_mask(d: int) -> NDArray[np.float64]:
    mask = np.ones(d)
    mask[-1] = 0.0  # the intercept is not penalised
    return mask


def penalised_loss(theta: ArrayLike, X1: ArrayLike, y: ArrayLike, lam: float) -> NDArray[np.float64]:
    """Mean log-loss plus (lam / 2) times the squared norm of the weights (intercept excluded).

    ``theta`` is one parameter vector (d,) or a stack (m, d); the result has shape () or (m,).
    """
    theta = np.asarray(theta, dtype=float)
    X1, y = np.asarray(X1, dtype=float), np.asarray(y, dtype=float)
    Z = theta @ X1.T  # (..., n)
    data = np.mean(np.logaddexp(0.0, Z) - y * Z, axis=-1)
    return data + 0.5 * lam * np.sum(theta[..., :-1] ** 2, axis=-1)


def _grad_hess(theta, X1, y, lam):
    """Gradient (m, d) and Hessian (m, d, d) of the penalised loss at a stack of parameters."""
    n, d = X1.shape
    Z = theta @ X1.T
    p = sigmoid(Z)
    mask = _penalty_mask(d)
    grad = (p - y) @ X1 / n + lam * mask * theta
    weights = p * (1.0 - p) / n  # (m, n)
    hess = np.matmul(X1.T[None] * weights[:, None, :], X1) + lam * np.diag(mask)
    return grad, hess


def tilted_minimisers(
    X1: ArrayLike,
    y: ArrayLike,
    lam: float,
    S: ArrayLike,
    t: ArrayLike,
    theta0: ArrayLike | None = None,
    tol: float = 1e-24,
    max_iter: int = 100,
) -> NDArray[np.float64]:
    """Minimisers of L(theta) + t_j s_j . theta for a stack of directions ``S`` (m, d) and tilts ``t`` (m,).

    Damped Newton's method (backtracking on the tilted objective, strictly convex since lam > 0 and
    the log-loss curves the intercept), run on all m problems at once from ``theta0`` (zeros by
    default) until every squared Newton decrement is below ``tol``. ``t = 0`` gives the minimiser of L.
    """
    X1, y = np.asarray(X1, dtype=float), np.asarray(y, dtype=float)
    S = np.atleast_2d(np.asarray(S, dtype=float))
    t = np.broadcast_to(np.asarray(t, dtype=float), (len(S),))
    theta = np.zeros_like(S) if theta0 is None else np.array(theta0, dtype=float, copy=True)
    linear = t[:, None] * S

    def objective(th):
        return penalised_loss(th, X1, y, lam) + np.sum(linear * th, axis=1)

    f = objective(theta)
    for _ in range(max_iter):
        grad, hess = _grad_hess(theta, X1, y, lam)
        grad = grad + linear
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        decrement = np.sum(grad * step, axis=1)
        active = decrement > tol
        if not active.any():
            break
        size = np.ones(len(S))
        # backtracking where far from the optimum; near it (small decrement) the full Newton
        # step is safe and the decrease is below rounding, so it is taken as it is
        careful = active & (decrement > 1e-10)
        for _ in range(60):
            trial = theta - size[:, None] * step
            f_trial = objective(trial)
            bad = careful & (f_trial > f - 0.25 * size * decrement)
            if not bad.any():
                break
            size = np.where(bad, 0.5 * size, size)
        theta = np.where(active[:, None], trial, theta)
        f = np.where(active, f_trial, f)
    return theta


def fit_logistic(X1: ArrayLike, y: ArrayLike, lam: float) -> tuple[NDArray[np.float64], float]:
    """The penalised maximum-likelihood weights theta* and the optimal loss L* (Newton's method)."""
    X1 = np.asarray(X1, dtype=float)
    theta = tilted_minimisers(X1, y, lam, np.zeros((1, X1.shape[1])), 0.0)[0]
    return theta, float(penalised_loss(theta, X1, y, lam))


def extreme_logits(
    X1: ArrayLike,
    y: ArrayLike,
    lam: float,
    points: ArrayLike,
    eps: float,
    theta_star: ArrayLike | None = None,
    rtol: float = 1e-10,
    max_iter: int = 60,
) -> dict[str, NDArray[np.float64]]:
    """Min and max of the logit x . theta over the eps-Rashomon set {L(theta) <= L* + eps}, per point.

    ``points`` (k, d) are rows with the intercept's 1 appended (see :func:`add_intercept`). For each
    point and each direction (s = x for the minimum, s = -x for the maximum) the multiplier search
    finds the tilt t with L(theta(t)) - L* = eps: safeguarded Newton steps on
    h(t) = sqrt(L(theta(t)) - L*) - sqrt(eps), which is nearly linear in t (the loss is nearly
    quadratic around theta*), with dh/dt from h'(t) = t s' H^-1 s / (2 sqrt(L - L*)), falling back to
    bisection in log t when a step leaves the bracket. Returns ``lo``, ``hi`` (k,) logits,
    ``theta_lo``, ``theta_hi`` (k, d) the models that attain them, ``gap`` (2k,) the final
    L - L* - eps and the optimum ``theta_star``, ``L_star``.
    """
    X1, y = np.asarray(X1, dtype=float), np.asarray(y, dtype=float)
    P = np.atleast_2d(np.asarray(points, dtype=float))
    if theta_star is None:
        theta_star, _ = fit_logistic(X1, y, lam)
    theta_star = np.asarray(theta_star, dtype=float)
    L_star = float(penalised_loss(theta_star, X1, y, lam))
    if eps <= 0:
        z = P @ theta_star
        k = len(P)
        th = np.repeat(theta_star[None], k, 0)
        return dict(
            lo=z,
            hi=z.copy(),
            theta_lo=th,
            theta_hi=th.copy(),
            gap=np.zeros(2 * k),
            theta_star=theta_star,
            L_star=L_star,
        )
    S = np.vstack([P, -P])  # minimise s . theta: the first k give the minima, the last k -minus- maxima
    m = len(S)
    _, hess = _grad_hess(theta_star[None], X1, y, lam)
    quad = np.einsum("md,md->m", S, np.linalg.solve(hess[0], S.T).T)
    t = np.sqrt(2.0 * eps / quad)  # the quadratic approximation of the tilt
    lo_t, hi_t = np.zeros(m), np.full(m, np.inf)
    theta = np.repeat(theta_star[None], m, 0)
    target = np.sqrt(eps)
    for _ in range(max_iter):
        theta = tilted_minimisers(X1, y, lam, S, t, theta0=theta)
        excess = np.maximum(penalised_loss(theta, X1, y, lam) - L_star, 1e-300)
        h = np.sqrt(excess) - target
        if np.all(np.abs(excess - eps) <= rtol * eps):
            break
        lo_t = np.where(h < 0, t, lo_t)
        hi_t = np.where(h > 0, t, hi_t)
        _, hess = _grad_hess(theta, X1, y, lam)
        slope = t * np.einsum("md,md->m", S, np.linalg.solve(hess, S[..., None])[..., 0])
        dh = slope / (2.0 * np.sqrt(excess))
        newton = t - h / np.maximum(dh, 1e-300)
        fallback = np.where(np.isinf(hi_t), 2.0 * t, np.sqrt(np.maximum(lo_t, 1e-12 * hi_t) * hi_t))
        inside = (newton > lo_t) & (newton < hi_t)
        t = np.where(np.abs(excess - eps) <= rtol * eps, t, np.where(inside, newton, fallback))
    gap = penalised_loss(theta, X1, y, lam) - L_star - eps
    k = len(P)
    values = np.einsum("md,md->m", P, theta[:k]), np.einsum("md,md->m", P, theta[k:])
    return dict(
        lo=values[0],
        hi=values[1],
        theta_lo=theta[:k],
        theta_hi=theta[k:],
        gap=gap,
        theta_star=theta_star,
        L_star=L_star,
    )


def viable_prediction_range(lo_logit: ArrayLike, hi_logit: ArrayLike) -> NDArray[np.float64]:
    """The viable prediction range: sigmoid(max logit) - sigmoid(min logit), per point."""
    return sigmoid(hi_logit) - sigmoid(lo_logit)


def extreme_logit_slsqp(
    X1: ArrayLike, y: ArrayLike, lam: float, x: ArrayLike, eps: float, sign: int, theta0: ArrayLike
) -> float:
    """A reference solver: min (sign=+1) or max (sign=-1) of x . theta subject to L <= L* + eps, by
    scipy's SLSQP from ``theta0`` (theta*), with analytic gradients. Returns the logit it reaches."""
    X1, y, x = np.asarray(X1, dtype=float), np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    theta0 = np.asarray(theta0, dtype=float)
    bound = float(penalised_loss(theta0, X1, y, lam)) + eps

    def constraint(th):
        return bound - penalised_loss(th, X1, y, lam)

    def constraint_jac(th):
        return -_grad_hess(th[None], X1, y, lam)[0][0]

    result = minimize(
        lambda th: sign * x @ th,
        theta0,
        jac=lambda th: sign * x,
        method="SLSQP",
        constraints=[dict(type="ineq", fun=constraint, jac=constraint_jac)],
        options=dict(maxiter=1000, ftol=1e-13),
    )
    return float(x @ result.x)


def separated_task(
    n: int, d: int, separation: float, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two Gaussian classes N(+-separation/2 e_1, I_d), balanced labels: a well-separated task
    when ``separation`` is large (few points near the boundary)."""
    y = rng.permutation(np.arange(n) % 2)
    X = rng.standard_normal((n, d))
    X[:, 0] += separation * (y - 0.5)
    return X, y


def logistic_labels(X: ArrayLike, w: ArrayLike, rng: np.random.Generator) -> NDArray[np.int64]:
    """Labels drawn from a logistic model: y = 1 with probability sigmoid(X . w)."""
    return (rng.random(len(X)) < sigmoid(np.asarray(X) @ np.asarray(w))).astype(int)


def minority_task(
    n_major: int,
    n_minor: int,
    w_major: ArrayLike,
    w_minor: ArrayLike,
    shift: ArrayLike,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.bool_]]:
    """A majority group (standard normal features, labels from ``w_major``) and a minority group
    (features shifted by ``shift``, labels from ``w_minor``). Returns X, y and the minority mask."""
    d = len(w_major)
    X = rng.standard_normal((n_major + n_minor, d))
    minor = np.arange(n_major + n_minor) >= n_major
    X[minor] += np.asarray(shift, dtype=float)
    y = np.where(minor, logistic_labels(X, w_minor, rng), logistic_labels(X, w_major, rng))
    return X, y, minor


def farthest(X: ArrayLike, w: ArrayLike, frac: float) -> NDArray[np.bool_]:
    """Mask of the ``frac`` share of rows with the largest |x . w| (the points a rule is surest of)."""
    margin = np.abs(np.asarray(X) @ np.asarray(w))
    mask = np.zeros(len(margin), bool)
    mask[np.argsort(-margin)[: int(round(frac * len(margin)))]] = True
    return mask
