"""The cache key: ONE function, :func:`inputs_key`, that every caller uses (the runner, the pages, the tools).

A chapter's result depends on its code cells, on the helper modules it imports (directly or through other
helpers, read statically from the imports), on the kernel-side worker, on the pinned dependencies, the Python
version, the scale and the record version, and on the seed. A helper module counts by its code
(:func:`module_code`: its syntax tree without docstrings), so editing a comment, a docstring or the layout
of a helper re-executes nothing. A prose edit changes none of these either, so it re-renders the page
without re-executing the chapter; a change to one science module re-executes only the
chapters that import it; a change to the chapter API or the record contract (which every chapter imports
through :mod:`overparam_utils.chapter`) re-executes every chapter.
"""

from __future__ import annotations

import ast
import hashlib
import json
import platform
from functools import cache
from pathlib import Path

from ..record import RECORD_VERSION
from .project import code_cells, read_source

PACKAGE = "overparam_utils"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEPENDENCY_FILES = ("requirements.txt", "constraints.txt", "pyproject.toml")
WORKER_FILES = ("engine/worker.py", "engine/netguard/sitecustomize.py")
"""Engine files that shape what a kernel does (how papermill runs it, the network guard); counted by their
code (:func:`module_code`), like the helpers."""


def module_code(text: str) -> bytes:
    """What of a helper module's source can change a result: its syntax tree without the docstrings of
    the module, its classes and its functions (comments and layout are not in the tree). A file that
    does not parse counts by its bytes."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text.encode()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                if isinstance(body[0].value.value, str):
                    node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False).encode()


def _module_file(name: str) -> Path | None:
    """The file of package module ``overparam_utils.<name>`` (dotted), or ``None`` if there is none."""
    base = PACKAGE_DIR.joinpath(*name.split(".")) if name else PACKAGE_DIR
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(tree: ast.AST, package: str) -> set[str]:
    """Package-relative names of the ``overparam_utils`` modules a parsed file imports (anywhere in it).

    ``package`` is the importing module's package, relative (``""`` for the top, ``"engine"``...), used to
    resolve relative imports; pass ``None``-like ``"-"`` for a file outside the package (a chapter).
    """
    found: set[str] = set()

    def add(dotted: str) -> None:
        if _module_file(dotted) is not None:
            found.add(dotted)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    add(alias.name[len(PACKAGE) + 1 :])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if package == "-":
                    continue
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(p for p in [*parts, *(node.module.split(".") if node.module else [])] if p)
            elif node.module and (node.module == PACKAGE or node.module.startswith(PACKAGE + ".")):
                base = node.module[len(PACKAGE) + 1 :]
            else:
                continue
            add(base)
            for alias in node.names:  # ``from overparam_utils import chapter``: chapter is a module
                add(f"{base}.{alias.name}" if base else alias.name)
    found.discard("")
    return found


@cache
def _file_imports(path: str, name: str, mtime_ns: int) -> frozenset[str]:
    """The package modules that module ``name`` (its file ``path``, as of ``mtime_ns``) imports."""
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    return frozenset(_imported_modules(ast.parse(Path(path).read_text()), package))


def helper_modules(sources: list[str]) -> list[str]:
    """Every package module that code in ``sources`` imports, directly or through other package modules.

    Sorted dotted names relative to the package (``"chapter"``, ``"record"``, ``"ridge"``); the package's
    ``__init__`` (``""``) is always in, as importing anything from the package runs it.
    """
    todo = set()
    for text in sources:
        try:
            todo |= _imported_modules(ast.parse(text), "-")
        except SyntaxError:  # a cell with IPython magics: read what parses, line by line
            for line in text.splitlines():
                try:
                    todo |= _imported_modules(ast.parse(line.strip()), "-")
                except SyntaxError:
                    continue
    seen: set[str] = {""}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is not None:
            todo |= _file_imports(str(path), name, path.stat().st_mtime_ns) - seen
    for name in list(seen):  # a module's parent packages run too
        parts = name.split(".")
        seen.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return sorted(seen)


def chapter_modules(source: Path) -> list[str]:
    """The package modules a chapter's code cells import (see :func:`helper_modules`)."""
    return helper_modules([c["source"] for c in code_cells(read_source(source))])


def inputs_key(root: Path, source: Path, scale: str) -> str:
    """SHA-256 over everything a chapter's result depends on except the seed (see the module docstring).

    Runs of one chapter on several seeds share it (the Claims page only compares such runs).
    """
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(label.encode() + b"\0" + hashlib.sha256(data).digest())

    nb = read_source(source)
    cells = code_cells(nb)
    add("record_version", str(RECORD_VERSION).encode())
    add("python", platform.python_version().encode())
    add("scale", scale.encode())
    add("code_cells", json.dumps(cells, sort_keys=True, default=str).encode())
    for name in helper_modules([c["source"] for c in cells]):
        path = _module_file(name)
        add(f"{PACKAGE}/{name}", module_code(path.read_text()) if path else b"<missing>")
    for name in WORKER_FILES:
        path = PACKAGE_DIR / name
        add(f"{PACKAGE}/{name}", module_code(path.read_text()) if path.exists() else b"<missing>")
    for name in DEPENDENCY_FILES:
        path = root / name
        add(name, path.read_bytes() if path.exists() else b"<missing>")
    return h.hexdigest()


def run_key(inputs: str, seed: int) -> str:
    """The cache key of one run: a chapter's :func:`inputs_key` and the seed."""
    return hashlib.sha256(f"{inputs}:{seed}".encode()).hexdigest()


def cache_key(root: Path, source: Path, scale: str, seed: int) -> str:
    """:func:`run_key` of :func:`inputs_key`: what :func:`overparam_utils.engine.jobs.plan` computes per job."""
    return run_key(inputs_key(root, source, scale), seed)
