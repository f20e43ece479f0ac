"""Two data distributions that one training set and one trained hypothesis cannot tell apart (chapter 06).

Gastpar et al. (2023) prove that no generalization bound computed from the training set ``S`` and the
learned hypothesis ``h`` alone can be uniformly tight for an over-parameterized learner. The helpers
build the two constructions the chapter runs on a finite domain of ``n_pool`` points with ``k``
classes and the uniform marginal:

* :func:`off_sample_relabel`: given one sample and one hypothesis that fits it, a second labelling
  that agrees with the first on the sample and disagrees with ``h`` everywhere else. The sample has
  the same probability under both distributions, so a deterministic learner returns the same ``h``,
  yet ``h``'s population loss differs by the off-sample mass.
* :func:`random_target_worlds`: the randomised version. A learner memorises its sample and predicts a
  reference labelling ``g`` elsewhere. In world 1 the target is ``g`` itself (population loss 0); in
  world 2 it is an independent uniform labelling ``f`` (loss about ``(1 - 1/k)`` times the unseen
  mass). With ``g`` and ``f`` uniform, ``(S, h)`` has exactly the same law in both worlds.
* :func:`linear_learner_worlds`: the same two worlds for a learner of low capacity, the chapter's
  control: :func:`least_squares_toward_reference` on a few features (the 64 pixels), with ``g`` a random
  linear labelling. It cannot fit the random labels of world 2, so its training error tells the worlds
  apart. With one feature per pool point the same least-squares learner is the memorise-then-default
  learner above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


def expected_distinct_fraction(n_pool: int, m: ArrayLike) -> NDArray[np.float64]:
    """Expected fraction of a pool of ``n_pool`` points hit by ``m`` uniform draws with replacement,
    ``1 - (1 - 1/n_pool)^m`` (elementwise in ``m``)."""
    m = np.asarray(m, dtype=np.float64)
    return 1.0 - (1.0 - 1.0 / n_pool) ** m


def off_sample_relabel(y: ArrayLike, h: ArrayLike, sample: ArrayLike, n_classes: int) -> NDArray[np.int64]:
    """Labels equal to ``y`` on the points of ``sample`` and to ``(h + 1) mod n_classes`` elsewhere.

    ``y`` and ``h``: ``(n_pool,)`` labels of the true distribution and of the hypothesis on every pool
    point; ``sample``: indices of the training points. Under the uniform marginal, the sample with its
    labels is exactly as likely under the new labelling as under ``y``, and ``h`` is wrong on every
    point outside the sample. Chapter 06, part A.
    """
    y = np.asarray(y)
    h = np.asarray(h)
    relabelled = (h + 1) % n_classes
    idx = np.asarray(sample)
    relabelled[idx] = y[idx]
    return relabelled.astype(np.int64)


@dataclass(frozen=True)
class RandomTargetWorlds:
    """``trials`` independent runs of the memorise-then-default learner in each of two worlds (chapter 06).

    Every attribute maps the world (1 or 2) to an array over trials:

    sample: ``(trials, m)`` training indices, drawn uniformly with replacement from the pool.
    in_sample: ``(trials, n_pool)`` True on the points that the sample hit.
    reference: ``(trials, n_pool)`` the learner's default labelling ``g`` (uniform, one per trial; int16).
    target: ``(trials, n_pool)`` the world's labelling: ``g`` in world 1, an independent uniform ``f`` in 2.
    h: ``(trials, n_pool)`` the learned hypothesis: the target on the sample, ``g`` elsewhere (int16).
    loss: ``(trials,)`` its population loss under the uniform marginal.
    """

    sample: dict[int, NDArray[np.int64]]
    in_sample: dict[int, NDArray[np.bool_]]
    reference: dict[int, NDArray[np.int64]]
    target: dict[int, NDArray[np.int64]]
    h: dict[int, NDArray[np.int64]]
    loss: dict[int, NDArray[np.float64]]


def random_target_worlds(
    n_pool: int, m: int, n_classes: int, trials: int, rng: np.random.Generator
) -> RandomTargetWorlds:
    """Draw ``trials`` runs of both worlds (see the module docstring), independently per world.

    In each trial: a sample of ``m`` pool indices, a uniform reference labelling ``g`` and, in world 2,
    an independent uniform target ``f``. The learner outputs ``h`` = the target's labels on the sample,
    ``g`` elsewhere. World 1 labels everything by ``g``, so ``h = g`` and the loss is 0. In world 2,
    ``h = f`` on the sample and ``g`` elsewhere, and the loss is the share of unseen points where
    ``g != f``: about ``(1 - 1/k)`` times the unseen share.
    """
    if not 2 <= n_classes <= np.iinfo(np.int16).max:
        raise ValueError(f"n_classes={n_classes} must lie in [2, 32767]")
    labels = dict(size=(trials, n_pool), dtype=np.int16)  # small labels keep large runs in memory
    sample, in_sample, reference, target, h, loss = {}, {}, {}, {}, {}, {}
    for w in (1, 2):
        sample[w] = rng.integers(0, n_pool, size=(trials, m))
        in_sample[w] = np.zeros((trials, n_pool), dtype=bool)
        np.put_along_axis(in_sample[w], sample[w], True, axis=1)
        reference[w] = rng.integers(0, n_classes, **labels)
        target[w] = reference[w] if w == 1 else rng.integers(0, n_classes, **labels)
        h[w] = np.where(in_sample[w], target[w], reference[w])
        loss[w] = (h[w] != target[w]).mean(axis=1)
    return RandomTargetWorlds(sample, in_sample, reference, target, h, loss)


def least_squares_toward_reference(
    features: ArrayLike,
    sample: ArrayLike,
    sample_labels: ArrayLike,
    reference: ArrayLike,
    n_classes: int,
    pull: float = 0.01,
    ridge: float = 1e-3,
) -> NDArray[np.int64]:
    """The labels on the whole pool of a linear least-squares learner that fits its sample and, where
    the sample leaves it free, follows a reference labelling (chapter 06, the capacity control).

    ``features``: ``(n_pool, p)`` (a bias column is appended); ``sample``: ``(trials, m)`` pool indices
    (with repetition); ``sample_labels``: ``(trials, m)`` their labels; ``reference``: ``(trials, n_pool)``
    the labelling ``g`` the learner defaults to. Per trial, ``W`` minimises
    ``sum_i |phi(x_i) W - e_{y_i}|^2 + pull * sum_{x in pool} |phi(x) W - e_{g(x)}|^2 + ridge |W|^2``
    and ``h(x) = argmax_c (phi(x) W)_c``. With one feature per pool point (one-hot point identity,
    ``p = n_pool``) this learner is exactly the memorise-then-default learner of
    :func:`random_target_worlds` (for ``pull < 1``); with a few features it cannot fit arbitrary labels.
    """
    phi = np.asarray(features, dtype=np.float64)
    phi = np.hstack([phi, np.ones((len(phi), 1))])
    sample = np.asarray(sample)
    sample_labels = np.asarray(sample_labels)
    reference = np.asarray(reference)
    eye = np.eye(n_classes)
    gram = pull * (phi.T @ phi) + ridge * np.eye(phi.shape[1])
    h = np.empty(reference.shape, dtype=np.int64)
    for lo in range(0, len(sample), 100):  # chunks of trials keep the (trials, m, p) arrays small
        sl = slice(lo, lo + 100)
        rows = phi[sample[sl]]  # (chunk, m, p)
        rows_t = np.swapaxes(rows, 1, 2)
        lhs = gram + rows_t @ rows
        rhs = rows_t @ eye[sample_labels[sl]]  # (chunk, p, k)
        for c in range(n_classes):
            rhs[:, :, c] += pull * ((reference[sl] == c) @ phi)
        h[sl] = _argmax_scores(phi, np.linalg.solve(lhs, rhs))
    return h


def _argmax_scores(phi: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """``argmax_c (phi @ weights[t])[:, c]`` for every trial ``t``: ``(trials, n_pool)``, one matrix product."""
    trials, p, k = weights.shape
    scores = phi @ weights.transpose(1, 0, 2).reshape(p, trials * k)
    return np.argmax(scores.reshape(len(phi), trials, k), axis=2).T


def linear_learner_worlds(
    features: ArrayLike,
    m: int,
    n_classes: int,
    trials: int,
    rng: np.random.Generator,
    pull: float = 0.01,
    ridge: float = 1e-3,
) -> RandomTargetWorlds:
    """The two worlds of :func:`random_target_worlds` for a learner of low capacity (chapter 06's control).

    The learner is :func:`least_squares_toward_reference` on ``features`` (``(n_pool, p)``, ``p`` small).
    As for the over-parameterized learner, its reference labelling ``g`` is drawn from its own class: a
    uniformly oriented linear labelling ``g(x) = argmax_c (z(x) V)_c`` of the centred features ``z`` with
    ``V`` standard Gaussian (for one feature per point this is a uniform labelling). World 1 labels the
    pool by ``g``; world 2 by an independent uniform labelling ``f``. The learner cannot fit ``f`` on its
    sample, so its training error tells the worlds apart.
    """
    if not 2 <= n_classes <= np.iinfo(np.int16).max:
        raise ValueError(f"n_classes={n_classes} must lie in [2, 32767]")
    feats = np.asarray(features, dtype=np.float64)
    centred = feats - feats.mean(axis=0)
    n_pool = len(feats)
    sample, in_sample, reference, target, h, loss = {}, {}, {}, {}, {}, {}
    for w in (1, 2):
        sample[w] = rng.integers(0, n_pool, size=(trials, m))
        in_sample[w] = np.zeros((trials, n_pool), dtype=bool)
        np.put_along_axis(in_sample[w], sample[w], True, axis=1)
        directions = rng.standard_normal((trials, feats.shape[1], n_classes))
        reference[w] = np.vstack(
            [  # chunks of trials keep the (n_pool, chunk * k) scores small
                _argmax_scores(centred, directions[lo : lo + 500]) for lo in range(0, trials, 500)
            ]
        ).astype(np.int16)
        if w == 1:
            target[w] = reference[w]
        else:
            target[w] = rng.integers(0, n_classes, size=(trials, n_pool), dtype=np.int16)
        labels = np.take_along_axis(target[w], sample[w], axis=1)
        h[w] = least_squares_toward_reference(feats, sample[w], labels, reference[w], n_classes, pull, ridge).astype(
            np.int16
        )
        loss[w] = (h[w] != target[w]).mean(axis=1)
    return RandomTargetWorlds(sample, in_sample, reference, target, h, loss)


@dataclass(frozen=True)
class PolynomialWorlds:
    """``trials`` runs of the polynomial learner of :func:`polynomial_worlds` in each of two worlds.

    Every attribute maps the world (1 or 2) to an array over trials: ``sample`` ``(trials, m)``
    distinct points of GF(q); ``target`` and ``h`` ``(trials, q)`` labels of every point;
    ``loss`` ``(trials,)`` the population loss of ``h`` under the uniform marginal; ``train_error``
    ``(trials,)`` its error on the sample.
    """

    sample: dict[int, NDArray[np.int64]]
    target: dict[int, NDArray[np.int64]]
    h: dict[int, NDArray[np.int64]]
    loss: dict[int, NDArray[np.float64]]
    train_error: dict[int, NDArray[np.float64]]


def lagrange_interpolate(xs: ArrayLike, ys: ArrayLike, q: int) -> NDArray[np.int64]:
    """Values at every point of GF(q) (``q`` prime) of the polynomial of degree below ``r`` through the
    ``r`` points ``(xs, ys)``: ``xs``, ``ys`` of shape ``(trials, r)``, ``xs`` distinct per row; returns
    ``(trials, q)``."""
    xs = np.asarray(xs, dtype=np.int64) % q
    ys = np.asarray(ys, dtype=np.int64) % q
    inverse = np.array([0] + [pow(a, q - 2, q) for a in range(1, q)], dtype=np.int64)
    trials, r = xs.shape
    grid = np.arange(q)
    diff = (grid[None, None, :] - xs[:, :, None]) % q  # (trials, r, q): x - x_j
    full = np.ones((trials, q), dtype=np.int64)  # prod_l (x - x_l)
    denom = np.ones((trials, r), dtype=np.int64)  # prod_{l != j} (x_j - x_l)
    for j in range(r):
        full = full * diff[:, j] % q
        d = (xs - xs[:, j : j + 1]) % q
        d[:, j] = 1
        denom = denom * d % q
    coef = ys * inverse[denom] % q  # y_j / prod_{l != j} (x_j - x_l)
    basis = full[:, None, :] * inverse[diff] % q  # prod_{l != j} (x - x_l), valid where x != x_j
    values = (coef[:, :, None] * basis % q).sum(axis=1) % q
    np.put_along_axis(values, xs, ys, axis=1)  # at the nodes the polynomial takes its data
    return values


def polynomial_worlds(q: int, m: int, degree_below: int, trials: int, rng: np.random.Generator) -> PolynomialWorlds:
    """Two worlds for one fixed algorithm over the finite field GF(q) (chapter 06, algorithm-dependent bounds).

    Domain and labels: the ``q`` elements of GF(q) (``q`` prime), uniform marginal. The algorithm
    interpolates the first ``degree_below`` of its ``m`` distinct sample points by the polynomial of
    degree below ``degree_below`` and predicts with it; it learns every distribution labelled by such a
    polynomial exactly. World 1: the labels are a uniformly random polynomial of degree below
    ``degree_below`` (the family the algorithm learns, loss 0). World 2: uniformly random labels. With
    ``degree_below = m`` the family fits every labelling of the sample, and the labelled sample, hence
    ``(S, h)``, has the same law in both worlds; with ``degree_below < m`` world 2 leaves a training error.
    """
    if not 1 <= degree_below <= m <= q:
        raise ValueError(f"need 1 <= degree_below={degree_below} <= m={m} <= q={q}")
    sample, target, h, loss, train_error = {}, {}, {}, {}, {}
    for w in (1, 2):
        sample[w] = np.argsort(rng.random((trials, q)), axis=1)[:, :m]  # m distinct points
        if w == 1:
            nodes = np.broadcast_to(np.arange(degree_below), (trials, degree_below))
            values = rng.integers(0, q, size=(trials, degree_below))  # a uniform polynomial, by its values
            target[w] = lagrange_interpolate(nodes, values, q)
        else:
            target[w] = rng.integers(0, q, size=(trials, q))
        labels = np.take_along_axis(target[w], sample[w], axis=1)
        h[w] = lagrange_interpolate(sample[w][:, :degree_below], labels[:, :degree_below], q)
        loss[w] = (h[w] != target[w]).mean(axis=1)
        train_error[w] = (np.take_along_axis(h[w], sample[w], axis=1) != labels).mean(axis=1)
    return PolynomialWorlds(sample, target, h, loss, train_error)
