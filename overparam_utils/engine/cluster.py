"""Running the same jobs on a Dask ``distributed`` cluster (``--cluster``; "How this book is built").

Where a chapter runs is a choice of executor, not of code path: the runner submits each job to a
:class:`Cluster` instead of the local pool, and a Dask worker runs :func:`run_remote`, which executes the
chapter in a temporary folder with :func:`overparam_utils.engine.jobs.run_kernel` (the same function as the
local path) and returns the raw result together with the executed notebook. The client writes both, so no
shared filesystem is assumed.

- ``--cluster local``: a LocalCluster on loopback with one single-threaded worker process per core;
- ``--cluster tcp://host:8786``: a running scheduler; ``--cluster path/to/scheduler.json``: its scheduler file
  (``dask scheduler --scheduler-file F``, then ``dask worker --scheduler-file F`` on each machine).

A job with ``device="cuda"`` asks for the worker resource ``GPU`` (start GPU workers with ``--resources
GPU=1``). A worker whose checkout differs from the client's (the chapter's cache key: its code, the helper
modules, Python; and the installed versions of the packages that shape the results) refuses the job, with
a message. A chapter that times out is killed on its worker.
A worker that dies does not make the scheduler run an hours-long chapter again elsewhere: the LocalCluster is
started with ``allowed-failures = 0``; start a scheduler of your own with
``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0`` for the same.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CLUSTER_ENV = "OVERPARAM_CLUSTER"
"""The default of ``--cluster`` (an address, a scheduler file, or ``local``)."""


def run_remote(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one job on this Dask worker, in a temporary folder; return the raw result and the executed notebook.

    ``spec`` carries the chapter's source text and its cache key as the client computed it; a worker whose own
    key for that source differs (another checkout) refuses the job instead of running other code.
    """
    from distributed import get_worker

    from .jobs import Job, run_kernel, versions
    from .keys import inputs_key

    name = str(get_worker().name)
    with tempfile.TemporaryDirectory(prefix="overparam-") as tmp:
        source = Path(tmp) / "notebooks" / f"{spec['stem']}.py"
        source.parent.mkdir(parents=True)
        source.write_text(spec["source_text"])
        root = Path(tmp)
        for file_name, text in spec["dependency_files"].items():  # the client's pins; the versions are compared
            (root / file_name).write_text(text)
        mine = inputs_key(root, source, spec["scale"])
        differ = sorted(k for k, v in versions().items() if spec["versions"].get(k) != v)
        if mine != spec["inputs"] or differ:
            what = f"packages {', '.join(differ)}" if differ else f"helper modules (cache key {mine[:12]} here)"
            return {
                "refused": f"worker {name} runs another checkout or environment than the client's ({what}): "
                "install the same commit and pins there",
                "partial": {}, "error": None, "output": "", "returncode": None, "timed_out": False,
                "runtime_s": 0.0, "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "device": spec["device"], "worker": name, "executed_ipynb": None,
            }  # fmt: skip
        job = Job(
            source=source, scale=spec["scale"], seed=spec["seed"], build=Path(tmp) / "_build", key=spec["key"],
            threads=spec["threads"], timeout_s=spec["timeout_s"], inputs=mine, no_network=spec["no_network"],
            device=spec["device"],
        )  # fmt: skip
        raw = run_kernel(job)
        raw["worker"] = name
        raw["executed_ipynb"] = job.paths.executed.read_bytes() if job.paths.executed.exists() else None
        return raw


class Cluster:
    """A connection to a Dask cluster that runs jobs and hands back :class:`concurrent.futures.Future`\\ s."""

    def __init__(self, spec: str, n_workers: int | None = None):
        import dask
        from distributed import Client, LocalCluster

        self.spec = spec
        self._local = None
        if spec == "local":
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self._local = LocalCluster(
                    n_workers=n_workers or len(os.sched_getaffinity(0)), threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=None,
                )  # fmt: skip
            self.client = Client(self._local)
        elif Path(spec).is_file():
            self.client = Client(scheduler_file=spec, timeout="30s")
        else:
            self.client = Client(spec, timeout="30s")

    def workers(self) -> dict[str, dict[str, float]]:
        """The workers' names and their resources."""
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        return {str(w.get("name", addr)): dict(w.get("resources", {})) for addr, w in info.items()}

    def has_gpu(self) -> bool:
        return any(r.get("GPU", 0) >= 1 for r in self.workers().values())

    def submit(self, job: Any) -> cf.Future:
        """Run ``job`` on a worker (one with a ``GPU`` resource if it wants one); the future's result is the raw
        result of :func:`overparam_utils.engine.jobs.run_kernel`, its executed notebook already written here."""
        from .jobs import versions
        from .keys import DEPENDENCY_FILES

        root = job.source.parent.parent
        spec = {
            "stem": job.stem, "source_text": job.source.read_text(), "scale": job.scale, "seed": job.seed,
            "dependency_files": {n: (root / n).read_text() for n in DEPENDENCY_FILES if (root / n).is_file()},
            "versions": versions(),
            "key": job.key, "inputs": job.inputs, "threads": job.threads, "timeout_s": job.timeout_s,
            "no_network": job.no_network, "device": job.device,
        }  # fmt: skip
        remote = self.client.submit(
            run_remote, spec, key=f"{job.stem}-seed{job.seed}-{job.key[:12]}", pure=False, retries=0,
            resources={"GPU": 1} if job.wants_gpu else None,
        )  # fmt: skip
        local: cf.Future = cf.Future()

        def done(fut: Any) -> None:
            try:
                raw = fut.result()
            except Exception as err:  # the worker died, or the task could not run
                raw = lost(job, f"{type(err).__name__}: {err}")
            executed = raw.pop("executed_ipynb", None)
            if executed is not None:
                job.paths.executed.parent.mkdir(parents=True, exist_ok=True)
                job.paths.executed.write_bytes(executed)
            local.set_result(raw)

        remote.add_done_callback(done)
        return local

    def close(self) -> None:
        self.client.close()
        if self._local is not None:
            self._local.close()


def lost(job: Any, why: str) -> dict[str, Any]:
    """The raw result of a job whose worker was lost (never run twice: the scheduler allows no retries)."""
    return {
        "refused": f"the job did not come back from the cluster ({why})", "refused_kind": "WorkerLost",
        "partial": {}, "error": None,
        "output": "", "returncode": None, "timed_out": False, "runtime_s": 0.0,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"), "device": job.device, "worker": "?",
    }  # fmt: skip
