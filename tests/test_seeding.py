import random

import numpy as np
import torch

from overparam_utils.seeding import replicate_seeds, seed_everything


def test_same_seed_same_numbers_for_python_numpy_and_torch():
    def draw():
        rng = seed_everything(5)
        return random.random(), np.random.rand(), rng.standard_normal(3).tolist(), torch.randn(3).tolist()

    assert draw() == draw()


def test_different_seeds_differ():
    assert seed_everything(1).standard_normal() != seed_everything(2).standard_normal()


def test_replicate_seeds_are_deterministic_distinct_and_do_not_overlap_across_base_seeds():
    a, b = replicate_seeds(0, 5), replicate_seeds(1, 5)
    assert a == replicate_seeds(0, 5)
    assert len(set(a)) == 5
    assert not set(a) & set(b)  # base seeds 0 and 1 share no repetition (unlike seed + i)
    assert replicate_seeds(0, 3) == a[:3]
    assert replicate_seeds(0, 0) == []
