"""Jobs: plan the runs of chapters, execute them (in parallel, cached), and record their claims.

``python -m overparam_utils run [--scale smoke|book|paper] [--seed N] [--jobs J] [--force] [NOTEBOOK ...]``
("How this book is built"). For each chapter ``notebooks/NN_slug.py`` it writes

* ``<build>/executed/NN_slug.ipynb``: the executed copy (the book renders these), and
* ``<build>/claims/NN_slug.json``: the claims record: chapter, scale, seed, runtime, versions,
  cache key, status, every check ``{id, claim, measured, threshold, margin, status}`` and, if the
  chapter raised, the exception and the cell it came from.

A chapter whose inputs did not change (its code cells, the helper modules it imports, the pinned
requirements, scale and seed: :mod:`overparam_utils.engine.keys`) and that passed last time is not
executed again unless ``--force`` is given.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ..record import (
    CHAPTER_ENV,
    CLAIMS_FILE_ENV,
    NO_NETWORK_ENV,
    QUIET_ENV,
    RECORD_VERSION,
    error_info,
    read_record,
    record_failures,
    short_counts,
    summary_line,
    write_record,
)
from .keys import inputs_key, run_key
from .project import UsageError, chapter_title, check_parameters_cell, resolve_notebooks

DEFAULT_TIMEOUT_S = {"smoke": 120, "book": 600, "paper": 6 * 3600}
"""Per-chapter wall-clock limit by scale (kernel start included)."""

VERSIONED_PACKAGES = (
    "numpy",
    "scipy",
    "torch",
    "scikit-learn",
    "matplotlib",
    "mnist1d",
    "papermill",
    "jupytext",
    "jupyter-book",
    "myst-nb",
)


# ----------------------------------------------------------------------------- records


def versions() -> dict[str, str]:
    """Installed versions of the packages that shape the results (``"-"`` when absent)."""
    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def git_commit(root: Path) -> str:
    """The checked-out commit (short hash, ``+dirty`` with uncommitted changes), or ``"unknown"``."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
        return rev + ("+dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


@dataclass(frozen=True)
class Paths:
    """Where the runner puts one chapter's outputs under the build directory."""

    build: Path
    stem: str

    @property
    def executed(self) -> Path:
        return self.build / "executed" / f"{self.stem}.ipynb"

    @property
    def record(self) -> Path:
        return self.build / "claims" / f"{self.stem}.json"

    @property
    def partial(self) -> Path:
        return self.build / "claims" / ".partial" / f"{self.stem}.json"

    @property
    def error(self) -> Path:
        return self.build / "claims" / ".partial" / f"{self.stem}.error.json"


# ----------------------------------------------------------------------------- execution


@dataclass
class Job:
    """One chapter to execute."""

    source: Path
    scale: str
    seed: int
    build: Path
    key: str
    threads: int
    timeout_s: float
    inputs: str = ""
    no_network: bool = False
    device: str = "auto"

    @property
    def wants_gpu(self) -> bool:
        """Whether the job must run where a GPU is (``device="cuda"``); on a cluster, a ``GPU`` resource."""
        return self.device == "cuda"

    @property
    def stem(self) -> str:
        return self.source.stem

    @property
    def paths(self) -> Paths:
        return Paths(self.build, self.stem)


def kernel_env(job: Job) -> dict[str, str]:
    """The environment of the worker and its kernel: claims file, quiet progress, thread counts."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the kernel must use the inline backend so figures are captured
    n = str(job.threads)
    env.update(
        {
            CLAIMS_FILE_ENV: str(job.paths.partial),
            QUIET_ENV: "1",
            CHAPTER_ENV: job.stem,
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": n,
            "OPENBLAS_NUM_THREADS": n,
            "MKL_NUM_THREADS": n,
            "TQDM_DISABLE": "1",
        }
    )
    if job.no_network:
        guard = str(Path(__file__).resolve().parent / "netguard")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (guard, env.get("PYTHONPATH", "")) if p)
        env[NO_NETWORK_ENV] = "1"
    return env


def wait_with_usage(proc: subprocess.Popen, timeout_s: float) -> tuple[int, float, bool, bytes]:
    """Wait for ``proc`` (killing its process group after ``timeout_s``); return its exit code, the CPU
    seconds (user + system) of it and of the processes it waited for (the kernel), whether it timed out,
    and its output. The CPU time does not depend on how busy the machine is, unlike the wall time."""
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    deadline, timed_out = time.monotonic() + timeout_s, False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)  # the kernel is in the same session: kill it too
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=30)
    return proc.returncode, usage.ru_utime + usage.ru_stime, timed_out, b"".join(chunks)


def run_kernel(job: Job) -> dict[str, Any]:
    """Run one chapter in a worker process (kernel start included) and return what it left, raw.

    Writes the executed notebook to ``job.paths.executed`` and returns ``{"partial", "error", "output",
    "returncode", "timed_out", "runtime_s", "started_at", "device", "worker"}``: the checks the kernel
    wrote, its exception, the tail of its output. The caller (:func:`finish`) makes the record. The same
    function runs on a Dask worker (:func:`overparam_utils.engine.cluster.run_remote`), there in a
    temporary folder, and its result travels back to the client.
    """
    paths = job.paths
    for p in (paths.partial, paths.error):
        p.unlink(missing_ok=True)
    paths.partial.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "overparam_utils.engine.worker",
        str(job.source),
        str(paths.executed),
        "--scale",
        job.scale,
        "--seed",
        str(job.seed),
        "--error-file",
        str(paths.error),
    ]
    if job.device != "auto":
        cmd += ["--device", job.device]
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=kernel_env(job), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    returncode, cpu_s, timed_out, output = wait_with_usage(proc, job.timeout_s)
    raw = {
        "partial": read_record(paths.partial) or {},
        "error": read_record(paths.error),
        "output": output.decode(errors="replace")[-20000:],
        "returncode": returncode,
        "timed_out": timed_out,
        "runtime_s": round(time.perf_counter() - t0, 3),
        "cpu_s": round(cpu_s, 3),
        "started_at": started.isoformat(timespec="seconds"),
        "device": job.device,
        "worker": "local",
    }
    for p in (paths.partial, paths.error):
        p.unlink(missing_ok=True)
    return raw


def finish(job: Job, raw: dict[str, Any]) -> dict[str, Any]:
    """The claims record of a run from what :func:`run_kernel` returned; written to ``job.paths.record``."""
    partial, error = raw["partial"], raw["error"]
    checks = partial.get("checks", [])
    if raw.get("refused"):
        error = error_info(raw.get("refused_kind", "WorkerRefused"), raw["refused"])
    elif raw["timed_out"]:
        error = error_info("Timeout", f"chapter did not finish within {job.timeout_s:.0f} s")
    elif raw["returncode"] != 0 and error is None:
        tail = raw["output"].strip().splitlines()[-5:]
        error = error_info("WorkerError", " | ".join(tail))
    elif error is None and not partial.get("reported"):
        error = error_info(
            "ClaimsNotReported", "the chapter finished without calling ch.report() (its claims were never asserted)"
        )
    failed = any(c["status"] == "fail" for c in checks)
    timed_out = raw["timed_out"] and not raw.get("refused")
    status = "timeout" if timed_out else ("error" if error and not failed else ("fail" if failed else "pass"))
    record = {
        "record_version": RECORD_VERSION,
        "chapter": job.stem,
        "title": chapter_title(job.source),
        "scale": job.scale,
        "seed": job.seed,
        "status": status,
        "runtime_s": raw["runtime_s"],
        "cpu_s": None if timed_out else raw.get("cpu_s"),  # a killed kernel's CPU time is not collected
        "started_at": raw["started_at"],
        "threads": job.threads,
        "device": partial.get("device") or raw.get("device", job.device),  # where the chapter's work ran
        "device_requested": job.device,  # what --device asked for
        "worker": raw.get("worker", "local"),
        "commit": git_commit(job.source.parent.parent),
        "cache_key": job.key,
        "inputs_key": job.inputs,
        "versions": versions(),
        "executed": str(job.paths.executed),
        "checks": checks,
        "error": error,
    }
    write_record(job.paths.record, record)
    return record


def execute(job: Job) -> dict[str, Any]:
    """Execute one chapter here (a worker process of this machine); write and return its claims record."""
    return finish(job, run_kernel(job))


def is_cached(job: Job) -> dict[str, Any] | None:
    """The previous record of ``job`` if it passed with the same cache key and its executed copy exists."""
    record = read_record(job.paths.record)
    if record and record.get("cache_key") == job.key and record.get("status") == "pass" and job.paths.executed.exists():
        return record
    return None


# ----------------------------------------------------------------------------- the command


def default_jobs() -> int:
    """One job per core available to this process."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def seed_build_dir(build: Path, seed: int, primary: int) -> Path:
    """Where a seed's outputs go: the build directory for the primary seed, ``seeds/<seed>/`` below it else."""
    return build if seed == primary else build / "seeds" / str(seed)


def plan(
    root: Path,
    names: list[str],
    scale: str,
    seeds: list[int],
    build: Path,
    jobs: int | None = None,
    timeout_s: float | None = None,
    no_network: bool = False,
    threads: int | None = None,
    device: str = "auto",
) -> list[Job]:
    """The jobs for ``names`` (all chapters when empty) at ``scale``, once per seed in ``seeds``.

    Arguments are validated once, at the command line (:mod:`overparam_utils.engine.cli`); here only the
    chapters are: unknown names and sources without a ``parameters`` cell raise :class:`UsageError`
    before anything runs. The first seed is the primary one, whose outputs go to ``build`` (the book shows
    it); the others go to ``build/seeds/<seed>/``.
    """
    sources = resolve_notebooks(root, names)
    if not sources:
        raise UsageError("no chapters found under notebooks/")
    for source in sources:
        check_parameters_cell(source)
    n_jobs = min(jobs or default_jobs(), len(sources) * len(seeds))
    threads = threads or max(1, default_jobs() // n_jobs)
    timeout = timeout_s if timeout_s is not None else DEFAULT_TIMEOUT_S[scale]
    inputs = {s: inputs_key(root, s, scale) for s in sources}
    return [
        Job(
            source=s,
            scale=scale,
            seed=sd,
            build=seed_build_dir(build, sd, seeds[0]),
            key=run_key(inputs[s], sd),
            threads=threads,
            timeout_s=timeout,
            inputs=inputs[s],
            no_network=no_network,
            device=device,
        )
        for sd in seeds
        for s in sources
    ]


class Reporter:
    """Tells the person waiting what happens: a bar over chapters in a terminal, plain lines in logs."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.bar = None
        if sys.stdout.isatty():
            from tqdm.std import tqdm

            self.bar = tqdm(total=total, unit="chapter", leave=False)

    def line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text)
        else:
            print(text, flush=True)

    def started(self, job: Job) -> None:
        self.line(f"  start  {job.stem} ({job.scale}, seed {job.seed}, {job.threads} thread(s))")

    def finished(self, record: dict[str, Any], cached: bool) -> None:
        self.done += 1
        how = "cached" if cached else f"{record['runtime_s']:.1f} s"
        if record.get("worker", "local") != "local":
            how += f" on {record['worker']}"
        self.line(
            f"[{self.done}/{self.total}] {record['status'].upper():7s} {record['chapter']} "
            f"(seed {record['seed']}, {how}; {short_counts(record)})"
        )
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run(jobs: list[Job], n_jobs: int, force: bool = False, cluster: Any = None) -> list[dict[str, Any]]:
    """Execute ``jobs`` (cached ones skipped unless ``force``) and return the records in the order of ``jobs``.

    Locally on ``n_jobs`` worker processes, or on a Dask cluster
    (:class:`overparam_utils.engine.cluster.Cluster`): one loop either way, over futures of raw results that
    :func:`finish` turns into records. Never raises for a failing chapter: failures are in the records.
    """
    reporter = Reporter(len(jobs))
    records: dict[tuple[str, int], dict[str, Any]] = {}
    todo = []
    for job in jobs:
        cached = None if force else is_cached(job)
        if cached is not None:
            records[job.stem, job.seed] = cached
            reporter.finished(cached, cached=True)
        else:
            todo.append(job)

    def here(job: Job) -> dict[str, Any]:
        reporter.started(job)
        return run_kernel(job)

    with cf.ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:
        if cluster is None:
            futures = {pool.submit(here, job): job for job in todo}
        else:
            futures = {}
            for job in todo:
                reporter.line(f"  submit {job.stem} ({job.scale}, seed {job.seed}) to the cluster")
                futures[cluster.submit(job)] = job
        for fut in cf.as_completed(futures):
            job = futures[fut]
            record = finish(job, fut.result())
            records[job.stem, job.seed] = record
            reporter.finished(record, cached=False)
    reporter.close()
    return [records[job.stem, job.seed] for job in jobs]


def summarize(records: list[dict[str, Any]], with_claims_line: bool = True) -> str:
    """A runtime table and the failures, as printed at the end of a run."""
    lines = ["", f"{'chapter':45s} {'status':8s} {'runtime':>9s}  checks"]
    several = len({r["seed"] for r in records}) > 1
    for r in records:
        name = f"{r['chapter']} (seed {r['seed']})" if several else r["chapter"]
        lines.append(f"{name:45s} {r['status']:8s} {r['runtime_s']:8.1f}s  {short_counts(r)}")
    if with_claims_line:
        lines.append(claims_summary(records))
    failures = [r for r in records if r["status"] != "pass"]
    if failures:
        lines.append("")
        lines.append(f"{len(failures)} chapter(s) failed:")
        for r in failures:
            lines.append(f"- {r['chapter']} (seed {r['seed']}, {r['status']}); executed copy: {r['executed']}")
            lines += [f"    {line}" for line in record_failures(r)]
    return "\n".join(lines)


def claims_summary(records: list[dict[str, Any]]) -> str:
    """One line: ``Claims: 9 claims hold against their controls, ... (2 chapters, 41 s of execution)``."""
    return "Claims: " + summary_line(records)
