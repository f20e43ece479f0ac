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
