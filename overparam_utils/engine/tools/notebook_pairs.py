"""Notebook pairs: each chapter's reviewed ``.py`` source and its committed ``.ipynb`` must agree.

The ``.ipynb`` (for Jupyter, Colab and Binder) is generated from the ``.py`` by ``make sync`` and
committed without outputs. :func:`pair_problems` lists every way a pair disagrees; the test suite,
``python -m overparam_utils check-pairs`` and the pre-commit hook all use it.
"""

from __future__ import annotations

from pathlib import Path


def pair_problems(source: Path) -> list[str]:
    """Problems with the pair of ``notebooks/NN_slug.py`` (an empty list when in sync and clean)."""
    import jupytext
    import nbformat

    paired = source.with_suffix(".ipynb")
    if not paired.exists():
        return [f"{paired.name} is missing (run `make sync`)"]
    from_py = jupytext.read(source)
    ipynb = nbformat.read(paired, as_version=4)
    problems = []
    if [c.cell_type for c in ipynb.cells] != [c.cell_type for c in from_py.cells]:
        problems.append(f"{paired.name}: its cells differ from {source.name} (run `make sync`)")
    else:
        for k, (a, b) in enumerate(zip(from_py.cells, ipynb.cells, strict=True)):
            if a.source != b.source or a.metadata.get("tags", []) != b.metadata.get("tags", []):
                problems.append(f"{paired.name}: cell {k} differs from {source.name} (run `make sync`)")
                break
    for cell in ipynb.cells:
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            problems.append(f"{paired.name}: committed with outputs (run `make sync`)")
            break
    return problems


def all_pair_problems(root: Path) -> list[str]:
    """:func:`pair_problems` over every chapter of the project at ``root``."""
    return [p for source in sorted((root / "notebooks").glob("[0-9][0-9]_*.py")) for p in pair_problems(source)]
