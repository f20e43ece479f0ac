"""One call that starts a chapter: validate parameters, pick the preset, seed, style, open the claims.

Every chapter's first code cell after its parameters reads::

    ch = chapter.setup("01_linear_generalization_dynamics", scale=scale, seed=seed, presets=PRESETS)
    cfg = ch.cfg

and its last cell calls ``ch.report()``. Nothing else is global: sizes live in ``cfg``, randomness
flows from ``ch.seed`` (``ch.rng`` or ``ch.seeds(k)`` for ``k`` independent repetitions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .claims import Claims
from .glue import glue, glue_figure
from .params import Preset, resolve_device, select_preset, validate_device, validate_scale, validate_seed
from .plotting import use_style
from .seeding import replicate_seeds, seed_everything


@dataclass
class Chapter:
    """The state of one chapter run: its name, parameters, sizes, random generator and claims."""

    name: str
    scale: str
    seed: int
    cfg: Preset
    claims: Claims
    rng: np.random.Generator = field(repr=False)
    requested_device: str = "auto"
    _device: str | None = field(default=None, repr=False)

    @property
    def device(self) -> str:
        """``"cpu"`` or ``"cuda"``: where the chapter's torch work goes (``device`` parameter; ``auto`` is CUDA
        when a GPU is visible). Resolved on first use, so a chapter without torch never imports it; the
        record says which device ran (``"cpu"`` for a chapter that never asks)."""
        if self._device is None:
            self._device = resolve_device(self.requested_device)
            self.claims.device = self._device
            self.claims._write()
        return self._device

    def seeds(self, n: int) -> list[int]:
        """``n`` independent seeds for repetitions, derived from ``self.seed`` (see ``replicate_seeds``)."""
        return replicate_seeds(self.seed, n)

    def check(self, id: str, claim: str, measured: Any, op: str, threshold: Any, **options: Any) -> None:
        """Declare a check (claim contract v2; see :meth:`overparam_utils.claims.Claims.check`).

        ``kind="claim"`` with ``control=`` (the same statistic where the paper's mechanism is absent) and
        ``control_is=`` (what the control removes, in words): holds only if ``measured`` meets the
        threshold and ``control`` does not. ``kind="setup"``: confirms the regime, no control. Also
        ``known_miss="why"`` and ``note=``. The evaluated check is in ``ch.claims.checks``; nothing is
        returned, so a cell does not echo it.
        """
        self.claims.check(id, claim, measured, op, threshold, **options)

    def glue(self, name: str | None = None, value: Any = None, /, **values: Any) -> None:
        """Glue numbers for the prose (see :func:`overparam_utils.glue.glue`): ``ch.glue("n", 3)`` or
        several at once, ``ch.glue(n_train=400, peak=peak)``. Returns nothing, so a cell does not echo it."""
        if name is not None:
            if name in values:
                raise ValueError(f"glue: {name!r} given twice")
            values = {name: value, **values}
        elif value is not None:
            raise TypeError("glue: a value needs a name")
        for key, val in values.items():
            glue(key, val)

    def figure(self, name: str, fig: Any = None) -> None:
        """Show the current figure (or ``fig``) and glue it under ``name``, the end of every figure cell.

        The caption is not here: it is the body of the ``{glue:figure}`` directive of the Markdown cell
        that follows (see :func:`overparam_utils.glue.glue_figure`), whose ``:name:`` is ``name`` too, so
        that ``{numref}`` finds it. The cell carries the ``remove-output`` tag, so the book shows the figure
        only where the directive puts it.
        """
        import matplotlib.pyplot as plt
        from IPython import get_ipython

        fig = plt.gcf() if fig is None else fig
        if get_ipython() is None:  # a plain script: matplotlib shows it as usual
            plt.show()
            return
        glue_figure(name, fig)
        plt.close(fig)

    def report(self) -> None:
        """Show the chapter's claim table; raise if a check failed (the chapter's last cell)."""
        self.claims.report()


def setup(name: str, scale: Any, seed: Any, presets: Mapping[str, Mapping[str, Any]], device: Any = "auto") -> Chapter:
    """Validate ``scale``, ``seed`` and ``device``, select the sizes, seed everything, apply the plot style.

    Raises :class:`overparam_utils.params.ParameterError` (before any work) on a bad parameter, including
    ``device="cuda"`` where no GPU is visible.
    """
    scale = validate_scale(scale)
    seed = validate_seed(seed)
    device = validate_device(device)
    if device == "cuda":
        resolve_device(device)  # fail here, before any work
    cfg = select_preset(presets, scale)
    rng = seed_everything(seed)
    use_style()
    claims = Claims(name, scale, seed)
    glue("scale", scale)
    glue("seed", seed)
    print(f"{name}: scale={scale}, seed={seed}")
    for key, value in cfg.items():
        print(f"  {key} = {value!r}")
    return Chapter(name=name, scale=scale, seed=seed, cfg=cfg, claims=claims, rng=rng, requested_device=device)
