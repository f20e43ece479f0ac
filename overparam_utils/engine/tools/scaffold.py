"""``python -m overparam_utils new NN_slug``: scaffold a chapter pair from the template, listed in the toc.

The new ``notebooks/NN_slug.py`` has the chapter template's shape (title and claim, parameters cell,
presets, setup, experiment, figure, claim checks, paper vs here, try it) with TODOs to fill; its
``.ipynb`` pair is written next to it and the chapter is added to ``_toc.yml`` in the chosen part,
in chapter-number order. A scaffold deliberately has a single example check, so the repository's
template test fails until the chapter has real claim checks.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

STEM_PATTERN = re.compile(r"^\d\d_[a-z0-9]+(_[a-z0-9]+)*$")
TEMPLATE = Path(__file__).resolve().parent / "templates" / "chapter.py.tmpl"


class ScaffoldError(ValueError):
    """The chapter cannot be created (bad name, already exists, unknown part)."""


def render(stem: str, title: str, repo_url: str) -> str:
    """The template filled in for ``stem``."""
    return TEMPLATE.read_text().format(stem=stem, title=title, repo_url=repo_url)


def toc_parts(toc_text: str) -> list[tuple[int, str]]:
    """``(line index, caption)`` of every part in a ``_toc.yml`` text."""
    return [
        (i, line.split("caption:", 1)[1].strip().strip('"'))
        for i, line in enumerate(toc_text.splitlines())
        if line.lstrip().startswith("- caption:")
    ]


def add_to_toc(toc_path: Path, stem: str, part: int | None = None) -> None:
    """Insert ``notebooks/<stem>`` into part ``part`` (1-based; default: the last numbered part),
    keeping the part's chapters in order. Comments and layout of the file are preserved."""
    text = toc_path.read_text()
    lines = text.splitlines()
    parts = toc_parts(text)
    numbered = [k for k, (i, _) in enumerate(parts) if i + 1 < len(lines) and "numbered: true" in lines[i + 1]]
    if not parts:
        raise ScaffoldError("_toc.yml has no parts")
    index = (numbered[-1] if numbered else len(parts) - 1) if part is None else part - 1
    if not 0 <= index < len(parts):
        raise ScaffoldError(f"--part {part} is not allowed; _toc.yml has parts 1 to {len(parts)}")
    start = parts[index][0]
    end = parts[index + 1][0] if index + 1 < len(parts) else len(lines)
    entry = f"      - file: notebooks/{stem}"
    entries = [i for i in range(start, end) if lines[i].strip().startswith("- file:")]
    position = next((i for i in entries if lines[i].strip() > entry.strip()), None)
    if position is None:
        position = (entries[-1] + 1) if entries else next(i for i in range(start, end) if "chapters:" in lines[i]) + 1
    lines.insert(position, entry)
    new_text = "\n".join(lines) + "\n"
    yaml.safe_load(new_text)  # still valid YAML
    toc_path.write_text(new_text)


def new_chapter(root: Path, stem: str, title: str | None = None, part: int | None = None) -> Path:
    """Create ``notebooks/<stem>.py`` and its ``.ipynb`` from the template and list it in ``_toc.yml``."""
    import jupytext

    if not STEM_PATTERN.match(stem):
        raise ScaffoldError(f"NN_slug {stem!r} is not allowed; use two digits, an underscore and a lower_case slug")
    source = root / "notebooks" / f"{stem}.py"
    if source.exists() or any((root / "notebooks").glob(f"{stem[:2]}_*.py")):
        raise ScaffoldError(f"chapter {stem[:2]} already exists in notebooks/")
    config = yaml.safe_load((root / "_config.yml").read_text())
    repo_url = config.get("repository", {}).get("url", "https://github.com/OWNER/REPO")
    title = title or stem[3:].replace("_", " ").capitalize()
    source.write_text(render(stem, title, repo_url))
    jupytext.write(jupytext.read(source), source.with_suffix(".ipynb"))
    add_to_toc(root / "_toc.yml", stem, part)
    return source
