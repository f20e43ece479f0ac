"""``python -m overparam_utils bench``: where the time goes, measured (``make bench``).

Two parts, printed as tables and written to ``<build>/bench/bench.json`` and ``bench.md``:

* **chapters**: every chapter executed cold (``--force``) with 1 job and with 2 jobs, the speed-up of
  running chapters in parallel, and a warm ``run`` + ``build`` with nothing changed (the cache);
* **helpers**: vectorised helpers against the naive loop they replace, on the same sweep: the exact
  gradient-descent path of least squares from one SVD (``LeastSquaresPath``) against a loop of
  gradient steps per width, and the batched read-out training (``train_readouts``) against one
  training loop per (seed, width) model.

These are measurements, not tests: timings vary with the machine and its load. The test suite runs
``bench --smoke`` (tiny sizes, two chapters) only to keep the command working.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


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
    from .linear import LeastSquaresPath, stable_lr

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


def bench_train_readouts(n_seeds: int = 5, widths: tuple[int, ...] = CH02_WIDTHS, steps: int = 1000):
    """Adam on chapter 02's (seeds x widths) grid of read-outs: one batched run vs one run per model."""
    import torch

    from .training import train_readouts

    rng = np.random.default_rng(0)
    F = np.maximum(rng.standard_normal((n_seeds, 100, max(widths))), 0)
    y = rng.standard_normal((n_seeds, 100))
    torch.set_num_threads(1)

    def batched():
        return train_readouts(F, y, list(widths), optimizer="adam", lr=1e-2, steps=steps)[-1]

    def loop():
        out = np.zeros((n_seeds, len(widths), max(widths)))
        for s in range(n_seeds):
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
        "sweep": f"{n_seeds} seeds x {len(widths)} widths, {steps} Adam steps (max |weight diff| {diff:.1e})",
        "vectorised_s": timed(batched),
        "loop_s": timed(loop),
    }


def run_cli(args: list[str], cwd: Path) -> float:
    """Wall time of ``python -m overparam_utils ARGS`` (raises if it fails)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "overparam_utils", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def bench_chapters(root: Path, out: Path, scale: str, chapters: list[str]) -> dict[str, Any]:
    """Cold runs with 1 and 2 jobs, then a warm run + build of the 2-job tree; per-chapter runtimes."""
    result: dict[str, Any] = {"scale": scale, "chapters": chapters or "all"}
    for jobs in (1, 2):
        build = out / f"jobs{jobs}"
        result[f"cold_{jobs}_jobs_s"] = run_cli(
            ["run", *chapters, "--scale", scale, "--jobs", str(jobs), "--force", "--build-dir", str(build)], root
        )
    build = out / "jobs2"
    result["build_s"] = run_cli(["build", "--force", "--build-dir", str(build)], root) if not chapters else None
    t0 = time.perf_counter()
    run_cli(["run", *chapters, "--scale", scale, "--build-dir", str(build)], root)
    if not chapters:
        run_cli(["build", "--build-dir", str(build)], root)
    result["warm_s"] = time.perf_counter() - t0
    result["per_chapter"] = {}
    for jobs in (1, 2):
        for path in sorted((out / f"jobs{jobs}" / "claims").glob("*.json")):
            record = json.loads(path.read_text())
            result["per_chapter"].setdefault(record["chapter"], {})[f"{jobs}_jobs_s"] = record["runtime_s"]
    return result


def markdown(results: dict[str, Any]) -> str:
    """The benchmark tables in Markdown."""
    lines = []
    ch = results.get("chapters")
    if ch:
        cold1, cold2 = ch["cold_1_jobs_s"], ch["cold_2_jobs_s"]
        lines += [
            f"## Chapters ({ch['scale']} scale)",
            "",
            "| chapter | runtime, 1 job | runtime, 2 jobs in parallel |",
            "|---|---|---|",
        ]
        for stem, t in ch["per_chapter"].items():
            lines.append(
                f"| {stem} | {t.get('1_jobs_s', float('nan')):.1f} s | {t.get('2_jobs_s', float('nan')):.1f} s |"
            )
        runtimes = [t.get("1_jobs_s", np.nan) for t in ch["per_chapter"].values()]
        build = f" + build {ch['build_s']:.1f} s" if ch.get("build_s") else ""
        lines += [
            "",
            f"- cold, 1 job: {cold1:.1f} s; cold, 2 jobs: {cold2:.1f} s; speed-up {cold1 / cold2:.2f}x{build}",
            f"- warm (nothing changed): {ch['warm_s']:.1f} s = {100 * ch['warm_s'] / cold2:.1f}% of the cold 2-job run",
            f"- per chapter, 1 job: median {np.nanmedian(runtimes):.1f} s, max {np.nanmax(runtimes):.1f} s",
            "",
        ]
    lines += [
        "## Vectorised helpers vs the loops they replace",
        "",
        "| helper | sweep | vectorised | loop | ratio |",
        "|---|---|---|---|---|",
    ]
    for h in results["helpers"]:
        ratio = h["loop_s"] / h["vectorised_s"]
        lines.append(
            f"| {h['helper']} | {h['sweep']} | {h['vectorised_s']:.3f} s | {h['loop_s']:.2f} s | {ratio:.0f}x |"
        )
    return "\n".join(lines)


def main(root: Path, build_dir: Path, smoke: bool = False, skip_chapters: bool = False) -> dict[str, Any]:
    """Run the benchmarks, print the tables, write ``bench.json`` and ``bench.md``; return the results."""
    import os

    from .progress import QUIET_ENV

    os.environ[QUIET_ENV] = "1"  # no progress bars inside the timed loops
    out = build_dir / "bench"
    out.mkdir(parents=True, exist_ok=True)
    if smoke:
        helpers = [bench_least_squares_path(widths=(20, 100), steps=100), bench_train_readouts(2, (10, 50), 20)]
    else:
        helpers = [bench_least_squares_path(), bench_train_readouts()]
    results: dict[str, Any] = {"helpers": helpers}
    if not skip_chapters:
        scale, chapters = ("smoke", ["01", "02"]) if smoke else ("book", [])
        results["chapters"] = bench_chapters(root, out, scale, chapters)
    (out / "bench.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (out / "bench.md").write_text(table + "\n")
    print(table)
    return results
