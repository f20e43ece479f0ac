"""The contract between a chapter's kernel and the engine: claim checks and run records (contract v2).

This module is the one home of what both sides must agree on (see the book page "How this book is
built"):

* the environment variables the engine sets for a kernel (:data:`CLAIMS_FILE_ENV`, ...);
* the check: its kinds, comparisons, evaluation (:func:`evaluate_check`) and its JSON form (:class:`Check`);
* the record of one chapter run: reading and writing it (:func:`read_record`, :func:`write_record`), the
  error of a chapter that raised (:func:`error_info`), what failed in it (:func:`record_failures`);
* counting: statuses over records (:func:`count_checks`), the fragile known misses over seeds
  (:func:`fragile_ids`) and one summary line (:func:`summary_line`);
* number and threshold formatting (:func:`format_number`, :func:`required_text`).

Claim contract v2 (book page "How this book is built"): a check is evidence only if it could have failed.

* ``kind="claim"`` tests something the paper claims. It carries a **control**: the same statistic,
  measured in the same run where the paper's mechanism is absent (``control_is`` says in words what the
  control removes). It holds only when the measured value meets the threshold **and the control does
  not**; a control that meets the threshold too fails the check ("the check cannot tell the claim from
  its control"). A claim check without a control is allowed while chapters are reworked, and marked
  ``controlled: false`` (shown as "no control").
* ``kind="setup"`` confirms the regime (the net fits its training set, the sampler mixes). It has no
  control and is never counted as evidence for the paper.
* ``known_miss="why"`` declares a claim that does not reproduce here: if it misses, its status is
  ``not_reproduced`` (recorded, shown, not fatal); if it meets its threshold after all it is a ``pass``
  with the declaration kept, and such a check is **fragile** when runs on several seeds disagree (or
  when it passes at all: a declared miss is never counted as a claim that holds).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# ----------------------------------------------------------------------------- environment

CLAIMS_FILE_ENV = "OVERPARAM_CLAIMS_FILE"
"""Where a kernel writes its checks as it goes (set by the engine; unset when a reader runs a chapter)."""
QUIET_ENV = "OVERPARAM_QUIET"
"""Set (to anything but ``""`` or ``"0"``) by the engine so that executed copies carry no progress bars."""
CHAPTER_ENV = "OVERPARAM_CHAPTER"
"""The stem of the chapter a kernel executes."""
NO_NETWORK_ENV = "OVERPARAM_NO_NETWORK"
"""Set by the engine with ``--no-network``: any socket connection from the kernel raises."""
DEVICE_ENV = "OVERPARAM_DEVICE"
"""The device the engine asked for (``cpu``, ``cuda``), injected as the chapter's ``device`` parameter."""

RECORD_VERSION = 2
"""Bumped when the record format or the execution semantics change (invalidates every cache entry).
Version 2: checks carry ``kind``, ``control``, ``control_is``, ``control_margin``, ``controlled`` and
``known_miss``."""

# ----------------------------------------------------------------------------- checks

OPS: tuple[str, ...] = (">", ">=", "<", "<=", "between")
STATUSES: tuple[str, ...] = ("pass", "fail", "not_reproduced")
KINDS: tuple[str, ...] = ("claim", "setup")
STATUS_WORDS = {"pass": "pass", "fail": "FAIL", "not_reproduced": "not reproduced"}
INDISTINGUISHABLE = "the check cannot tell the claim from its control: the control meets the threshold too"

Threshold = float | tuple[float, float]


def as_float(value: Any, what: str) -> float:
    """``float(value)``, or a :class:`TypeError` naming ``what``."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a real number, got {value!r}") from None


def normalise_threshold(op: str, threshold: Any) -> Threshold:
    """Validate ``op`` and return the threshold as a float or a ``(low, high)`` pair of floats."""
    if op not in OPS:
        raise ValueError(f"op={op!r} is not allowed; choose one of {', '.join(OPS)}")
    if op == "between":
        try:
            lo, hi = threshold
        except (TypeError, ValueError):
            raise TypeError(f"op='between' needs a (low, high) pair, got {threshold!r}") from None
        lo, hi = as_float(lo, "threshold low"), as_float(hi, "threshold high")
        if not lo <= hi:
            raise ValueError(f"threshold low {lo} is above high {hi}")
        return (lo, hi)
    return as_float(threshold, "threshold")


def evaluate(measured: float, op: str, threshold: Threshold) -> tuple[bool, float]:
    """Compare ``measured`` with ``threshold`` and return ``(holds, margin)``.

    The margin is signed and in the units of the measured value: how far inside (positive) or
    outside (negative) the allowed region ``measured`` lies. For ``between`` it is the distance to the
    nearer end. A NaN measurement never holds and has a NaN margin.
    """
    threshold = normalise_threshold(op, threshold)
    m = float(measured)
    if math.isnan(m):
        return False, math.nan
    if op == "between":
        lo, hi = threshold  # type: ignore[misc]
        return lo <= m <= hi, min(m - lo, hi - m)
    t = float(threshold)  # type: ignore[arg-type]
    margin = m - t if op in (">", ">=") else t - m
    holds = {">": m > t, ">=": m >= t, "<": m < t, "<=": m <= t}[op]
    return holds, margin


def relative_margin(value: float | None, op: str, threshold: Any) -> float:
    """The margin of ``value`` in units of the threshold: ``margin / |threshold|`` (half the width of the
    interval for ``between``; the plain margin for a threshold of 0). NaN when ``value`` is missing."""
    if value is None:
        return math.nan
    thr = normalise_threshold(op, tuple(threshold) if op == "between" else threshold)
    _, margin = evaluate(value, op, thr)
    if op == "between":
        lo, hi = thr  # type: ignore[misc]
        scale = (hi - lo) / 2
    else:
        scale = abs(float(thr))  # type: ignore[arg-type]
    return margin / scale if scale > 0 else margin


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


def required_text(check: Mapping[str, Any] | Check) -> str:
    """The comparison a check requires, e.g. ``> 10`` or ``in [0.8, 1.25]``."""
    op, thr = (check["op"], check["threshold"]) if isinstance(check, Mapping) else (check.op, check.threshold)
    if op == "between":
        lo, hi = thr
        return f"in [{format_number(lo)}, {format_number(hi)}]"
    return f"{op} {format_number(thr)}"


@dataclass(frozen=True)
class Check:
    """One evaluated check, as recorded in ``_build/claims/<chapter>.json``."""

    id: str
    kind: str
    claim: str
    measured: float
    op: str
    threshold: Threshold
    margin: float
    margin_rel: float | None
    status: str
    control: float | None = None
    control_is: str = ""
    control_margin: float | None = None
    controlled: bool = False
    known_miss: str = ""
    reason: str = ""
    note: str = ""

    @property
    def symbol(self) -> str:
        return {"pass": "PASS", "fail": "FAIL", "not_reproduced": "NOT REPRODUCED"}[self.status]

    def describe(self) -> str:
        """``measured op threshold`` in words, with the control, e.g. ``12.3 > 10 (margin 2.3; control 4.1)``."""
        if self.op == "between":
            lo, hi = self.threshold  # type: ignore[misc]
            cond = f"{format_number(self.measured)} in [{format_number(lo)}, {format_number(hi)}]"
        else:
            cond = f"{format_number(self.measured)} {self.op} {format_number(self.threshold)}"
        control = f"; control {format_number(self.control)} ({self.control_is})" if self.control_is else ""
        return f"{cond} (margin {format_number(self.margin)}{control})"

    def __str__(self) -> str:
        extra = f" - {self.reason}" if self.reason else (f" - {self.note}" if self.note else "")
        tag = "" if self.kind == "claim" else " (setup)"
        nc = " [no control]" if self.kind == "claim" and not self.controlled else ""
        return f"[{self.symbol}] {self.id}{tag}{nc}: {self.describe()}{extra}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["threshold"] = list(self.threshold) if isinstance(self.threshold, tuple) else self.threshold
        for key in ("measured", "margin", "margin_rel", "control", "control_margin"):
            if isinstance(data[key], float) and not math.isfinite(data[key]):
                data[key] = None  # JSON has no NaN or infinity; the record keeps the status
        return data


def evaluate_check(
    id: str,
    claim: str,
    measured: Any,
    op: str,
    threshold: Any,
    *,
    kind: str = "claim",
    control: Any = None,
    control_is: str = "",
    known_miss: str | None = None,
    note: str = "",
) -> Check:
    """Evaluate one check under contract v2 and return it (``threshold`` already chosen for the scale).

    A claim check with a control passes only when ``measured`` meets the threshold and ``control`` does
    not. A setup check takes no control. ``control_is`` must say what the control removes.
    """
    if not id or not isinstance(id, str):
        raise ValueError("a check needs a non-empty string id")
    if kind not in KINDS:
        raise ValueError(f"check {id!r}: kind={kind!r} is not allowed; choose one of {', '.join(KINDS)}")
    if kind == "setup" and control is not None:
        raise ValueError(f"check {id!r}: a setup check takes no control (it is not evidence for the paper)")
    if (control is None) != (not control_is):
        raise ValueError(f"check {id!r}: give a control together with control_is, the words for what it removes")
    thr = normalise_threshold(op, threshold)
    value = as_float(measured, f"measured value of check {id!r}")
    holds, margin = evaluate(value, op, thr)
    margin_rel = margin / abs(thr) if isinstance(thr, float) and thr != 0 and not math.isnan(margin) else None
    control_value = control_margin = None
    control_holds = False
    if control is not None:
        control_value = as_float(control, f"control of check {id!r}")
        control_holds, control_margin = evaluate(control_value, op, thr)
    reason = ""
    if holds and not control_holds:
        status = "pass"
        if known_miss:
            note = (note + "; " if note else "") + f"declared not reproduced ({known_miss}) but passed"
    else:
        why = INDISTINGUISHABLE if holds else ""
        if known_miss:
            status, reason = "not_reproduced", known_miss + (f" ({why})" if why else "")
        else:
            status, reason = "fail", why
    return Check(
        id=id,
        kind=kind,
        claim=claim,
        measured=value,
        op=op,
        threshold=thr,
        margin=margin,
        margin_rel=margin_rel,
        status=status,
        control=control_value,
        control_is=control_is,
        control_margin=control_margin,
        controlled=control is not None,
        known_miss=known_miss or "",
        reason=reason,
        note=note,
    )


def upgrade_check(check: Mapping[str, Any]) -> dict[str, Any]:
    """A recorded check with every v2 field (a version-1 record's check is a claim without a control)."""
    out = dict(check)
    out.setdefault("kind", "claim")
    out.setdefault("control", None)
    out.setdefault("control_is", "")
    out.setdefault("control_margin", None)
    out.setdefault("controlled", out.get("control") is not None)
    out.setdefault("known_miss", out.get("reason", "") if out.get("status") == "not_reproduced" else "")
    out.setdefault("reason", "")
    out.setdefault("note", "")
    return out


# ----------------------------------------------------------------------------- records


def read_record(path: Path) -> dict[str, Any] | None:
    """The JSON record at ``path`` (checks upgraded to v2 fields), or ``None`` if missing or unreadable."""
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    if isinstance(record, dict) and isinstance(record.get("checks"), list):
        record["checks"] = [upgrade_check(c) for c in record["checks"]]
    return record


def write_record(path: Path, record: Mapping[str, Any]) -> None:
    """Write ``record`` as JSON atomically (a reader never sees half a file); NaN and infinity refused."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=2, allow_nan=False))
    tmp.replace(path)


def error_info(ename: str, evalue: str, cell_index: int | None = None, cell_first_line: str = "") -> dict[str, Any]:
    """The ``error`` entry of a record: what a chapter raised (or why it did not finish), and where."""
    return {"ename": ename, "evalue": evalue, "cell_index": cell_index, "cell_first_line": cell_first_line}


def failure_line(check: Mapping[str, Any]) -> str:
    """One line for a failed check: id, measured, control, required."""
    control = ""
    if check.get("control") is not None or check.get("control_is"):
        control = f", control {format_number(check.get('control'))} ({check.get('control_is', '')})"
    why = f": {check['reason']}" if check.get("reason") else ""
    return (
        f"check {check['id']}: measured {format_number(check['measured'])}{control}, "
        f"required {required_text(check)}{why}"
    )


def record_failures(record: Mapping[str, Any]) -> list[str]:
    """Human-readable lines, one per failure in a record (failed checks, exception, timeout)."""
    lines = [failure_line(c) for c in record.get("checks", []) if c["status"] == "fail"]
    err = record.get("error")
    if err:
        where = f" in cell {err['cell_index']}" if err.get("cell_index") is not None else ""
        first = f" ({err['cell_first_line']})" if err.get("cell_first_line") else ""
        lines.append(f"{err['ename']}{where}{first}: {err['evalue']}".strip())
    return lines


# ----------------------------------------------------------------------------- counting


def fragile_ids(runs: Mapping[int, Mapping[str, Any]]) -> set[str]:
    """Ids of the declared known misses that pass on at least one of ``runs`` (records by seed)."""
    out = set()
    for record in runs.values():
        for c in record.get("checks", []):
            if c.get("known_miss") and c["status"] == "pass":
                out.add(c["id"])
    return out


def count_checks(
    records: Iterable[Mapping[str, Any]], seed_runs: Mapping[str, Mapping[int, Mapping[str, Any]]] | None = None
) -> dict[str, int]:
    """Counts over the checks of ``records`` (one record per chapter), by the v2 categories.

    ``held``: claim checks with a control that pass and are not declared misses; ``not_reproduced``:
    declared known misses (whatever this seed gave), ``fragile`` those of them that pass on some seed
    (over ``seed_runs[chapter]`` where given); ``uncontrolled``: claim checks without a control;
    ``unsupported``: claim checks that pass without a control (counted apart from ``held``);
    ``fail``: checks that fail; ``setup`` and ``setup_pass``; ``claims`` and ``total``.
    """
    n = dict.fromkeys(
        ("held", "not_reproduced", "fragile", "uncontrolled", "unsupported", "fail", "setup", "setup_pass",
         "claims", "total", "pass"), 0
    )  # fmt: skip
    for record in records:
        runs = (seed_runs or {}).get(record.get("chapter", ""), {}) or {record.get("seed", 0): record}
        fragile = fragile_ids(runs)
        for c in record.get("checks", []):
            n["total"] += 1
            n["pass"] += c["status"] == "pass"
            n["fail"] += c["status"] == "fail"
            if c.get("kind", "claim") == "setup":
                n["setup"] += 1
                n["setup_pass"] += c["status"] == "pass"
                continue
            n["claims"] += 1
            controlled = bool(c.get("controlled"))
            n["uncontrolled"] += not controlled
            if c.get("known_miss") or c["status"] == "not_reproduced":
                n["not_reproduced"] += 1
                n["fragile"] += c["id"] in fragile
            elif c["status"] == "pass":
                n["held" if controlled else "unsupported"] += 1
    return n


def headline(n: Mapping[str, int]) -> str:
    """The v2 headline from :func:`count_checks`: claims held against controls first, setup apart."""
    fail = f", **{n['fail']} fail**" if n["fail"] else ""
    return (
        f"{n['held']} claims hold against their controls, {n['not_reproduced']} not reproduced "
        f"({n['fragile']} fragile), {n['uncontrolled']} claim checks without a control yet{fail}; "
        f"{n['setup']} setup checks ({n['setup_pass']} pass)"
    )


def short_counts(record: Mapping[str, Any]) -> str:
    """A chapter's checks in a few words, e.g. ``4/5 claims held, 1 not reproduced, 2 no control; 3 setup``."""
    n = count_checks([record])
    parts = [f"{n['held']}/{n['claims']} claims held"]
    parts += [f"{n['not_reproduced']} not reproduced"] if n["not_reproduced"] else []
    parts += [f"{n['uncontrolled']} no control"] if n["uncontrolled"] else []
    parts += [f"{n['fail']} FAIL"] if n["fail"] else []
    return ", ".join(parts) + f"; {n['setup_pass']}/{n['setup']} setup"


def summary_line(records: Iterable[Mapping[str, Any]], seed_runs: Mapping[str, Any] | None = None) -> str:
    """One line over chapter records: the headline, then chapters, unfinished ones and execution time.

    The runner prints it at the end of a run and the Claims page opens with it.
    """
    records = list(records)
    runtime = sum(r.get("runtime_s", 0.0) for r in records)
    errors = sum(r.get("status") in ("error", "timeout") for r in records)
    err_text = f"; {errors} chapter(s) did not finish" if errors else ""
    counts = count_checks(records, seed_runs)
    return f"{headline(counts)} ({len(records)} chapters, {runtime:.0f} s of execution{err_text})"
