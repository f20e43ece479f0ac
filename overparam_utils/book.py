"""Build the book from the executed chapters with Jupyter Book 1 (DESIGN.md, section 7).

The book is never executed by Jupyter Book. :func:`build` stages a source tree under
``<build>/site-src`` (``_config.yml``, ``_toc.yml``, ``book/`` and the *executed* copies of the
chapters in place of ``notebooks/``), runs ``jupyter-book build`` on it strictly (warnings are
errors) into a scratch directory, and only when that succeeds replaces ``<build>/html``. A failed
build therefore leaves the last good book in place.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

STRICT_FLAGS = ("-W", "-n", "--keep-going")


def toc_files(root: Path) -> list[str]:
    """Every ``file:`` entry of ``_toc.yml`` (root, parts, chapters, sections), in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                if isinstance(value, list | dict):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def toc_chapters(root: Path) -> list[str]:
    """Stems of the chapters (``notebooks/...``) listed in ``_toc.yml``."""
    return [Path(f).stem for f in toc_files(root) if f.startswith("notebooks/")]


def stage(root: Path, build: Path) -> Path:
    """Assemble the book's source tree under ``<build>/site-src`` and return it."""
    executed = build / "executed"
    missing = [s for s in toc_chapters(root) if not (executed / f"{s}.ipynb").exists()]
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
    (src / "notebooks").mkdir()
    for stem in toc_chapters(root):
        shutil.copy2(executed / f"{stem}.ipynb", src / "notebooks" / f"{stem}.ipynb")
    return src


def jupyter_book_cmd() -> list[str]:
    """The ``jupyter-book`` of this interpreter's environment."""
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book"]


def build(root: Path, build_dir: Path, quiet: bool = False) -> tuple[bool, str]:
    """Build ``<build_dir>/html`` strictly; return ``(ok, log)``. The old HTML survives a failure."""
    src = stage(root, build_dir)
    scratch = build_dir / ".html-scratch"
    if scratch.exists():
        shutil.rmtree(scratch)
    cmd = [*jupyter_book_cmd(), "build", str(src), "--path-output", str(scratch), *STRICT_FLAGS]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    new_html = scratch / "_build" / "html"
    if proc.returncode != 0 or not (new_html / "index.html").exists():
        return False, log
    target = build_dir / "html"
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
