"""The runner: argument checking, cache keys, failure isolation, records, determinism, safe builds."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES, ROOT, run_cli

from overparam_utils import runner

CHAPTER = ROOT / "notebooks" / "01_linear_generalization_dynamics.py"


def test_resolve_notebooks_by_path_stem_or_number():
    by_number = runner.resolve_notebooks(ROOT, ["01"])
    assert by_number == [CHAPTER]
    assert runner.resolve_notebooks(ROOT, ["notebooks/01_linear_generalization_dynamics.ipynb"]) == [CHAPTER]
    assert runner.resolve_notebooks(ROOT, ["01_linear_generalization_dynamics", "01"]) == [CHAPTER]
    assert runner.resolve_notebooks(ROOT, []) == runner.all_chapters(ROOT)
    with pytest.raises(runner.UsageError, match="NOTEBOOK 'nope' is not a chapter; choose from: 01_"):
        runner.resolve_notebooks(ROOT, ["nope"])


def test_cache_key_covers_source_package_requirements_scale_and_seed(tmp_path, monkeypatch):
    root = tmp_path
    (root / "notebooks").mkdir()
    source = root / "notebooks" / "01_x.py"
    source.write_text("print(1)\n")
    (root / "requirements.txt").write_text("numpy==1\n")
    base = runner.cache_key(root, source, "book", 0)
    assert runner.cache_key(root, source, "book", 0) == base
    assert runner.cache_key(root, source, "smoke", 0) != base
    assert runner.cache_key(root, source, "book", 1) != base
    source.write_text("print(2)\n")
    changed_source = runner.cache_key(root, source, "book", 0)
    assert changed_source != base
    (root / "requirements.txt").write_text("numpy==2\n")
    changed_requirements = runner.cache_key(root, source, "book", 0)
    assert changed_requirements != changed_source
    fake_module = tmp_path / "fake.py"
    fake_module.write_text("x = 1\n")
    files = runner.package_files()
    monkeypatch.setattr(runner, "package_files", lambda: {**files, "fake.py": fake_module})
    with_module = runner.cache_key(root, source, "book", 0)
    assert with_module != changed_requirements
    fake_module.write_text("x = 2\n")
    assert runner.cache_key(root, source, "book", 0) != with_module


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scale", "huge"], "--scale 'huge' is not allowed; choose one of smoke, book, paper"),
        (["--seed", "-1"], "--seed: seed=-1 is not allowed; use a non-negative integer"),
        (["--seed", "1.5"], "--seed '1.5' is not allowed; use a non-negative integer"),
        (["--seed", "abc"], "--seed 'abc' is not allowed"),
        (["--jobs", "0"], "--jobs 0 is not allowed"),
        (["99_missing"], "NOTEBOOK '99_missing' is not a chapter; choose from: 01_good"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message_and_run_nothing(fixture_project, args, message):
    result = run_cli("run", *args, cwd=fixture_project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert not (fixture_project / "_build").exists()


def test_chapter_without_parameters_cell_is_refused(fixture_project):
    shutil.copy(FIXTURES / "no_parameters.py", fixture_project / "notebooks" / "09_no_parameters.py")
    result = run_cli("run", "01", "09", cwd=fixture_project)
    assert result.returncode == 2
    assert "09_no_parameters.py: no code cell tagged 'parameters'" in result.stderr
    assert not (fixture_project / "_build").exists()


def test_runner_keeps_going_records_every_failure_and_exits_non_zero(fixture_project):
    result = run_cli("run", "--scale", "smoke", "--seed", "4", cwd=fixture_project)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    claims = fixture_project / "_build" / "claims"
    good, failing, raising = (
        json.loads((claims / f"{s}.json").read_text()) for s in ("01_good", "02_failing_claim", "03_raising")
    )

    assert good["status"] == "pass" and good["scale"] == "smoke" and good["seed"] == 4
    assert good["runtime_s"] > 0 and good["versions"]["numpy"] != "-" and len(good["cache_key"]) == 64
    assert {c["id"] for c in good["checks"]} == {"mean_is_small", "first_draws"}
    for c in good["checks"]:
        assert set(c) >= {"id", "claim", "measured", "threshold", "margin", "status"}

    assert failing["status"] == "fail"
    statuses = {c["id"]: c["status"] for c in failing["checks"]}
    assert statuses == {"holds": "pass", "too_strict": "fail"}
    assert "02_failing_claim" in out and "check too_strict: measured 2, required > 3" in out

    assert raising["status"] == "error"
    assert raising["error"]["ename"] == "ValueError" and raising["error"]["cell_index"] is not None
    assert "deliberate failure in the fixture" in out and "raise ValueError" in out
    for name in ("02_failing_claim", "03_raising"):
        assert str(fixture_project / "_build" / "executed" / f"{name}.ipynb") in out
    assert "2 chapter(s) failed" in out


def test_cache_skips_unchanged_chapters_and_force_reruns(fixture_project):
    first = run_cli("run", "01", "--scale", "smoke", cwd=fixture_project)
    assert first.returncode == 0, first.stdout + first.stderr
    record_path = fixture_project / "_build" / "claims" / "01_good.json"
    started = json.loads(record_path.read_text())["started_at"]
    second = run_cli("run", "01", "--scale", "smoke", cwd=fixture_project)
    assert "cached" in second.stdout and json.loads(record_path.read_text())["started_at"] == started
    source = fixture_project / "notebooks" / "01_good.py"
    source.write_text(source.read_text() + "\n# an edit\n")
    third = run_cli("run", "01", "--scale", "smoke", cwd=fixture_project)
    assert "cached" not in third.stdout
    forced = run_cli("run", "01", "--scale", "smoke", "--force", cwd=fixture_project)
    assert "cached" not in forced.stdout and forced.returncode == 0


def test_same_seed_same_record_different_seed_different_draws(fixture_project):
    def measured(seed):
        result = run_cli("run", "01", "--scale", "smoke", "--seed", str(seed), "--force", cwd=fixture_project)
        assert result.returncode == 0, result.stdout + result.stderr
        record = json.loads((fixture_project / "_build" / "claims" / "01_good.json").read_text())
        return [c["measured"] for c in record["checks"]]

    a, b, c = measured(3), measured(3), measured(5)
    assert a == b
    assert a != c


def test_failed_build_keeps_the_last_good_book(fixture_project):
    assert run_cli("run", "01", "--scale", "smoke", cwd=fixture_project).returncode == 0
    toc = fixture_project / "_toc.yml"
    toc.write_text(
        toc.read_text()
        .replace("      - file: notebooks/02_failing_claim\n", "")
        .replace("      - file: notebooks/03_raising\n", "")
    )
    built = run_cli("build", cwd=fixture_project)
    assert built.returncode == 0, built.stdout + built.stderr
    index = fixture_project / "_build" / "html" / "book" / "intro.html"
    before = index.read_text()
    assert "Fixture book" in before
    intro = fixture_project / "book" / "intro.md"
    intro.write_text("# Fixture book, edited\n\nA broken reference: {doc}`does_not_exist`.\n")
    broken = run_cli("build", cwd=fixture_project)
    assert broken.returncode == 1
    assert "previous _build/html" in broken.stderr and "does_not_exist" in broken.stderr
    assert index.read_text() == before


def test_build_refuses_when_a_chapter_was_not_executed(fixture_project):
    result = run_cli("build", cwd=fixture_project)
    assert result.returncode == 1 and "no executed copy of 01_good" in result.stderr


def test_no_network_makes_a_download_fail_but_lets_chapters_run(fixture_project):
    shutil.copy(FIXTURES / "extra" / "downloads.py", fixture_project / "notebooks" / "05_downloads.py")
    result = run_cli("run", "01", "05", "--scale", "smoke", "--no-network", cwd=fixture_project)
    assert result.returncode == 1, result.stdout + result.stderr
    record = json.loads((fixture_project / "_build" / "claims" / "05_downloads.json").read_text())
    assert record["status"] == "error" and "blocked (--no-network)" in record["error"]["evalue"]
    good = json.loads((fixture_project / "_build" / "claims" / "01_good.json").read_text())
    assert good["status"] == "pass"  # the kernel still talks to papermill over loopback


def test_several_seeds_write_one_record_each(fixture_project):
    result = run_cli("run", "01", "--scale", "smoke", "--seeds", "2,5", cwd=fixture_project)
    assert result.returncode == 0, result.stdout + result.stderr
    primary = json.loads((fixture_project / "_build" / "claims" / "01_good.json").read_text())
    other = json.loads((fixture_project / "_build" / "seeds" / "5" / "claims" / "01_good.json").read_text())
    assert (primary["seed"], other["seed"]) == (2, 5)
    assert primary["inputs_key"] == other["inputs_key"] and primary["cache_key"] != other["cache_key"]
    assert run_cli("run", "--seeds", "1,1", cwd=fixture_project).returncode == 2
    assert "not both" in run_cli("run", "--seed", "3", "--seeds", "1,2", cwd=fixture_project).stderr


def test_unchanged_book_is_not_rebuilt(fixture_project):
    toc = fixture_project / "_toc.yml"
    toc.write_text(
        toc.read_text()
        .replace("      - file: notebooks/02_failing_claim\n", "")
        .replace("      - file: notebooks/03_raising\n", "")
    )
    assert run_cli("run", "01", "--scale", "smoke", cwd=fixture_project).returncode == 0
    first = run_cli("build", cwd=fixture_project)
    assert first.returncode == 0 and "Book built" in first.stdout
    second = run_cli("build", cwd=fixture_project)
    assert second.returncode == 0 and "Book unchanged" in second.stdout
    (fixture_project / "book" / "intro.md").write_text("# Fixture book\n\nEdited.\n")
    assert "Book built" in run_cli("build", cwd=fixture_project).stdout


def test_same_seed_gives_identical_claims_for_a_real_chapter(tmp_path):
    def run_once(build):
        result = run_cli("run", "01", "--scale", "smoke", "--seed", "11", "--build-dir", str(build))
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads((build / "claims" / "01_linear_generalization_dynamics.json").read_text())

    a, b = run_once(tmp_path / "a"), run_once(tmp_path / "b")
    assert [(c["id"], c["measured"]) for c in a["checks"]] == [(c["id"], c["measured"]) for c in b["checks"]]
