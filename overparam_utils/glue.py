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
    try:
        from myst_nb import glue as _myst_glue
    except ImportError:  # pragma: no cover - myst-nb is pinned in requirements.txt
        return value
    _myst_glue(name, value, display=False)
    return value


def glue_figure(name: str, fig: Any) -> None:
    """Show the matplotlib figure ``fig`` and store it under ``name`` for a ``{glue:figure}`` directive.

    The chapter's Markdown cell that follows reads::

        ```{glue:figure} fig-ch01-curves
        :name: fig-ch01-curves

        The caption, as prose.
        ```

    The figure is rendered once and written twice: as an ordinary output, which Jupyter and Colab show
    under the cell, and as myst-nb's glued output (its ``application/papermill.record/`` prefix and
    ``scrapbook`` metadata, as ``myst_nb.glue(..., display=False)`` writes them), which the book shows
    where the directive is. The figure cell is tagged ``remove-output``, so the book shows it once.
    The caller closes the figure (``Chapter.figure`` does), so that the inline backend does not render it
    a second time.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(fig)
    display(bundle, raw=True, metadata=metadata)
    try:
        from myst_nb.ext.glue import GLUE_PREFIX
    except ImportError:  # pragma: no cover - myst-nb is pinned in requirements.txt
        return
    glued = {**metadata, "scrapbook": dict(name=name, mime_prefix=GLUE_PREFIX)}
    display({GLUE_PREFIX + key: value for key, value in bundle.items()}, raw=True, metadata=glued)
