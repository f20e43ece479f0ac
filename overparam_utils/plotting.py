"""The house style for figures, used by every chapter.

Figures have an opaque white background, so they stay readable in both the light and the dark
theme of the book; colours come from the Okabe-Ito palette, which survives colour-blindness and
greyscale printing. Sequential sweeps (widths, budgets, seeds) use :func:`sweep_colors`.
"""

from __future__ import annotations

from typing import Any

OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
"""Named colours of the Okabe-Ito palette: use them for a few categories (methods, noise levels)."""

CYCLE: list[str] = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]

STYLE: dict[str, Any] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "figure.figsize": (6.4, 3.6),
    "figure.constrained_layout.use": True,
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "lines.markersize": 4.5,
    "text.color": "#222222",
    "axes.labelcolor": "#222222",
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "axes.edgecolor": "#444444",
    "image.cmap": "viridis",
}
"""The rcParams of the house style (applied by :func:`use_style`)."""


def use_style() -> None:
    """Apply :data:`STYLE` and the Okabe-Ito colour cycle to matplotlib (and PNG output inline)."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=CYCLE)


def sweep_colors(n: int, cmap: str = "viridis") -> list[tuple[float, float, float, float]]:
    """``n`` colours along ``cmap`` for an ordered sweep (budgets, widths); stops short of viridis'
    pale end, which is hard to see on white."""
    import matplotlib as mpl

    if n <= 0:
        return []
    cm = mpl.colormaps[cmap]
    if n == 1:
        return [cm(0.35)]
    return [cm(0.75 * i / (n - 1)) for i in range(n)]


def log_ticks(ax: Any, ticks: list[float], axis: str = "x") -> None:
    """Put a log ``axis`` of ``ax`` on the given ``ticks`` with plain labels (``0.5, 1, 2``, not ``2x10^-1``).

    Minor tick labels are removed; use it for ratio axes such as ``N/P`` (chapters 01, 02).
    """
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(FixedLocator(ticks))
    target.set_major_formatter(lambda value, _pos: f"{value:g}")
    target.set_minor_locator(NullLocator())
    target.set_minor_formatter(NullFormatter())
