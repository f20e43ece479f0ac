"""Long-tailed subpopulation mixtures and label-memorization scores (chapter 16).

Feldman (2020) models data as a mixture of many subpopulations whose frequencies follow a long-tailed
prior; a sample then holds many *singletons* (the only example of their subpopulation), and a learner
that does not fit them loses about their subpopulations' test mass. :class:`LongTailMixture` draws such
data: subpopulation ``i`` has frequency ``p_i`` proportional to ``i ** -tail`` (Zipf), a centre in
``R^dim`` and a label, either drawn independently of everything else (Feldman's setting: nothing but
memorization can recover it) or a linear function of the centre (the contrast: the labels of rare
subpopulations can be inferred from frequent ones); an example is its centre plus Gaussian noise, and
its label may be replaced by a random one (label noise). :func:`feldman_tau1` and
:func:`expected_singletons` compute the paper's quantities for a frequency list.

The learner is kernel ridge regression (one-hot targets, arg-max prediction) with the arc-cosine kernel
:func:`overparam_utils.ridge.relu_kernel`: the infinite-width limit of a two-layer ReLU network with a
random, frozen first layer and a trained read-out. With a vanishing ridge it interpolates its training
set, so it memorizes every label. :func:`path_outputs` gives its outputs along a whole ridge path from
the eigendecomposition of :class:`overparam_utils.ridge.RidgePath`.

Memorization scores (Feldman & Zhang, 2020): ``mem(i) = P[h(x_i) = y_i | i in S'] - P[h(x_i) = y_i | i not
in S']`` for ``h`` trained on a random subset ``S'`` of the training set. :func:`subsample_memorization`
estimates it from many subsets, solving all their kernel systems as batched linear algebra;
:func:`loo_memorization` gives the leave-one-out version in closed form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .ridge import RidgePath


def zipf_frequencies(n_subpops: int, tail: float) -> NDArray[np.float64]:
    """``(n_subpops,)`` frequencies ``p_i`` proportional to ``i ** -tail`` for ranks ``i = 1..n_subpops``.

    A small ``tail`` exponent spreads the mass over many rare subpopulations (a heavy tail); a large one
    puts it on a few frequent ones.
    """
    if n_subpops < 1 or tail < 0:
        raise ValueError(f"need n_subpops >= 1 and tail >= 0, got {n_subpops}, {tail}")
    p = np.arange(1, n_subpops + 1, dtype=np.float64) ** (-float(tail))
    return p / p.sum()


def feldman_tau1(freqs: ArrayLike, n: int) -> float:
    """Feldman's ``tau_1 = sum p^2 (1-p)^(n-1) / sum p (1-p)^(n-1)`` for a list of frequencies ``p``.

    It is the expected frequency of a subpopulation given that it appears exactly once among ``n``
    samples, so a learner that gets a singleton's subpopulation wrong loses about ``tau_1`` of test
    accuracy per singleton. Over random samples, ``E[test mass of singleton subpopulations] = tau_1 *
    E[number of singletons]`` exactly.
    """
    p = np.asarray(freqs, dtype=np.float64)
    weight = p * (1.0 - p) ** (n - 1)
    return float(np.sum(p * weight) / np.sum(weight))


def expected_singletons(freqs: ArrayLike, n: int) -> float:
    """Expected number of subpopulations seen exactly once in ``n`` samples: ``sum n p (1-p)^(n-1)``."""
    p = np.asarray(freqs, dtype=np.float64)
    return float(np.sum(n * p * (1.0 - p) ** (n - 1)))


@dataclass(frozen=True)
class LongTailMixture:
    """A mixture of subpopulations with long-tailed frequencies and independent random labels (chapter 16).

    ``freqs (N,)``, ``centers (N, dim)``, ``labels (N,)`` in ``0..n_classes-1``, and the within-subpopulation
    noise ``sigma``. Make one with :meth:`draw`.
    """

    freqs: NDArray[np.float64]
    centers: NDArray[np.float64]
    labels: NDArray[np.int64]
    sigma: float
    n_classes: int

    @classmethod
    def draw(
        cls,
        rng: np.random.Generator,
        *,
        n_subpops: int,
        tail: float,
        dim: int,
        n_classes: int,
        sigma: float,
        labels: str = "independent",
    ) -> LongTailMixture:
        """Zipf frequencies with exponent ``tail``; centres i.i.d. ``N(0, I_dim)``; one label per centre.

        ``labels="independent"``: uniform over the classes, independently of the centre (Feldman's
        setting). ``labels="linear"``: ``argmax_c (centre @ W)_c`` for a random Gaussian ``W (dim,
        n_classes)``, so that nearby subpopulations share labels and a smooth learner can infer the label
        of a rare subpopulation from the frequent ones.
        """
        centers = rng.standard_normal((n_subpops, dim))
        if labels == "independent":
            lab = rng.integers(0, n_classes, size=n_subpops)
        elif labels == "linear":
            lab = (centers @ rng.standard_normal((dim, n_classes))).argmax(axis=1)
        else:
            raise ValueError(f"labels must be 'independent' or 'linear', got {labels!r}")
        return cls(
            freqs=zipf_frequencies(n_subpops, tail),
            centers=centers,
            labels=lab.astype(np.int64),
            sigma=float(sigma),
            n_classes=int(n_classes),
        )

    def sample(
        self, n: int, rng: np.random.Generator, label_noise: float = 0.0
    ) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
        """``n`` examples: inputs ``X (n, dim)``, labels ``y (n,)`` and subpopulation indices ``sub (n,)``.

        With probability ``label_noise`` an example's label is replaced by a uniformly random class (which
        may be its own); ``y != labels[sub]`` marks the examples whose label ended up wrong.
        """
        if not 0.0 <= label_noise <= 1.0:
            raise ValueError(f"label_noise must lie in [0, 1], got {label_noise}")
        sub = rng.choice(len(self.freqs), size=n, p=self.freqs)
        X = self.centers[sub] + self.sigma * rng.standard_normal((n, self.centers.shape[1]))
        y = self.labels[sub]
        if label_noise > 0:
            y = np.where(rng.random(n) < label_noise, rng.integers(0, self.n_classes, size=n), y)
        return X, y.astype(np.int64), sub.astype(np.int64)

    def counts(self, sub: ArrayLike) -> NDArray[np.int64]:
        """``(N,)`` number of times each subpopulation occurs among the indices ``sub``."""
        return np.bincount(np.asarray(sub), minlength=len(self.freqs)).astype(np.int64)

    def unseen_mass(self, counts: ArrayLike) -> float:
        """Test mass of the subpopulations that a sample with these ``counts`` never saw."""
        return float(self.freqs[np.asarray(counts) == 0].sum())

    def singleton_mass(self, counts: ArrayLike) -> float:
        """Test mass of the subpopulations seen exactly once."""
        return float(self.freqs[np.asarray(counts) == 1].sum())


def one_hot(y: ArrayLike, n_classes: int) -> NDArray[np.float64]:
    """``(n, n_classes)`` centred one-hot targets (``1 - 1/k`` for the label, ``-1/k`` elsewhere)."""
    return np.eye(n_classes)[np.asarray(y)] - 1.0 / n_classes


def kernel_fit_predict(
    K_train: ArrayLike, K_eval: ArrayLike, Y: ArrayLike, ridge: float, subset: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Kernel ridge regression trained on the examples ``subset`` (default: all), evaluated at ``K_eval``.

    ``K_train (n, n)``: Gram matrix of the training set; ``K_eval (m, n)``: kernel between evaluation points
    and the training set; ``Y (n, k)`` targets. Returns ``(m, k)`` outputs
    ``K_eval[:, S] (K_SS + ridge I)^{-1} Y_S``.
    """
    K_train, K_eval, Y = (np.asarray(a, dtype=np.float64) for a in (K_train, K_eval, Y))
    S = np.arange(len(Y)) if subset is None else np.asarray(subset)
    coef = np.linalg.solve(K_train[np.ix_(S, S)] + ridge * np.eye(len(S)), Y[S])
    return K_eval[:, S] @ coef


def random_subsets(n: int, size: int, n_subsets: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """``(n_subsets, size)`` index sets, each drawn uniformly without replacement from ``range(n)``."""
    if not 0 < size < n:
        raise ValueError(f"subset size {size} must lie strictly between 0 and n = {n}")
    return np.array([np.sort(rng.choice(n, size=size, replace=False)) for _ in range(n_subsets)])


def subsample_memorization(
    K: ArrayLike, y: ArrayLike, n_classes: int, subsets: ArrayLike, ridge: float, chunk: int = 8
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Feldman & Zhang's subsampled memorization score of every training example.

    ``K (n, n)``: the training Gram matrix; ``y (n,)`` labels; ``subsets (T, m)`` index sets (see
    :func:`random_subsets`). One kernel ridge model is trained on each subset (``chunk`` subsets at a time,
    as one batched solve) and evaluated on all ``n`` examples. Returns ``mem (n,)``: the accuracy on
    ``x_i`` of the models that saw ``i`` minus that of the models that did not, and the numbers of models
    of each kind ``(n_in, n_out)``; ``mem`` is NaN where either count is zero.
    """
    K = np.asarray(K, dtype=np.float64)
    y = np.asarray(y)
    subsets = np.asarray(subsets)
    n = len(y)
    Y = one_hot(y, n_classes)
    hit_in, hit_out = np.zeros(n), np.zeros(n)
    n_in, n_out = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    eye = np.eye(subsets.shape[1])
    for start in range(0, len(subsets), chunk):
        S = subsets[start : start + chunk]  # (c, m)
        K_SS = K[S[:, :, None], S[:, None, :]] + ridge * eye  # (c, m, m)
        coef = np.linalg.solve(K_SS, Y[S])  # (c, m, k)
        out = np.einsum("cnm,cmk->cnk", K[:, S].transpose(1, 0, 2), coef)  # (c, n, k)
        correct = out.argmax(axis=2) == y[None, :]
        member = np.zeros((len(S), n), dtype=bool)
        np.put_along_axis(member, S, True, axis=1)
        hit_in += (correct & member).sum(axis=0)
        hit_out += (correct & ~member).sum(axis=0)
        n_in += member.sum(axis=0)
        n_out += (~member).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mem = np.where((n_in > 0) & (n_out > 0), hit_in / n_in - hit_out / n_out, np.nan)
    return mem, n_in, n_out


def loo_memorization(K: ArrayLike, y: ArrayLike, n_classes: int, ridge: float) -> NDArray[np.float64]:
    """Leave-one-out memorization ``1[h_S(x_i) = y_i] - 1[h_{S minus i}(x_i) = y_i]`` in closed form.

    For kernel ridge regression with ``A = (K + ridge I)^{-1}`` the model trained without example ``i``
    predicts ``Y_i - (A Y)_i / A_ii`` at ``x_i`` (no refitting needed). Returns ``(n,)`` values in
    ``{-1, 0, 1}``.
    """
    K = np.asarray(K, dtype=np.float64)
    y = np.asarray(y)
    Y = one_hot(y, n_classes)
    A = np.linalg.inv(K + ridge * np.eye(len(y)))
    AY = A @ Y
    full = Y - ridge * AY  # K (K + ridge I)^{-1} Y
    loo = Y - AY / np.diag(A)[:, None]
    return (full.argmax(1) == y).astype(np.float64) - (loo.argmax(1) == y).astype(np.float64)


def path_outputs(
    K_train: ArrayLike, K_eval: ArrayLike, Y: ArrayLike, ridges: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Kernel ridge outputs for every ridge and every target column, from one eigendecomposition.

    A thin multi-output layer over :class:`overparam_utils.ridge.RidgePath` (whose ``predict`` takes one
    target column at a time): with ``K_train = U diag(s) U^T`` the ridge-``delta`` dual coefficients are
    ``U diag(1 / (s + delta)) U^T Y``. ``K_train (n, n)``, ``K_eval (m, n)`` (kernel between evaluation
    points and the training set, as :func:`overparam_utils.ridge.relu_kernel` returns it), ``Y (n, k)``,
    ``ridges (R,)`` added to the kernel as they are. Returns ``(train_out (R, n, k), eval_out (R, m, k))``.
    Chapter 16 runs its ridge path with it.
    """
    Y = np.asarray(Y, dtype=np.float64)
    path = RidgePath.fit(K_train, Y[:, 0])
    U, s = path.eigvecs, path.eigvals
    d = np.atleast_1d(np.asarray(ridges, dtype=np.float64))
    if np.any(d < 0):
        raise ValueError("ridges must be non-negative")
    coef = (U.T @ Y)[None] / (s[None, :, None] + d[:, None, None])  # (R, r, k)
    train = np.einsum("nr,Rrk->Rnk", U, s[None, :, None] * coef)
    alpha = np.einsum("nr,Rrk->Rnk", U, coef)  # (R, n, k)
    evals = np.einsum("mn,Rnk->Rmk", np.asarray(K_eval, dtype=np.float64), alpha)
    return train, evals
