"""The project: its root, its chapters, its table of contents, and reading a chapter's source.

Everything the engine knows about where things are. Nothing here executes a chapter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class UsageError(ValueError):
    """A bad command-line argument; the CLI prints it and exits with status 2."""


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest directory at or above ``start`` (default: cwd) with ``_toc.yml``
    and ``notebooks/``; else the directory above this package (an editable install)."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "_toc.yml").is_file() and (candidate / "notebooks").is_dir():
            return candidate
    package_parent = Path(__file__).resolve().parent.parent
    if (package_parent / "_toc.yml").is_file():
        return package_parent
    raise UsageError("cannot find the project root (a directory with _toc.yml and notebooks/); run from inside it")


def all_chapters(root: Path) -> list[Path]:
    """Every chapter source ``notebooks/NN_slug.py``, in chapter order."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.py"))


def resolve_notebooks(root: Path, names: list[str]) -> list[Path]:
    """Turn command-line names into chapter sources.

    A name may be a path (``notebooks/01_x.py`` or the ``.ipynb`` of the pair), a stem (``01_x``) or
    a chapter number (``01``). Unknown names raise :class:`UsageError` listing what exists.
    """
    chapters = all_chapters(root)
    if not names:
        return chapters
    by_stem = {p.stem: p for p in chapters}
    found: list[Path] = []
    for name in names:
        stem = Path(name).name
        for suffix in (".py", ".ipynb"):
            stem = stem.removesuffix(suffix)
        matches = [by_stem[stem]] if stem in by_stem else [p for s, p in by_stem.items() if s.split("_")[0] == stem]
        if len(matches) != 1:
            known = ", ".join(by_stem) or "(none)"
            raise UsageError(f"NOTEBOOK {name!r} is not a chapter; choose from: {known}")
        if matches[0] not in found:
            found.append(matches[0])
    return found


def check_parameters_cell(source: Path) -> None:
    """Raise :class:`UsageError` unless ``source`` has a ``parameters`` cell defining ``scale`` and ``seed``."""
    cell = parameters_cell(read_source(source))
    if cell is None:
        raise UsageError(f"{source.name}: no code cell tagged 'parameters' (papermill needs one with scale and seed)")
    for name in ("scale", "seed"):
        if not any(line.split("=")[0].strip() == name for line in cell.source.splitlines() if "=" in line):
            raise UsageError(f"{source.name}: the parameters cell does not set {name!r}")


def read_source(source: Path) -> Any:
    """The chapter as an ``nbformat`` notebook, read from its jupytext ``.py`` (or an ``.ipynb``)."""
    import jupytext

    return jupytext.read(source)


def parameters_cell(nb: Any) -> Any | None:
    """The first code cell tagged ``parameters``, or ``None``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


def code_cells(nb: Any) -> list[dict[str, Any]]:
    """What a chapter executes: each code cell's source, tags and metadata, in order (markdown left out).

    The cache key is computed from this, so an edit of the prose re-renders a page without re-executing it.
    """
    return [{"source": c.source, "metadata": dict(c.get("metadata", {}))} for c in nb.cells if c.cell_type == "code"]


def chapter_title(source: Path) -> str:
    """The first Markdown heading of a chapter source, without the ``#``."""
    for line in source.read_text().splitlines():
        stripped = line.lstrip("# ").strip() if line.startswith("# #") else ""
        if stripped:
            return stripped
    return source.stem


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
