"""``python -m overparam_utils bench``: where the time goes, measured (``make bench``).

Every chapter executed cold (``--force``) with 1 job and with 2 jobs, the speed-up of running chapters
in parallel, the same cold run on a LocalCluster (the overhead of the cluster path against the local
pool), and a warm ``run`` + ``build`` with nothing changed (the cache), printed as a table and
written to ``<build>/bench/bench.json`` and ``bench.md``. The engine knows nothing of the science: the
timings of vectorised helpers against the loops they replace are a benchmark of their own,
``tests/bench_helpers.py`` (``make bench`` runs both).

These are measurements, not tests: timings vary with the machine and its load. The test suite runs
``bench --smoke`` (two chapters at smoke scale) only to keep the command working.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ...record import read_record


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
    result["cluster_s"] = run_cli(
        ["run", *chapters, "--scale", scale, "--cluster", "local", "--force", "--build-dir", str(out / "cluster")], root
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
            record = read_record(path) or {"chapter": path.stem, "runtime_s": float("nan")}
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
            f"- the same cold run on `--cluster local` (a LocalCluster, one worker per core): "
            f"{ch['cluster_s']:.1f} s, {ch['cluster_s'] / cold2:.2f}x the local pool",
            f"- per chapter, 1 job: median {np.nanmedian(runtimes):.1f} s, max {np.nanmax(runtimes):.1f} s",
            "",
        ]
    return "\n".join(lines)


def main(root: Path, build_dir: Path, smoke: bool = False) -> dict[str, Any]:
    """Run the benchmark, print the table, write ``bench.json`` and ``bench.md``; return the results."""
    out = build_dir / "bench"
    out.mkdir(parents=True, exist_ok=True)
    scale, chapters = ("smoke", ["01", "02"]) if smoke else ("book", [])
    results: dict[str, Any] = {"chapters": bench_chapters(root, out, scale, chapters)}
    (out / "bench.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (out / "bench.md").write_text(table + "\n")
    print(table)
    return results
