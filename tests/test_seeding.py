import random
import subprocess
import sys

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


def test_seeding_torch_turns_on_deterministic_kernels_without_importing_the_compiler():
    # torch.use_deterministic_algorithms imports torch._inductor (~1 s); seed_torch sets the flag
    # directly, in a fresh interpreter so that no other test has imported the compiler already.
    code = (
        "import sys, torch\n"
        "from overparam_utils.seeding import seed_everything\n"
        "assert not torch.are_deterministic_algorithms_enabled()\n"
        "seed_everything(3)\n"
        "assert torch.are_deterministic_algorithms_enabled()\n"
        "assert torch.is_deterministic_algorithms_warn_only_enabled()\n"
        "print('torch._inductor' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
