"""Progress bars for loops a reader waits on, silent in the executed book."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, TypeVar

from .record import QUIET_ENV

T = TypeVar("T")


def quiet() -> bool:
    """True when progress output should be suppressed (the runner executing a chapter)."""
    return os.environ.get(QUIET_ENV, "") not in ("", "0")


def progress(iterable: Iterable[T], desc: str | None = None, total: int | None = None, **kwargs: Any) -> Iterable[T]:
    """Wrap ``iterable`` in a tqdm bar (text bar; works in Jupyter, Colab and terminals).

    Returns the iterable itself when :func:`quiet` is true, so the rendered book shows no bar.
    """
    if quiet():
        return iterable
    try:  # a widget bar where ipywidgets is installed, else a text bar (no "IProgress not found" warning)
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm

    return tqdm(iterable, desc=desc, total=total, leave=False, **kwargs)
