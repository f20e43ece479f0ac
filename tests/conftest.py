"""Shared test helpers: the project root and a way to call the command line as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m overparam_utils ARGS`` in ``cwd`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "overparam_utils", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def fixture_project(tmp_path: Path) -> Path:
    """A throw-away project with the fixture chapters (good, failing claim, raising) and a toc."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "book").mkdir()
    for src in sorted(FIXTURES.glob("[0-9][0-9]_*.py")):
        (tmp_path / "notebooks" / src.name).write_text(src.read_text())
    chapters = "\n".join(f"      - file: notebooks/{p.stem}" for p in sorted((tmp_path / "notebooks").glob("*.py")))
    (tmp_path / "_toc.yml").write_text(
        f"format: jb-book\nroot: book/intro\nparts:\n  - caption: Fixtures\n    chapters:\n{chapters}\n"
    )
    (tmp_path / "_config.yml").write_text((FIXTURES / "_config.yml").read_text())
    (tmp_path / "book" / "intro.md").write_text("# Fixture book\n\nA book for the runner's tests.\n")
    return tmp_path
