"""``make lab``: JupyterLab starts on loopback, lists the chapters, and opens a chapter's .py as a notebook."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab_server(tmp_path):
    port, token = free_port(), "overparam-test"
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.token={token}", "--ServerApp.open_browser=False", f"--notebook-dir={ROOT / 'notebooks'}",
    ]  # fmt: skip
    if os.geteuid() == 0:  # CI runs as root
        cmd.append("--allow-root")
    env = {"JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"jupyter lab exited: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer within 90 s")
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_lab_lists_the_chapters_and_opens_a_py_source_as_a_notebook(lab_server):
    base, token = lab_server
    listing = get(f"{base}/api/contents?token={token}")
    names = {item["name"] for item in listing["content"]}
    chapters = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert set(chapters) <= names, set(chapters) - names
    first = chapters[0]
    nb = get(f"{base}/api/contents/{first}?type=notebook&content=1&token={token}")
    assert nb["type"] == "notebook", "jupytext's contents manager should serve the .py as a notebook"
    cells = nb["content"]["cells"]
    assert any("parameters" in c["metadata"].get("tags", []) for c in cells)
    lab = urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30).read().decode()
    assert "JupyterLab" in lab or "jupyter-config-data" in lab


def test_make_lab_sets_jupytext_as_the_default_viewer_of_python_files():
    overrides = json.loads((ROOT / ".jupyter" / "lab-overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["python"] == "Jupytext Notebook"
    assert "lab-overrides.json" in (ROOT / "Makefile").read_text()
