"""Build the book from the executed chapters with Jupyter Book 1 ("How this book is built").

The book is never executed by Jupyter Book. :func:`build` stages a source tree under
``<build>/site-src`` (``_config.yml``, ``_toc.yml``, ``book/`` and the *executed* copies of the
chapters in place of ``notebooks/``, their prose taken from the current sources: the cache key covers
only code cells, so a prose edit re-renders without re-executing, see :func:`refresh_prose`), runs
``jupyter-book build`` on it strictly (warnings are errors) into a scratch directory, and only when
that succeeds replaces ``<build>/html``. A failed build therefore leaves the last good book in place.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import yaml

from . import pages as report
from .keys import inputs_key
from .project import chapter_title, read_source, toc_chapters, toc_files

STRICT_FLAGS = ("-W", "-n", "--keep-going")


MARKERS = {
    "claims": "<!-- generated: claims -->",
    "coverage": "<!-- generated: coverage -->",
    "runtimes": "<!-- generated: runtimes -->",
    "paper_scale": "<!-- generated: paper_scale -->",
}
"""Comment lines in ``book/*.md`` that :func:`stage` replaces with generated content."""


def stage(root: Path, build: Path) -> Path:
    """Assemble the book's source tree under ``<build>/site-src`` and return it.

    Copies the configuration, ``book/`` and the executed chapters, then fills the generated parts
    from the claims records: the Claims page, the Coverage page, the front page's runtime table, the
    Paper scale page (from the records kept under ``book/paper_scale/``), and in each chapter a status
    row under the title and a provenance footer.
    """
    executed = build / "executed"
    stems = toc_chapters(root)
    missing = [s for s in stems if not (executed / f"{s}.ipynb").exists()]
    if missing:
        raise FileNotFoundError(
            f"no executed copy of {', '.join(missing)} in {executed}; run `python -m overparam_utils run` first"
        )
    src = build / "site-src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, src / name)
    shutil.copytree(root / "book", src / "book")
    records = report.load_records(build, stems)
    seed_records = report.load_seed_records(build, records)
    coverage_file = root / "book" / "coverage.yml"
    report.claims_figure(records, seed_records, src / "book" / report.CLAIMS_FIGURE)
    generated = {
        "claims": lambda: report.claims_page(records, seed_records),
        "runtimes": lambda: report.runtime_table(records),
        "coverage": lambda: (
            report.coverage_page(yaml.safe_load(coverage_file.read_text()), stems) if coverage_file.exists() else ""
        ),
        "paper_scale": lambda: report.paper_scale_page(
            report.load_paper_records(root, stems), records, stems, paper_keys(root, stems)
        ),
    }
    for page in (src / "book").glob("*.md"):
        text = page.read_text()
        for key, marker in MARKERS.items():
            if marker in text:
                text = text.replace(marker, generated[key]())
        page.write_text(text)
    (src / "notebooks").mkdir()
    has_claims_page = "book/claims" in toc_files(root)
    for stem in stems:
        nb = nbformat.read(executed / f"{stem}.ipynb", as_version=4)
        source = root / "notebooks" / f"{stem}.py"
        if source.exists():
            refresh_prose(nb, read_source(source))
            if stem in records:
                records[stem]["title"] = chapter_title(source)
        if stem in records:
            decorate(nb, records[stem], seed_records.get(stem), has_claims_page)
        nbformat.write(nb, src / "notebooks" / f"{stem}.ipynb")
    return src


def paper_keys(root: Path, stems: list[str]) -> dict[str, str]:
    """Today's paper-scale inputs key of each chapter: a kept record made with another key is stale."""
    return {
        stem: inputs_key(root, source, "paper")
        for stem in stems
        if (source := root / "notebooks" / f"{stem}.py").exists()
    }


def refresh_prose(executed: Any, source: Any) -> bool:
    """Replace the Markdown cells of an executed notebook by those of the current source, in place.

    Code cells, their outputs (figures, glued values) and papermill's injected-parameters cell come from
    the executed copy. Done only when the code cells of both are the same (the cache key then says the run
    is current); returns whether the prose was taken from the source. Cell ids of the executed copy are
    kept where a Markdown cell exists at the same place, so an unchanged book stages byte-identically.
    """

    def is_injected(c: Any) -> bool:
        return "injected-parameters" in c.get("metadata", {}).get("tags", [])

    ran = [c for c in executed.cells if c.cell_type == "code" and not is_injected(c)]
    injected = [c for c in executed.cells if is_injected(c)]
    code = [c for c in source.cells if c.cell_type == "code"]
    if len(ran) != len(code) or any(a.source != b.source for a, b in zip(ran, code, strict=True)):
        return False
    old_prose = [c for c in executed.cells if c.cell_type != "code"]
    cells, ran_iter, k = [], iter(ran), 0
    for cell in source.cells:
        if cell.cell_type == "code":
            done = next(ran_iter)
            cells.append(done)
            if "parameters" in done.get("metadata", {}).get("tags", []):
                cells.extend(injected)
            continue
        new = nbformat.from_dict(dict(cell))
        new["id"] = old_prose[k]["id"] if k < len(old_prose) and "id" in old_prose[k] else f"prose-{k}"
        cells.append(new)
        k += 1
    executed.cells = cells
    return True


def decorate(nb, record, runs=None, link_claims: bool = True) -> None:
    """Insert the status row after the chapter's title cell and append the provenance footer."""
    status = nbformat.v4.new_markdown_cell(
        report.status_markdown(record, runs, link_claims), metadata={"tags": ["chapter-status"]}, id="chapter-status"
    )
    footer = nbformat.v4.new_markdown_cell(
        report.footer_markdown(record), metadata={"tags": ["provenance"]}, id="provenance"
    )  # fixed ids: the staged book must be byte-identical when nothing changed
    nb.cells.insert(1, status)
    nb.cells.append(footer)


def jupyter_book_cmd() -> list[str]:
    """The ``jupyter-book`` of this interpreter's environment."""
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book"]


BUILD_KEY_FILE = ".build-key"


def tree_key(src: Path) -> str:
    """SHA-256 over every file (path and content) of a staged source tree: equal keys, equal books."""
    h = hashlib.sha256()
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(src)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def build(root: Path, build_dir: Path, force: bool = False) -> tuple[bool, str]:
    """Build ``<build_dir>/html`` strictly; return ``(ok, log)``. The old HTML survives a failure.

    When the staged sources are identical to those of the current ``html`` (same executed chapters,
    pages and configuration), nothing is rebuilt unless ``force``; the log then says so.
    """
    src = stage(root, build_dir)
    key = tree_key(src)
    target = build_dir / "html"
    key_file = target / BUILD_KEY_FILE
    if not force and key_file.exists() and key_file.read_text() == key and (target / "index.html").exists():
        return True, "unchanged: the staged book is identical to the one in html/"
    scratch = build_dir / ".html-scratch"
    if scratch.exists():
        shutil.rmtree(scratch)
    cmd = [*jupyter_book_cmd(), "build", str(src), "--path-output", str(scratch), *STRICT_FLAGS]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    new_html = scratch / "_build" / "html"
    if proc.returncode != 0 or not (new_html / "index.html").exists():
        return False, log
    (new_html / BUILD_KEY_FILE).write_text(key)
    old = build_dir / ".html-old"
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new_html.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return True, log


def warnings_in(log: str) -> list[str]:
    """The WARNING/ERROR lines of a Sphinx log (what made a strict build fail)."""
    return [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]


PDF_NAME = "overparam-executed.pdf"
"""The file name of the book's PDF: ``<build>/pdf/`` and, when the HTML book exists, its ``_static/``."""


def build_pdf(root: Path, build_dir: Path) -> tuple[bool, str, Path | None]:
    """Build the whole book as one PDF with Jupyter Book's LaTeX builder (xelatex), from the executed
    chapters (nothing is executed); return ``(ok, log, pdf)``.

    The PDF goes to ``<build_dir>/pdf/`` and, when ``<build_dir>/html`` exists, into its ``_static/``, where
    the front page links it. Needs a TeX toolchain (Debian: texlive-xetex, texlive-latex-extra,
    texlive-fonts-recommended, latexmk, fonts-freefont-otf, xindy).
    """
    if shutil.which("xelatex") is None or shutil.which("latexmk") is None:
        raise FileNotFoundError(
            "no TeX toolchain: install texlive-xetex texlive-latex-extra texlive-fonts-recommended latexmk "
            "fonts-freefont-otf xindy (Debian packages; .ci/run installs them)"
        )
    src = stage(root, build_dir)
    scratch = build_dir / ".pdf-scratch"
    if scratch.exists():
        shutil.rmtree(scratch)
    cmd = [*jupyter_book_cmd(), "build", str(src), "--builder", "pdflatex", "--path-output", str(scratch)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    made = scratch / "_build" / "latex" / PDF_NAME
    if proc.returncode != 0 or not made.exists():
        return False, log, None
    out = build_dir / "pdf" / PDF_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(made, out)
    if (build_dir / "html" / "_static").is_dir():
        shutil.copy2(made, build_dir / "html" / "_static" / PDF_NAME)
    shutil.rmtree(scratch, ignore_errors=True)
    return True, log, out
