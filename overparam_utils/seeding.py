"""Seeding: the same ``seed`` gives the same numbers on CPU ("How this book is built", scales)."""

from __future__ import annotations

import random
import sys

import numpy as np


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python's ``random``, NumPy's global state and torch (if imported or installed).

    Returns a fresh ``numpy.random.Generator`` for ``seed``; chapters should draw from generators
    (see :func:`replicate_seeds`) rather than from global state. torch is seeded only if it is
    already imported, so that chapters without torch do not pay for its import: a chapter that uses
    torch imports it before calling this.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if "torch" in sys.modules:
        seed_torch(seed)
    return np.random.default_rng(seed)


def seed_torch(seed: int) -> None:
    """Seed torch's CPU (and CUDA, when present) generators and ask for deterministic kernels."""
    import torch

    torch.manual_seed(seed)  # seeds the generators of every CUDA device too, when there are any
    set_flag = getattr(torch._C, "_set_deterministic_algorithms", None)
    if set_flag is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        # The public call imports the whole compiler stack (torch._inductor, ~1 s per chapter) only
        # to copy the flag into the compiler's config; no chapter compiles, so set the flag alone.
        set_flag(True, warn_only=True)


def replicate_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent integer seeds derived from ``seed`` (NumPy ``SeedSequence``).

    Chapters that average over repetitions use these, so that base seeds 0 and 1 share no repetition
    (``seed + i`` would make seed 1 reuse most of seed 0's draws).
    """
    if n < 0:
        raise ValueError(f"n={n} must be non-negative")
    state = np.random.SeedSequence(seed).generate_state(n, dtype=np.uint32)
    return [int(s) for s in state]
