"""Numbers in the prose: every number a chapter's text quotes is glued from the run.

In a chapter, ``glue("peak_ratio", ratio)`` stores the value in the executed notebook and the Markdown
says ``{glue:text}`peak_ratio:.1f```; the book then shows the number of *this* run. Outside a
myst-nb setting (e.g. Colab without myst-nb) gluing is a no-op and the value is returned unchanged.

Figures are glued too (:func:`glue_figure`): the caption then lives in a Markdown cell, in a
``{glue:figure}`` directive, where it reads as prose, diffs line by line, may quote glued numbers, and
can be edited without re-executing the chapter (the cache key reads code cells only).
"""

from __future__ import annotations

import numbers
from typing import Any


def to_builtin(value: Any) -> Any:
    """Convert NumPy/torch scalars to plain Python numbers (glue and JSON need builtins)."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def glue(name: str, value: Any) -> Any:
    """Store ``value`` under ``name`` for ``{glue:text}`` in the chapter's prose; return it.

    Numbers are converted to Python ``int``/``float`` so that format specs like ``:.2f`` apply.
    """
    value = to_builtin(value)
    _write_glued(name, value)
    return value


GLUE_PREFIX = "application/papermill.record/"
"""The MIME prefix of a glued output in an executed notebook: myst-nb reads outputs whose keys carry it, named by
their ``scrapbook`` metadata, and shows them where ``{glue:...}`` refers to them (and nowhere else)."""


def _formatted(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    from IPython.core.formatters import format_display_data

    return format_display_data(obj)


def _write_glued(name: str, obj: Any, formatted: tuple[dict[str, Any], dict[str, Any]] | None = None) -> None:
    """Write ``obj`` as a glued output named ``name``: the output ``myst_nb.glue(name, obj, display=False)``
    writes (a reference test compares the two), without importing myst-nb in the kernel: its import pulls
    in ``nbformat`` and ``jsonschema``, about a second of CPU per chapter for a few lines of output format.
    Outside IPython this is a no-op."""
    from IPython import get_ipython

    if get_ipython() is None:
        return
    from IPython.display import display

    bundle, metadata = formatted if formatted is not None else _formatted(obj)
    glued = {**metadata, "scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}}
    display({GLUE_PREFIX + key: value for key, value in bundle.items()}, raw=True, metadata=glued)


def glue_figure(name: str, fig: Any) -> None:
    """Show the matplotlib figure ``fig`` and store it under ``name`` for a ``{glue:figure}`` directive.

    The chapter's Markdown cell that follows reads::

        ```{glue:figure} fig-ch01-curves
        :name: fig-ch01-curves

        The caption, as prose.
        ```

    The figure is rendered once and written twice: as an ordinary output, which Jupyter and Colab show
    under the cell, and as a glued output (see :func:`_write_glued`), which the book shows where the
    directive is. The figure cell is tagged ``remove-output``, so the book shows it once. The caller closes
    the figure (``Chapter.figure`` does), so that the inline backend does not render it a second time.
    """
    from IPython.display import display

    bundle, metadata = _formatted(fig)
    display(bundle, raw=True, metadata=metadata)
    _write_glued(name, fig, (bundle, metadata))
