"""The same jobs on a Dask ``distributed`` cluster: a LocalCluster of two worker processes, and a scheduler
started from a scheduler file with two ``dask worker`` processes, one of them with a ``GPU`` resource.
Everything on loopback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli


def measured(build: Path) -> dict[str, tuple[str, list]]:
    out = {}
    for path in sorted((build / "claims").glob("*.json")):
        record = json.loads(path.read_text())
        out[record["chapter"]] = (record["status"], [(c["id"], c["measured"], c["control"]) for c in record["checks"]])
    return out


@pytest.mark.slow
def test_a_local_cluster_gives_the_records_of_the_local_pool(fixture_project):
    here = run_cli("run", "--scale", "smoke", "--build-dir", str(fixture_project / "here"), cwd=fixture_project)
    there = run_cli(
        "run", "--scale", "smoke", "--cluster", "local", "--build-dir", str(fixture_project / "there"),
        cwd=fixture_project, timeout=900,
    )  # fmt: skip
    assert here.returncode == there.returncode == 1, there.stdout + there.stderr
    assert measured(fixture_project / "here") == measured(fixture_project / "there")
    for name in ("02_failing_claim", "03_raising"):
        assert name in there.stdout.split("chapter(s) failed:")[1]
    assert "check too_strict: measured 2, required > 3" in there.stdout and "submit 01_good" in there.stdout
    for stem in ("01_good", "02_failing_claim"):
        assert (fixture_project / "there" / "executed" / f"{stem}.ipynb").stat().st_size > 0
    record = json.loads((fixture_project / "there" / "claims" / "01_good.json").read_text())
    assert record["worker"] != "local" and record["device_requested"] == "auto" and record["device"] == "cpu"


@pytest.fixture
def scheduler_file_cluster(tmp_path):
    """``dask scheduler --scheduler-file F`` and two workers, ``cpu`` and ``gpu`` (the latter with GPU=1)."""
    sched = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--scheduler-file", str(sched),
             "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0", "--no-dashboard"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    ]  # fmt: skip
    deadline = time.monotonic() + 60
    while not sched.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sched.exists(), "the scheduler did not start"
    for name, extra in (("cpu", []), ("gpu", ["--resources", "GPU=1"])):
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(sched),
                 "--nthreads", "1", "--nworkers", "1", "--name", name, "--host", "127.0.0.1",
                 "--no-dashboard", *extra],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
    from distributed import Client

    with Client(scheduler_file=str(sched), timeout="30s") as client:
        client.wait_for_workers(2, timeout=90)
    try:
        yield sched
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.slow
def test_a_scheduler_file_cluster_sends_gpu_jobs_to_the_gpu_worker_and_lists_failures(
    fixture_project, scheduler_file_cluster
):
    shutil.copy(FIXTURES / "extra" / "slow.py", fixture_project / "notebooks" / "06_slow.py")
    gpu = run_cli(
        "run", "01", "--scale", "smoke", "--device", "cuda", "--cluster", str(scheduler_file_cluster),
        "--build-dir", str(fixture_project / "gpu"), cwd=fixture_project, timeout=900,
    )  # fmt: skip
    assert gpu.returncode == 0, gpu.stdout + gpu.stderr
    record = json.loads((fixture_project / "gpu" / "claims" / "01_good.json").read_text())
    assert record["worker"] == "gpu" and record["device_requested"] == "cuda" and record["status"] == "pass"
    assert record["device"] == "cpu", "the fixture chapter declares no device parameter: its work ran on the CPU"
    rest = run_cli(
        "run", "02", "03", "06", "--scale", "smoke", "--timeout", "90", "--cluster", str(scheduler_file_cluster),
        "--build-dir", str(fixture_project / "rest"), cwd=fixture_project, timeout=900,
    )  # fmt: skip
    assert rest.returncode == 1, rest.stdout + rest.stderr
    statuses = {stem: s for stem, (s, _) in measured(fixture_project / "rest").items()}
    assert statuses == {"02_failing_claim": "fail", "03_raising": "error", "06_slow": "timeout"}
    assert "Timeout: chapter did not finish within 90 s" in rest.stdout and "deliberate failure" in rest.stdout
    workers = {json.loads(p.read_text())["worker"] for p in (fixture_project / "rest" / "claims").glob("*.json")}
    assert workers <= {"cpu", "gpu"}


def test_cuda_without_a_gpu_is_a_bad_argument(fixture_project):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is visible here")
    result = run_cli("run", "01", "--device", "cuda", cwd=fixture_project)
    assert result.returncode == 2 and "--device cuda: no GPU is visible here" in result.stderr
    assert not (fixture_project / "_build").exists()
    bad = run_cli("run", "01", "--device", "tpu", cwd=fixture_project)
    assert bad.returncode == 2 and "--device 'tpu' is not allowed; choose one of auto, cpu, cuda" in bad.stderr


@pytest.mark.slow
def test_a_worker_with_another_checkout_refuses_the_job(fixture_project):
    from distributed import Client, LocalCluster

    from overparam_utils.engine import cluster as cl

    source = fixture_project / "notebooks" / "01_good.py"
    spec = {
        "stem": "01_good", "source_text": source.read_text(), "scale": "smoke", "seed": 0, "key": "k" * 64,
        "inputs": "0" * 64, "threads": 1, "timeout_s": 60, "no_network": False, "device": "auto",
        "dependency_files": {}, "versions": {},
    }  # fmt: skip
    local = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    with local as lc, Client(lc) as client:
        raw = client.submit(cl.run_remote, spec, pure=False).result(timeout=120)
    assert "runs another checkout or environment than the client's" in raw["refused"]
    assert "packages numpy" in raw["refused"] or "packages" in raw["refused"]
    assert raw["executed_ipynb"] is None
