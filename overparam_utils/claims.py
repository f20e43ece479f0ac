"""Claim checks: the contract between a chapter, the runner and the Claims page (DESIGN.md, section 4).

A chapter declares each claim it tests with :meth:`Claims.check`: an id, the claim in words, the
measured value, a comparison (``>``, ``>=``, ``<``, ``<=`` or ``between``) and a threshold, which may
differ per scale. The check is evaluated at once, printed as one line, and recorded. The chapter's
last cell calls :meth:`Claims.report`, which shows the table of checks and raises
:class:`ClaimCheckError` naming chapter, check, measured value and threshold if any check failed.

When the runner executes a chapter it sets ``OVERPARAM_CLAIMS_FILE``; every check is then also
written there as JSON (after each check, so a chapter that crashes half-way still leaves the checks
it reached). Run by hand in Jupyter, nothing is written; the table is shown as usual.

A claim that does not reproduce at CPU scale is declared with ``known_miss="why"``: if it fails, its
status is ``not_reproduced`` (recorded, shown, not fatal); if it passes after all, it is a ``pass``
with a note saying so. It must never be used to make a failing check disappear silently.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .params import SCALES, validate_scale, validate_seed

OPS: tuple[str, ...] = (">", ">=", "<", "<=", "between")
STATUSES: tuple[str, ...] = ("pass", "fail", "not_reproduced")
CLAIMS_FILE_ENV = "OVERPARAM_CLAIMS_FILE"

Threshold = float | tuple[float, float]


class ClaimCheckError(AssertionError):
    """One or more claim checks of a chapter failed; the message lists each with its numbers."""


def _as_float(value: Any, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a real number, got {value!r}") from None


def _normalise_threshold(op: str, threshold: Any) -> Threshold:
    if op not in OPS:
        raise ValueError(f"op={op!r} is not allowed; choose one of {', '.join(OPS)}")
    if op == "between":
        try:
            lo, hi = threshold
        except (TypeError, ValueError):
            raise TypeError(f"op='between' needs a (low, high) pair, got {threshold!r}") from None
        lo, hi = _as_float(lo, "threshold low"), _as_float(hi, "threshold high")
        if not lo <= hi:
            raise ValueError(f"threshold low {lo} is above high {hi}")
        return (lo, hi)
    return _as_float(threshold, "threshold")


def evaluate(measured: float, op: str, threshold: Threshold) -> tuple[bool, float]:
    """Compare ``measured`` with ``threshold`` and return ``(holds, margin)``.

    The margin is signed and in the units of the measured value: how far inside (positive) or
    outside (negative) the allowed region ``measured`` lies. For ``between`` it is the distance to the
    nearer end. A NaN measurement never holds and has a NaN margin.
    """
    threshold = _normalise_threshold(op, threshold)
    m = float(measured)
    if math.isnan(m):
        return False, math.nan
    if op == "between":
        lo, hi = threshold  # type: ignore[misc]
        margin = min(m - lo, hi - m)
        return lo <= m <= hi, margin
    t = float(threshold)  # type: ignore[arg-type]
    margin = m - t if op in (">", ">=") else t - m
    holds = {">": m > t, ">=": m >= t, "<": m < t, "<=": m <= t}[op]
    return holds, margin


def format_number(x: Any, digits: int = 3) -> str:
    """Short human form of a number: ``digits`` significant digits, integers as integers."""
    if isinstance(x, tuple | list):
        return "[" + ", ".join(format_number(v, digits) for v in x) + "]"
    if x is None:
        return "-"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.{digits}g}"


@dataclass(frozen=True)
class Check:
    """One evaluated claim check, as recorded in ``_build/claims/<chapter>.json``."""

    id: str
    claim: str
    measured: float
    op: str
    threshold: Threshold
    margin: float
    margin_rel: float | None
    status: str
    reason: str = ""
    note: str = ""

    @property
    def symbol(self) -> str:
        return {"pass": "PASS", "fail": "FAIL", "not_reproduced": "NOT REPRODUCED"}[self.status]

    def describe(self) -> str:
        """``measured op threshold`` in words, e.g. ``12.3 > 10``."""
        if self.op == "between":
            lo, hi = self.threshold  # type: ignore[misc]
            cond = f"{format_number(self.measured)} in [{format_number(lo)}, {format_number(hi)}]"
        else:
            cond = f"{format_number(self.measured)} {self.op} {format_number(self.threshold)}"
        return f"{cond} (margin {format_number(self.margin)})"

    def __str__(self) -> str:
        extra = f" - {self.reason}" if self.reason else (f" - {self.note}" if self.note else "")
        return f"[{self.symbol}] {self.id}: {self.describe()}{extra}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["threshold"] = list(self.threshold) if isinstance(self.threshold, tuple) else self.threshold
        for key in ("measured", "margin", "margin_rel"):
            if isinstance(data[key], float) and not math.isfinite(data[key]):
                data[key] = None  # JSON has no NaN or infinity; the record keeps the status
        return data


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

    def check(
        self,
        id: str,
        claim: str,
        measured: Any,
        op: str,
        threshold: Any,
        *,
        known_miss: str | None = None,
        note: str = "",
    ) -> Check:
        """Evaluate, print and record one claim check; return it.

        ``threshold`` is a number, a ``(low, high)`` pair for ``op="between"``, or a dict giving either
        per scale (``{"smoke": 2, "book": 10, "paper": 10}``). Re-running a cell replaces the check
        with the same ``id``. ``known_miss`` is the reason a claim is known not to reproduce here.
        """
        if not id or not isinstance(id, str):
            raise ValueError("a check needs a non-empty string id")
        thr = _normalise_threshold(op, self._threshold_for_scale(threshold))
        value = _as_float(measured, f"measured value of check {id!r}")
        holds, margin = evaluate(value, op, thr)
        margin_rel = None
        if isinstance(thr, float) and thr != 0 and not math.isnan(margin):
            margin_rel = margin / abs(thr)
        if holds:
            status = "pass"
            if known_miss:
                note = (note + "; " if note else "") + f"declared not reproduced ({known_miss}) but passed"
        else:
            status = "not_reproduced" if known_miss else "fail"
        result = Check(
            id=id,
            claim=claim,
            measured=value,
            op=op,
            threshold=thr,
            margin=margin,
            margin_rel=margin_rel,
            status=status,
            reason=(known_miss or "") if status == "not_reproduced" else "",
            note=note,
        )
        self._checks[id] = result
        self._write()
        print(result)
        return result

    @property
    def failed(self) -> list[Check]:
        return [c for c in self._checks.values() if c.status == "fail"]

    def summary(self) -> str:
        """One line, e.g. ``3 of 4 checks pass, 1 not reproduced, 0 fail``."""
        counts = {s: sum(c.status == s for c in self._checks.values()) for s in STATUSES}
        return (
            f"{counts['pass']} of {len(self._checks)} checks pass, "
            f"{counts['not_reproduced']} not reproduced, {counts['fail']} fail"
        )

    def to_markdown(self) -> str:
        """The checks as a Markdown table (what :meth:`report` displays)."""
        lines = ["| status | claim (check id) | measured | required | margin |", "|---|---|---|---|---|"]
        for c in self._checks.values():
            if c.op == "between":
                lo, hi = c.threshold  # type: ignore[misc]
                required = f"in [{format_number(lo)}, {format_number(hi)}]"
            else:
                required = f"{c.op} {format_number(c.threshold)}"
            status = {"pass": "pass", "fail": "**FAIL**", "not_reproduced": "not reproduced"}[c.status]
            why = f" Not reproduced: {c.reason}." if c.reason else (f" ({c.note})" if c.note else "")
            lines.append(
                f"| {status} | {c.claim} (`{c.id}`){why} | {format_number(c.measured)} | {required} | "
                f"{format_number(c.margin)} |"
            )
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return f"**{self.chapter}** ({self.scale}, seed {self.seed}): {self.summary()}\n\n" + self.to_markdown()

    def report(self) -> None:
        """Show the table of checks and raise :class:`ClaimCheckError` if any failed.

        Marks the record finished: the runner treats a chapter that never reached its report as failed.
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
            lines = [f"{self.chapter} (scale={self.scale}, seed={self.seed}): {len(self.failed)} claim check(s) failed"]
            lines += [f"  {c.id}: measured {c.describe()}, claim: {c.claim}" for c in self.failed]
            raise ClaimCheckError("\n".join(lines))

    def record(self) -> dict[str, Any]:
        """The JSON-ready record of this run's checks (the runner adds runtime, versions, errors)."""
        return {
            "chapter": self.chapter,
            "scale": self.scale,
            "seed": self.seed,
            "reported": self._reported,
            "checks": [c.to_json() for c in self._checks.values()],
        }

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.record(), indent=2, allow_nan=False))
        tmp.replace(self.path)
