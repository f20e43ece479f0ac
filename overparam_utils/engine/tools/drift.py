"""Drift canary: do the claims still hold with the newest releases of the dependencies?

``make drift`` builds a second environment (``.venv-drift``) with the newest releases of every
dependency whose pin can move (torch stays at the pinned CPU wheel), runs every chapter at smoke
scale there and with the pinned environment, and calls :func:`compare` on the two sets of claims
records. It lists every check that flips status, or whose measured value or control moves further than
its own margin, i.e. far enough that it could have flipped. Not part of CI: it downloads new releases
and is meant to warn before the pins are bumped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...record import read_record


def compare(pinned_dir: Path, drift_dir: Path) -> list[dict[str, Any]]:
    """Checks that differ materially between two claims directories (one finding per check or chapter)."""
    findings: list[dict[str, Any]] = []
    for path in sorted(Path(pinned_dir).glob("*.json")):
        pinned = read_record(path) or {}
        other_path = Path(drift_dir) / path.name
        if not other_path.exists():
            findings.append(
                {"chapter": pinned["chapter"], "check": None, "problem": "not run with the newest releases"}
            )
            continue
        drift = read_record(other_path) or {}
        if drift.get("status") in ("error", "timeout"):
            err = drift.get("error") or {}
            findings.append(
                {
                    "chapter": pinned["chapter"],
                    "check": None,
                    "problem": f"{drift['status']}: {err.get('ename', '')} {err.get('evalue', '')}".strip(),
                }
            )
        by_id = {c["id"]: c for c in drift.get("checks", [])}
        for c in pinned.get("checks", []):
            d = by_id.get(c["id"])
            if d is None:
                continue
            if d["status"] != c["status"]:
                findings.append(
                    {
                        "chapter": pinned["chapter"],
                        "check": c["id"],
                        "problem": f"status {c['status']} -> {d['status']}",
                        "pinned": c["measured"],
                        "newest": d["measured"],
                    }
                )
            else:
                for value, margin, what in (("measured", "margin", ""), ("control", "control_margin", "control ")):
                    if c.get(value) is None or d.get(value) is None or c.get(margin) is None:
                        continue
                    moved = abs(d[value] - c[value])
                    if moved > abs(c[margin]):
                        findings.append(
                            {
                                "chapter": pinned["chapter"],
                                "check": c["id"],
                                "problem": f"{what}moved by {moved:.3g}, more than its margin {abs(c[margin]):.3g}",
                                "pinned": c[value],
                                "newest": d[value],
                            }
                        )
    return findings


def render(findings: list[dict[str, Any]]) -> str:
    """The findings as lines for a terminal."""
    if not findings:
        return "Drift canary: no check flipped or moved beyond its margin with the newest releases."
    lines = [f"Drift canary: {len(findings)} finding(s) with the newest releases:"]
    for f in findings:
        where = f"{f['chapter']}" + (f" / {f['check']}" if f["check"] else "")
        values = f" (pinned {f['pinned']:.4g}, newest {f['newest']:.4g})" if "pinned" in f else ""
        lines.append(f"- {where}: {f['problem']}{values}")
    return "\n".join(lines)
