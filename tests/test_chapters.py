"""Every chapter, executed at smoke scale through the runner, then built into a book (strict)."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, run_cli

from overparam_utils.runner import all_chapters


@pytest.mark.slow
def test_every_chapter_runs_at_smoke_scale_and_the_book_builds(tmp_path):
    build = tmp_path / "_build"
    result = run_cli("run", "--scale", "smoke", "--jobs", "2", "--build-dir", str(build), timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    for source in all_chapters(ROOT):
        record = json.loads((build / "claims" / f"{source.stem}.json").read_text())
        assert record["status"] == "pass", record
        assert record["scale"] == "smoke" and len(record["checks"]) >= 3
    built = run_cli("build", "--build-dir", str(build), timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    for source in all_chapters(ROOT):
        page = build / "html" / "notebooks" / f"{source.stem}.html"
        html = page.read_text()
        assert "<img" in html, f"{page.name} has no figure"
        assert "claim" in html.lower()
