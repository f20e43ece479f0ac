"""Claim checks of one chapter run: declare, print, record, report (claim contract v2).

A chapter declares each check with :meth:`Claims.check` (through ``ch.check``): an id, the claim in words,
the measured value, a comparison (``>``, ``>=``, ``<``, ``<=`` or ``between``), a threshold (which may
differ per scale) and its kind. A **claim** check carries a ``control``: the same statistic where the
paper's mechanism is absent, with ``control_is`` saying what the control removes; it holds only if the
measured value meets the threshold and the control does not. A **setup** check confirms the regime and
takes no control. The evaluation rules and the record format live in :mod:`overparam_utils.record`.

Each check is evaluated at once, printed as one line, and recorded. The chapter's last cell calls
:meth:`Claims.report`, which shows the table of checks (claims with their controls, setup checks
apart) and raises :class:`ClaimCheckError` naming chapter, check, measured value, control and threshold
if any check failed. When the engine executes a chapter it sets ``OVERPARAM_CLAIMS_FILE``; the record is
then written there after every check (a chapter that crashes half-way still leaves what it reached).
Run by hand in Jupyter, nothing is written.

A claim that does not reproduce here is declared with ``known_miss="why"``: if it fails, its status is
``not_reproduced`` (recorded, shown, not fatal); if it passes after all, it stays declared and the
Claims page shows it as fragile. It must never be used to make a failing check disappear silently.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .params import SCALES, validate_scale, validate_seed
from .record import (  # noqa: F401  (re-exported: the chapter-side names of the contract)
    CLAIMS_FILE_ENV,
    KINDS,
    OPS,
    STATUS_WORDS,
    STATUSES,
    Check,
    evaluate,
    evaluate_check,
    failure_line,
    format_number,
    required_text,
    write_record,
)


class ClaimCheckError(AssertionError):
    """One or more claim checks of a chapter failed; the message lists each with its numbers."""


class Claims:
    """The claim checks of one chapter run (used by every chapter through ``overparam_utils.chapter``).

    Parameters
    ----------
    chapter: the notebook stem, e.g. ``"01_linear_generalization_dynamics"``.
    scale, seed: the run's parameters (validated).
    path: where to write the JSON record; defaults to ``$OVERPARAM_CLAIMS_FILE`` and to nowhere
        when that is unset (a notebook run by hand).
    """

    def __init__(self, chapter: str, scale: str, seed: int, path: str | os.PathLike | None = None):
        self.chapter = chapter
        self.scale = validate_scale(scale)
        self.seed = validate_seed(seed)
        env_path = os.environ.get(CLAIMS_FILE_ENV)
        self.path = Path(path) if path is not None else (Path(env_path) if env_path else None)
        self._checks: dict[str, Check] = {}
        self._reported = False
        self.device = "cpu"  # the device the chapter's work ran on; Chapter.device sets it when resolved
        self._write()

    @property
    def checks(self) -> list[Check]:
        return list(self._checks.values())

    def _threshold_for_scale(self, threshold: Any) -> Any:
        if isinstance(threshold, Mapping):
            unknown = [k for k in threshold if k not in SCALES]
            if unknown:
                raise ValueError(f"threshold has unknown scales {unknown}; allowed: {SCALES}")
            if self.scale not in threshold:
                raise ValueError(f"threshold gives no value for scale {self.scale!r}: {dict(threshold)}")
            return threshold[self.scale]
        return threshold

    def check(self, id: str, claim: str, measured: Any, op: str, threshold: Any, **options: Any) -> Check:
        """Evaluate, print and record one check; return it.

        ``threshold`` is a number, a ``(low, high)`` pair for ``op="between"``, or a dict giving either
        per scale (``{"smoke": 2, "book": 10, "paper": 10}``). ``options`` are those of
        :func:`overparam_utils.record.evaluate_check`: ``kind`` (``"claim"``, which tests the paper and
        takes ``control`` and ``control_is``, or ``"setup"``, which confirms the regime and takes no
        control), ``known_miss`` (why a claim is known not to reproduce here) and ``note``. A claim check
        whose control meets the threshold too fails. Re-running a cell replaces the check with the same
        ``id``.
        """
        result = evaluate_check(id, claim, measured, op, self._threshold_for_scale(threshold), **options)
        self._checks[id] = result
        self._write()
        print(result)
        return result

    @property
    def failed(self) -> list[Check]:
        return [c for c in self._checks.values() if c.status == "fail"]

    def summary(self) -> str:
        """One line, e.g. ``3 of 4 claim checks hold against their controls, 1 not reproduced; 2 setup checks``."""
        claims = [c for c in self._checks.values() if c.kind == "claim"]
        setup = [c for c in self._checks.values() if c.kind == "setup"]
        held = sum(c.status == "pass" and c.controlled and not c.known_miss for c in claims)
        nr = sum(bool(c.known_miss) or c.status == "not_reproduced" for c in claims)
        nc = sum(not c.controlled for c in claims)
        failed = len(self.failed)
        return (
            f"{held} of {len(claims)} claim checks hold against their controls, {nr} not reproduced"
            + (f", {nc} without a control" if nc else "")
            + (f", **{failed} fail**" if failed else "")
            + f"; {sum(c.status == 'pass' for c in setup)} of {len(setup)} setup checks pass"
        )

    def to_markdown(self) -> str:
        """The checks as Markdown tables, claims (with their controls) first, setup checks apart."""
        out = []
        claims = [c for c in self._checks.values() if c.kind == "claim"]
        setup = [c for c in self._checks.values() if c.kind == "setup"]
        if claims:
            out += [
                "| status | claim (check id) | measured | control (what it removes) | required | margin |",
                "|---|---|---|---|---|---|",
            ]
            for c in claims:
                control = f"{format_number(c.control)} ({c.control_is})" if c.controlled else "no control"
                out.append(
                    f"| {_status_cell(c)} | {c.claim} (`{c.id}`){_why(c)} | {format_number(c.measured)} | {control} "
                    f"| {required_text(c)} | {format_number(c.margin)} |"
                )
        if setup:
            out += ["", "Setup checks (the regime the paper assumes; not evidence for it):", ""] if claims else []
            out += ["| status | setup (check id) | measured | required | margin |", "|---|---|---|---|---|"]
            for c in setup:
                out.append(
                    f"| {_status_cell(c)} | {c.claim} (`{c.id}`){_why(c)} | {format_number(c.measured)} "
                    f"| {required_text(c)} | {format_number(c.margin)} |"
                )
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        return f"**{self.chapter}** ({self.scale}, seed {self.seed}): {self.summary()}\n\n" + self.to_markdown()

    def report(self) -> None:
        """Show the tables of checks and raise :class:`ClaimCheckError` if any failed.

        Marks the record finished: the engine treats a chapter that never reached its report as failed.
        """
        if not self._checks:
            raise ClaimCheckError(f"{self.chapter}: no claim checks were declared")
        self._reported = True
        self._write()
        try:
            from IPython.display import Markdown, display

            display(Markdown(self._repr_markdown_()))
        except ImportError:  # pragma: no cover - IPython is always there in a kernel
            print(self._repr_markdown_())
        if self.failed:
            lines = [f"{self.chapter} (scale={self.scale}, seed={self.seed}): {len(self.failed)} check(s) failed"]
            lines += [f"  {failure_line(c.to_json())}; claim: {c.claim}" for c in self.failed]
            raise ClaimCheckError("\n".join(lines))

    def record(self) -> dict[str, Any]:
        """The JSON-ready record of this run's checks (the engine adds runtime, versions, errors)."""
        return {
            "chapter": self.chapter,
            "scale": self.scale,
            "seed": self.seed,
            "reported": self._reported,
            "device": self.device,
            "checks": [c.to_json() for c in self._checks.values()],
        }

    def _write(self) -> None:
        if self.path is not None:
            write_record(self.path, self.record())


def _status_cell(c: Check) -> str:
    if c.status == "pass" and c.known_miss:
        return "pass (declared miss)"
    return {"pass": "pass", "fail": "**FAIL**", "not_reproduced": "not reproduced"}[c.status]


def _why(c: Check) -> str:
    if c.status == "not_reproduced":
        return f" Not reproduced: {c.reason}."
    if c.status == "fail" and c.reason:
        return f" Fails: {c.reason}."
    return f" ({c.note})" if c.note else ""
