"""The runner: argument checking, cache keys, failure isolation, records, determinism, safe builds."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES, ROOT, run_cli

from overparam_utils.engine import jobs as runner
from overparam_utils.engine import keys, pages, project, site

CHAPTER = ROOT / "notebooks" / "01_linear_generalization_dynamics.py"


def test_resolve_notebooks_by_path_stem_or_number():
    by_number = project.resolve_notebooks(ROOT, ["01"])
    assert by_number == [CHAPTER]
    assert project.resolve_notebooks(ROOT, ["notebooks/01_linear_generalization_dynamics.ipynb"]) == [CHAPTER]
    assert project.resolve_notebooks(ROOT, ["01_linear_generalization_dynamics", "01"]) == [CHAPTER]
    assert project.resolve_notebooks(ROOT, []) == project.all_chapters(ROOT)
    with pytest.raises(project.UsageError, match="NOTEBOOK 'nope' is not a chapter; choose from: 01_"):
        project.resolve_notebooks(ROOT, ["nope"])


def test_cache_key_covers_code_cells_requirements_scale_and_seed_but_not_prose(tmp_path):
    root = tmp_path
    (root / "notebooks").mkdir()
    source = root / "notebooks" / "01_x.py"
    source.write_text("# %% [markdown]\n# # Title\n#\n# Some prose.\n\n# %%\nprint(1)\n")
    (root / "requirements.txt").write_text("numpy==1\n")
    base = keys.cache_key(root, source, "book", 0)
    assert keys.cache_key(root, source, "book", 0) == base
    assert keys.cache_key(root, source, "smoke", 0) != base
    assert keys.cache_key(root, source, "book", 1) != base
    source.write_text(source.read_text().replace("Some prose.", "Other prose, and a caption."))
    assert keys.cache_key(root, source, "book", 0) == base, "a prose edit must not re-execute the chapter"
    source.write_text(source.read_text().replace("print(1)", "print(2)"))
    changed_code = keys.cache_key(root, source, "book", 0)
    assert changed_code != base
    source.write_text(source.read_text().replace("# %%\nprint(2)", '# %% tags=["remove-input"]\nprint(2)'))
    assert keys.cache_key(root, source, "book", 0) != changed_code, "code-cell tags are part of the key"
    changed_code = keys.cache_key(root, source, "book", 0)
    (root / "requirements.txt").write_text("numpy==2\n")
    assert keys.cache_key(root, source, "book", 0) != changed_code


def fake_package(tmp_path, monkeypatch):
    """A package ``overparam_utils`` in ``tmp_path``: chapter API, record, and two science modules."""
    pkg = tmp_path / "pkg" / "overparam_utils"
    (pkg / "engine").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "record.py": "X = 1\n",
        "chapter.py": "from .record import X\n",
        "alpha.py": "from . import beta\n",
        "beta.py": "def f():\n    from .record import X\n    return X\n",
        "gamma.py": "G = 3\n",
        "engine/__init__.py": "",
        "engine/worker.py": "from ..record import X\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    monkeypatch.setattr(keys, "PACKAGE_DIR", pkg)
    return pkg


def test_cache_key_follows_the_imports_of_each_chapter(tmp_path, monkeypatch):
    pkg = fake_package(tmp_path, monkeypatch)
    root = tmp_path / "book"
    (root / "notebooks").mkdir(parents=True)
    uses_alpha = root / "notebooks" / "01_a.py"
    uses_alpha.write_text("# %%\nfrom overparam_utils import chapter\nimport overparam_utils.alpha as a\n")
    uses_gamma = root / "notebooks" / "02_g.py"
    uses_gamma.write_text("# %%\nfrom overparam_utils import chapter\nfrom overparam_utils.gamma import G\n")
    assert keys.chapter_modules(uses_alpha) == ["", "alpha", "beta", "chapter", "record"]
    assert keys.chapter_modules(uses_gamma) == ["", "chapter", "gamma", "record"]

    def both():
        return keys.inputs_key(root, uses_alpha, "book"), keys.inputs_key(root, uses_gamma, "book")

    a0, g0 = both()
    (pkg / "beta.py").write_text('"""Beta, documented."""\n' + (pkg / "beta.py").read_text() + "# a comment\n")
    assert both() == (a0, g0), "a docstring or a comment in a helper re-executes nothing"
    (pkg / "beta.py").write_text((pkg / "beta.py").read_text() + "CHANGED = 1\n")  # imported through alpha
    a1, g1 = both()
    assert a1 != a0 and g1 == g0, "a science module re-executes only the chapters that import it"
    (pkg / "gamma.py").write_text("G = 4\n")
    a2, g2 = both()
    assert a2 == a1 and g2 != g1
    (pkg / "record.py").write_text("X = 2\n")  # the record contract: every chapter imports it via chapter
    a3, g3 = both()
    assert a3 != a2 and g3 != g2
    (pkg / "engine" / "worker.py").write_text('"""The worker."""\nfrom ..record import X  # a comment\n')
    assert both() == (a3, g3), "the worker counts by its code, like the helpers"
    (pkg / "engine" / "worker.py").write_text("from ..record import X\nTIMEOUT = 5  # how a kernel runs\n")
    a4, g4 = both()
    assert a4 != a3 and g4 != g3


def test_the_run_path_uses_the_one_cache_key(fixture_project):
    jobs = runner.plan(fixture_project, ["01"], "smoke", [0, 3], fixture_project / "_build")
    source = fixture_project / "notebooks" / "01_good.py"
    assert [j.key for j in jobs] == [keys.cache_key(fixture_project, source, "smoke", s) for s in (0, 3)]
    assert {j.inputs for j in jobs} == {keys.inputs_key(fixture_project, source, "smoke")}


def test_a_prose_edit_re_renders_without_re_executing(fixture_project):
    toc = fixture_project / "_toc.yml"
    toc.write_text(
        toc.read_text()
        .replace("      - file: notebooks/02_failing_claim\n", "")
        .replace("      - file: notebooks/03_raising\n", "")
    )
    assert run_cli("run", "01", "--scale", "smoke", cwd=fixture_project).returncode == 0
    assert run_cli("build", cwd=fixture_project).returncode == 0
    record_path = fixture_project / "_build" / "claims" / "01_good.json"
    started = json.loads(record_path.read_text())["started_at"]
    source = fixture_project / "notebooks" / "01_good.py"
    source.write_text(source.read_text().replace("and checks a claim that holds.", "and checks a claim: edited prose."))
    again = run_cli("run", "01", "--scale", "smoke", cwd=fixture_project)
    assert again.returncode == 0 and "cached" in again.stdout, again.stdout
    assert json.loads(record_path.read_text())["started_at"] == started, "the chapter was executed again"
    built = run_cli("build", cwd=fixture_project)
    assert built.returncode == 0 and "Book built" in built.stdout, built.stdout + built.stderr
    page = (fixture_project / "_build" / "html" / "notebooks" / "01_good.html").read_text()
    assert "edited prose" in page and "mean_is_small" in page
    assert "Book unchanged" in run_cli("build", cwd=fixture_project).stdout


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
        assert set(c) >= {"id", "kind", "claim", "measured", "control", "control_is", "threshold", "margin", "status"}
    by_id = {c["id"]: c for c in good["checks"]}
    assert by_id["mean_is_small"]["control"] > 5 and by_id["mean_is_small"]["controlled"] is True
    assert by_id["first_draws"]["kind"] == "setup" and by_id["first_draws"]["control"] is None

    assert failing["status"] == "fail"
    statuses = {c["id"]: c["status"] for c in failing["checks"]}
    assert statuses == {"holds": "pass", "too_strict": "fail", "blurred": "fail"}
    assert "02_failing_claim" in out and "check too_strict: measured 2, required > 3" in out
    assert "check blurred: measured 2, control 1.5 (no mechanism), required > 1" in out
    assert "cannot tell the claim from its control" in out

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


def test_paper_scale_records_are_kept_in_the_repository_and_marked_stale_when_the_chapter_changes(fixture_project):
    refused = run_cli("run", "01", "--scale", "smoke", "--record", cwd=fixture_project)
    assert refused.returncode == 2 and "--record keeps paper-scale runs only" in refused.stderr
    assert not (fixture_project / "book" / "paper_scale").exists()
    result = run_cli("run", "01", "--scale", "paper", "--record", cwd=fixture_project)
    assert result.returncode == 0, result.stdout + result.stderr
    kept = fixture_project / "book" / "paper_scale" / "01_good.json"
    assert "Recorded book/paper_scale/01_good.json" in result.stdout
    record = json.loads(kept.read_text())
    assert record["scale"] == "paper" and record["status"] == "pass" and "executed" not in record
    stems = ["01_good", "02_failing_claim"]
    page = pages.paper_scale_page(
        pages.load_paper_records(fixture_project, stems), {}, stems, site.paper_keys(fixture_project, stems)
    )
    assert "1 of 2 chapters have a paper-scale record" in page and "stale" not in page
    assert "| {doc}`/notebooks/02_failing_claim` | not run yet |" in page
    assert "`mean_is_small`" in page and "| current |" in page
    source = fixture_project / "notebooks" / "01_good.py"
    source.write_text(source.read_text().replace("dict(n=1000)", "dict(n=2000)"))
    page = pages.paper_scale_page(
        pages.load_paper_records(fixture_project, stems), {}, stems, site.paper_keys(fixture_project, stems)
    )
    assert "1 of them is stale" in page and "**stale**" in page


def test_module_code_ignores_docstrings_comments_and_layout_but_not_code():
    base = keys.module_code(
        '"""Module."""\nclass A:\n    """A."""\n    x = 1\n\ndef f(a):\n    """F."""\n    return a\n'
    )
    same = keys.module_code("class A:\n    x = 1  # one\n\n\ndef f(a):\n    return a\n")
    assert base == same
    assert keys.module_code("def f(a):\n    return a + 1\n") != keys.module_code("def f(a):\n    return a\n")
    assert keys.module_code('S = """not a docstring"""\n') != keys.module_code('S = """other"""\n')
    assert keys.module_code("def f(:\n") == b"def f(:\n"  # does not parse: its bytes
