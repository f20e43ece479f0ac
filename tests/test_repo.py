"""The repository's conventions: notebook pairs, table of contents, chapter template, pins, lint."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import jupytext
import nbformat
import pytest
import yaml
from conftest import ROOT

from overparam_utils.engine.project import all_chapters, parameters_cell, toc_files
from overparam_utils.engine.tools.notebook_pairs import pair_problems

CHAPTERS = all_chapters(ROOT)
CODE_LINE_LIMIT = 90  # the book's code column (notebooks/ruff.toml, book/_static/columns.css); prose wraps


def ids(paths):
    return [p.stem for p in paths]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 2


@pytest.mark.parametrize("source", CHAPTERS, ids=ids(CHAPTERS))
def test_notebook_pair_agrees_and_ipynb_has_no_outputs(source):
    assert pair_problems(source) == []


def test_pair_check_catches_drift_and_outputs(tmp_path):
    source = tmp_path / "01_x.py"
    source.write_text("# %% [markdown]\n# # Title\n\n# %%\nx = 1\n")
    assert pair_problems(source) == ["01_x.ipynb is missing (run `make sync`)"]
    jupytext.write(jupytext.read(source), source.with_suffix(".ipynb"))
    assert pair_problems(source) == []
    source.write_text(source.read_text().replace("x = 1", "x = 2"))
    assert "cell 1 differs" in pair_problems(source)[0]
    nb = jupytext.read(source)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1")]
    nbformat.write(nb, source.with_suffix(".ipynb"))
    assert any("with outputs" in p for p in pair_problems(source))


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    files = toc_files(ROOT)
    for source in CHAPTERS:
        assert f"notebooks/{source.stem}" in files, f"{source.stem} is not listed in _toc.yml"
    for entry in files:
        candidates = [ROOT / f"{entry}{ext}" for ext in (".md", ".py", ".ipynb")]
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("source", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_follows_the_template(source):
    nb = jupytext.read(source)
    text = source.read_text()
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "title first"
    assert "{cite:t}" in first.source and "**Claim.**" in first.source, "the paper and its claim come first"
    params = parameters_cell(nb)
    assert params is not None
    assigned = [line.split("=")[0].strip() for line in params.source.splitlines() if "=" in line]
    assert assigned in (["scale", "seed"], ["scale", "seed", "device"]), "the parameters cell holds scale, seed, device"
    if "device" in assigned:
        assert "device=device" in text, "the device parameter reaches chapter.setup"
        declared = next(line for line in params.source.splitlines() if line.startswith("device"))
        if "numpy only" not in declared:
            assert "ch.device" in text, "a torch chapter puts its work on ch.device (or says it is numpy only)"
    assert (
        "PRESETS = {" in text
        and f'chapter.setup(\n    "{source.stem}"' in text
        or f'chapter.setup("{source.stem}"' in text
    )
    for heading in ("## Setup", "## Claim checks", "## Paper vs here", "## Try it"):
        assert f"# {heading}" in text, f"missing section {heading!r}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(c.source.strip() == "ch.report()" for c in code), "the claims are asserted by ch.report()"
    assert text.count("ch.check(") >= 3, "at least three claim checks"
    for cell in code:
        for line in cell.source.splitlines():
            assert len(line) <= CODE_LINE_LIMIT, f"code line over {CODE_LINE_LIMIT} characters: {line!r}"
    assert "hide" not in " ".join(params.metadata.get("tags", [])), "the parameters cell stays visible"
    setup = next(c for c in code if "chapter.setup(" in c.source)
    assert "hide-cell" in setup.metadata.get("tags", []), (
        "the presets and the configuration printout fold away (tag the chapter.setup cell hide-cell)"
    )


@pytest.mark.parametrize("source", CHAPTERS, ids=ids(CHAPTERS))
def test_figure_captions_are_prose_in_a_glue_figure_directive(source):
    """A figure cell ends with ``ch.figure(name)`` and is tagged ``remove-output``; its caption is the body of
    the ``{glue:figure}`` directive (same name) in the Markdown cell right after it, not cell metadata."""
    nb = jupytext.read(source)
    names = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert "figure" not in cell.metadata.get("mystnb", {}), "a caption in cell metadata: use {glue:figure}"
        found = re.findall(r'ch\.figure\("([^"]+)"', cell.source)
        if not found:
            continue
        assert len(found) == 1, "one figure per cell"
        name = found[0]
        names.append(name)
        assert "remove-output" in cell.metadata.get("tags", []), f"{name}: tag the cell remove-output"
        after = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        assert after is not None and after.cell_type == "markdown", f"{name}: its caption cell must follow it"
        m = re.match(r"```\{glue:figure\} (\S+)\n:name: (\S+)\n\n(.+?)\n```", after.source, flags=re.S)
        assert m and m.group(1) == m.group(2) == name, f"{name}: the next cell opens a {{glue:figure}} directive"
        assert len(m.group(3).split()) >= 8, f"{name}: a caption says what to see"
    assert names, "a chapter has at least one figure"
    assert len(set(names)) == len(names), "figure names are unique"
    assert all(n.startswith("fig-") for n in names)


def test_every_citation_is_in_the_bibliography():
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited = set()
    for path in [*CHAPTERS, *ROOT.glob("book/*.md")]:
        for group in re.findall(r"\{cite:[tp]\}`([^`]+)`", path.read_text()):
            cited.update(k.strip() for k in group.split(","))
    assert cited, "no citations found"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


def test_book_config_is_strict_offline_and_never_executes():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["sphinx"]["config"]["nb_execution_mode"] == "off"
    mathjax = config["sphinx"]["config"]["mathjax_path"]
    assert not mathjax.startswith("http"), "MathJax must be vendored"
    static = [ROOT / p for p in config["sphinx"]["config"]["html_static_path"]]
    assert any((s / mathjax).is_file() for s in static), f"vendored {mathjax} not found"
    assert config["bibtex_bibfiles"] == ["book/references.bib"]
    assert config["sphinx"]["config"]["bibtex_reference_style"] == "author_year"


def requirement_pins(path):
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned with =="
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_requirements_are_pinned_and_consistent_with_constraints_and_pyproject():
    reqs = requirement_pins(ROOT / "requirements.txt")
    cons = requirement_pins(ROOT / "constraints.txt")
    assert reqs["torch"] == "2.13.0", "the CPU wheel on these machines"
    assert reqs["jupyter-book"].startswith("1."), "Jupyter Book 1 (2.x is a different tool)"
    for name in (
        "papermill",
        "jupytext",
        "numpy",
        "matplotlib",
        "scipy",
        "scikit-learn",
        "tqdm",
        "pytest",
        "pytest-xdist",
        "sphinxcontrib-bibtex",
        "myst-nb",
        "ipykernel",
    ):
        assert name in reqs, f"{name} is not pinned in requirements.txt"
    for name, version in reqs.items():
        assert cons.get(name) == version, f"constraints.txt pins {name}=={cons.get(name)}, requirements {version}"
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"]:
        name = re.split(r"[<>=!~ \[]", dep)[0].lower()
        assert name in reqs, f"pyproject dependency {name} is not pinned in requirements.txt"


def test_environment_yml_uses_the_same_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert "-r requirements.txt" in pip and "-c constraints.txt" in pip and "-e ." in pip


def test_licences_and_top_level_layout():
    for name in (
        "book",
        "notebooks",
        "overparam_utils",
        "tests",
        "_config.yml",
        "_toc.yml",
        "environment.yml",
        "pyproject.toml",
        "requirements.txt",
        "Makefile",
        "README.md",
        ".ci/run",
        "LICENSE",
        "LICENSE-text.md",
        ".gitignore",
    ):
        assert (ROOT / name).exists(), name
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "Creative Commons Attribution 4.0" in (ROOT / "LICENSE-text.md").read_text()


def test_readme_quick_start_has_the_two_commands_and_ci_runs_them():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start")[1].split("\n## ")[0]
    commands = re.findall(r"^make \w+", quick, flags=re.M)
    assert commands == ["make book", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "make book" in ci


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "overparam_utils", "tests", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "overparam_utils", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout


def test_public_helpers_have_docstrings():
    import importlib
    import inspect
    import pkgutil

    import overparam_utils

    missing = []
    for info in pkgutil.iter_modules(overparam_utils.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"overparam_utils.{info.name}")
        assert module.__doc__, f"module {info.name} has no docstring"
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and not obj.__doc__:
                missing.append(f"{info.name}.{name}")
    assert not missing, f"public helpers without a docstring: {missing}"


def test_executed_notebooks_never_land_in_notebooks_dir():
    gitignore = (ROOT / ".gitignore").read_text()
    assert "_build/" in gitignore
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        data = json.loads(nb.read_text())
        assert "papermill" not in data.get("metadata", {}), f"{nb.name} is an executed copy"


# ----------------------------------------------------------------------------- the three wings

CHAPTER_API = {"chapter", "params", "seeding", "claims", "record", "glue", "plotting", "progress"}
"""The chapter API: what a chapter cell calls (the record contract and the parameters among them)."""


def package_imports() -> dict[str, set[str]]:
    """For every module of the package (dotted, relative), the package modules it imports."""
    import ast

    from overparam_utils.engine import keys

    pkg = ROOT / "overparam_utils"
    out = {}
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        package = name if rel.name == "__init__" else name.rpartition(".")[0]
        if "netguard" in rel.parts:
            continue
        out[name] = keys._imported_modules(ast.parse(path.read_text()), package) - {""}
    return out


def wing(name: str) -> str:
    if name in ("", "__main__"):
        return "top"
    if name == "engine" or name.startswith("engine."):
        return "engine"
    return "api" if name in CHAPTER_API else "science"


def test_imports_run_one_way_between_the_three_wings():
    """engine -> record/params; chapter API -> chapter API; science -> progress and other science;
    nothing but ``__main__`` imports the engine; no chapter imports it either."""
    problems = []
    for name, imported in package_imports().items():
        for other in imported:
            w, o = wing(name), wing(other)
            if w == "engine" and o != "engine" and other not in ("record", "params"):
                problems.append(f"the engine module {name} imports {other}")
            if w in ("api", "science") and o == "engine":
                problems.append(f"{name} imports the engine ({other})")
            if w == "api" and o == "science":
                problems.append(f"the chapter API module {name} imports the science module {other}")
            if w == "science" and o == "api" and other != "progress":
                problems.append(f"the science module {name} imports the chapter API module {other}")
    for source in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        if "overparam_utils.engine" in source.read_text() or "overparam_utils import engine" in source.read_text():
            problems.append(f"{source.name} imports the engine")
    assert not problems, "\n".join(problems)


def test_the_package_index_lists_every_module():
    import overparam_utils

    doc = overparam_utils.__doc__
    missing = [name for name in package_imports() if name and name != "__main__" and name.split(".")[-1] not in doc]
    assert not missing, f"the package docstring does not list: {missing}"


def test_ruff_enforces_the_column_on_the_code_cells(tmp_path):
    """ruff's E501 at notebooks/ruff.toml's line length, on the code cells of every chapter (prose is in
    comments in the py:percent sources and wraps as prose, so it is left out)."""
    import tomllib

    limit = tomllib.loads((ROOT / "notebooks" / "ruff.toml").read_text())["line-length"]
    assert limit == CODE_LINE_LIMIT
    for source in CHAPTERS:
        code = [c.source for c in jupytext.read(source).cells if c.cell_type == "code"]
        (tmp_path / f"{source.stem}.py").write_text("\n\n".join(code) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "E501",
         f"--line-length={limit}", str(tmp_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout


def test_how_to_run_lists_the_torch_chapters():
    """The "How to run" page names the chapters whose work goes to ``device``: those whose parameters cell does
    not say they are numpy only. A chapter that gains or loses torch work must update the page."""
    torch_chapters = []
    for source in CHAPTERS:
        line = next((x for x in source.read_text().splitlines() if x.startswith("device = ")), "")
        if line and "numpy only" not in line:
            torch_chapters.append(source.name[:2])
    page = (ROOT / "book" / "how_to_run.md").read_text()
    listed = re.search(r"Torch chapters, whose work goes to the device: ([0-9, ]+)\.", page)
    assert listed, "how_to_run.md lists the torch chapters"
    assert [s.strip() for s in listed.group(1).split(",")] == torch_chapters
