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
from .glue import glue
from .params import Preset, select_preset, validate_scale, validate_seed
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

    def seeds(self, n: int) -> list[int]:
        """``n`` independent seeds for repetitions, derived from ``self.seed`` (see ``replicate_seeds``)."""
        return replicate_seeds(self.seed, n)

    def check(self, id: str, claim: str, measured: Any, op: str, threshold: Any, **kwargs: Any) -> None:
        """Declare a claim check (see :meth:`overparam_utils.claims.Claims.check`; the evaluated check is
        in ``ch.claims.checks``). Returns nothing, so a notebook cell does not echo it."""
        self.claims.check(id, claim, measured, op, threshold, **kwargs)

    def glue(self, name: str, value: Any) -> None:
        """Glue a number for the prose (see :func:`overparam_utils.glue.glue`). Returns nothing, so a
        notebook cell does not echo it."""
        glue(name, value)

    def report(self) -> None:
        """Show the chapter's claim table; raise if a check failed (the chapter's last cell)."""
        self.claims.report()


def setup(name: str, scale: Any, seed: Any, presets: Mapping[str, Mapping[str, Any]]) -> Chapter:
    """Validate ``scale`` and ``seed``, select the sizes, seed everything, apply the plot style.

    Raises :class:`overparam_utils.params.ParameterError` (before any work) on a bad parameter.
    """
    scale = validate_scale(scale)
    seed = validate_seed(seed)
    cfg = select_preset(presets, scale)
    rng = seed_everything(seed)
    use_style()
    claims = Claims(name, scale, seed)
    glue("scale", scale)
    glue("seed", seed)
    print(f"{name}: scale={scale}, seed={seed}")
    for key, value in cfg.items():
        print(f"  {key} = {value!r}")
    return Chapter(name=name, scale=scale, seed=seed, cfg=cfg, claims=claims, rng=rng)
