"""Benchmark of vectorised helpers against the naive loops they replace (``make bench``; not a test).

* the exact gradient-descent path of least squares from one SVD (``LeastSquaresPath``) against a loop
  of gradient steps per width, on chapter 02's sweep;
* the batched read-out training (``train_readouts``) against one training loop per (seed, width) model.

Run ``python tests/bench_helpers.py [--smoke]``: prints a table and writes ``_build/bench/helpers.json``.
Timings vary with the machine and its load; ``tests/test_bench.py`` runs the smoke sizes only to keep it
working. (The engine's ``bench`` times chapters; it never imports a science module.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from overparam_utils.record import QUIET_ENV


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    """Best wall time of ``repeat`` calls of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


CH02_WIDTHS = (20, 50, 80, 90, 100, 110, 125, 150, 200, 400, 1000)


def bench_least_squares_path(n: int = 100, widths: tuple[int, ...] = CH02_WIDTHS, steps: int = 100_000):
    """GD budgets ``10, 100, ..., steps`` for every width (chapter 02's sweep): one SVD per width vs a
    loop of gradient steps per width that keeps the weights at each budget."""
    from overparam_utils.linear import LeastSquaresPath, stable_lr

    rng = np.random.default_rng(0)
    F = np.maximum(rng.standard_normal((n, max(widths))), 0)
    y = rng.standard_normal(n)
    budgets = [10**k for k in range(1, int(np.log10(steps)) + 1)]

    def vectorised():
        return [LeastSquaresPath.fit(F[:, :N], y).weights_gd(budgets, stable_lr(F[:, :N])) for N in widths]

    def loop():
        out = []
        for N in widths:
            X, lr, w, kept = F[:, :N], stable_lr(F[:, :N]), np.zeros(N), []
            for k in range(1, budgets[-1] + 1):
                w = w - lr * X.T @ (X @ w - y) / n
                if k in budgets:
                    kept.append(w.copy())
            out.append(np.array(kept))
        return out

    fast, slow = vectorised(), loop()
    assert all(np.allclose(a, b, rtol=1e-6, atol=1e-8) for a, b in zip(fast, slow, strict=True))
    return {
        "helper": "LeastSquaresPath.weights_gd (chapters 01, 02)",
        "sweep": f"{len(widths)} widths x budgets up to {steps:,} GD steps, n = {n}",
        "vectorised_s": timed(vectorised, 3),
        "loop_s": timed(loop),
    }


def bench_train_readouts(n_draws: int = 5, widths: tuple[int, ...] = CH02_WIDTHS, steps: int = 1000):
    """Adam on chapter 02's (seeds x widths) grid of read-outs: one batched run vs one run per model."""
    import torch

    from overparam_utils.training import train_readouts

    rng = np.random.default_rng(0)
    F = np.maximum(rng.standard_normal((n_draws, 100, max(widths))), 0)
    y = rng.standard_normal((n_draws, 100))
    torch.set_num_threads(1)

    def batched():
        return train_readouts(F, y, list(widths), optimizer="adam", lr=1e-2, steps=steps)[-1]

    def loop():
        out = np.zeros((n_draws, len(widths), max(widths)))
        for s in range(n_draws):
            for k, N in enumerate(widths):
                out[s, k, :N] = train_readouts(
                    F[s : s + 1, :, :N], y[s : s + 1], [N], optimizer="adam", lr=1e-2, steps=steps
                )[-1, 0, 0]
        return out

    # Same models; float32 summation order differs, and near N = n (ill-conditioned) Adam amplifies it
    # over many steps, so the agreement is reported rather than asserted (tests/test_training.py checks
    # the batched GD against the closed form per seed and width).
    diff = float(np.abs(batched() - loop()).max())
    return {
        "helper": "train_readouts (chapters 01, 02)",
        "sweep": f"{n_draws} seeds x {len(widths)} widths, {steps} Adam steps (max |weight diff| {diff:.1e})",
        "vectorised_s": timed(batched),
        "loop_s": timed(loop),
    }


def markdown(helpers: list[dict[str, Any]]) -> str:
    """The table in Markdown."""
    lines = [
        "## Vectorised helpers vs the loops they replace",
        "",
        "| helper | sweep | vectorised | loop | ratio |",
        "|---|---|---|---|---|",
    ]
    for h in helpers:
        ratio = h["loop_s"] / h["vectorised_s"]
        lines.append(
            f"| {h['helper']} | {h['sweep']} | {h['vectorised_s']:.3f} s | {h['loop_s']:.2f} s | {ratio:.0f}x |"
        )
    return "\n".join(lines)


def main(smoke: bool = False, out: Path | None = None) -> list[dict[str, Any]]:
    """Run the helper benchmarks, print the table, write ``helpers.json``; return the results."""
    os.environ[QUIET_ENV] = "1"  # no progress bars inside the timed loops
    if smoke:
        helpers = [bench_least_squares_path(widths=(20, 100), steps=100), bench_train_readouts(2, (10, 50), 20)]
    else:
        helpers = [bench_least_squares_path(), bench_train_readouts()]
    out = out or Path(__file__).resolve().parent.parent / "_build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "helpers.json").write_text(json.dumps(helpers, indent=2))
    print(markdown(helpers))
    return helpers


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes")
    sys.exit(0 if main(parser.parse_args().smoke) else 1)
