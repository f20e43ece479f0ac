"""Pages and page parts generated from the claims records at build time (the reader's view of the runs).

* :func:`claims_page`: every check of every chapter (grouped by chapter, with its runtime), a summary
  line at the top and, where chapters were run on several seeds, each check's spread over them;
* :func:`status_markdown` / :func:`footer_markdown`: the status row shown under each chapter's title and
  the provenance footer at its end (commit, scale, seed, wall time, versions);
* :func:`runtime_table`: the per-chapter runtime table of the front page;
* :func:`coverage_page`: every paper of the source list with its chapter, or why it has none
  (from ``book/coverage.yml``).

:func:`overparam_utils.book.stage` writes these into the staged book; nothing here executes a chapter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .claims import format_number

STATUS_WORDS = {"pass": "pass", "fail": "FAIL", "not_reproduced": "not reproduced"}


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON at ``path``, or ``None`` when missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def load_records(build_dir: Path, stems: list[str]) -> dict[str, dict[str, Any]]:
    """The primary claims record of each chapter in ``stems`` that has one."""
    out = {}
    for stem in stems:
        record = read_json(build_dir / "claims" / f"{stem}.json")
        if record is not None:
            out[stem] = record
    return out


def load_seed_records(build_dir: Path, records: Mapping[str, dict[str, Any]]) -> dict[str, dict[int, dict[str, Any]]]:
    """For each chapter, its records over all seeds run with ``--seeds`` (primary included).

    Only records of the same inputs (``inputs_key``: source, helpers, pins, scale) as the primary
    record count, so a spread never mixes runs of different code.
    """
    out: dict[str, dict[int, dict[str, Any]]] = {}
    for stem, primary in records.items():
        runs = {primary["seed"]: primary}
        for path in sorted((build_dir / "seeds").glob(f"*/claims/{stem}.json")):
            other = read_json(path)
            if other and other.get("inputs_key") and other.get("inputs_key") == primary.get("inputs_key"):
                runs.setdefault(other["seed"], other)
        out[stem] = dict(sorted(runs.items()))
    return out


def count_checks(records: Mapping[str, dict[str, Any]]) -> dict[str, int]:
    """Numbers of checks by status, over all records."""
    checks = [c for r in records.values() for c in r.get("checks", [])]
    counts = {s: sum(c["status"] == s for c in checks) for s in STATUS_WORDS}
    counts["total"] = len(checks)
    return counts


def summary_line(records: Mapping[str, dict[str, Any]]) -> str:
    """``**N of M checks pass**, K not reproduced, F fail, over C chapters (T s of execution)``."""
    n = count_checks(records)
    runtime = sum(r.get("runtime_s", 0.0) for r in records.values())
    errors = sum(r.get("status") in ("error", "timeout") for r in records.values())
    error_text = f"; {errors} chapter(s) did not finish" if errors else ""
    return (
        f"**{n['pass']} of {n['total']} checks pass**, {n['not_reproduced']} not reproduced, {n['fail']} fail, "
        f"over {len(records)} chapters ({runtime:.0f} s of execution{error_text})."
    )


def required_text(check: Mapping[str, Any]) -> str:
    """The comparison a check requires, e.g. ``> 10`` or ``in [0.8, 1.25]``."""
    if check["op"] == "between":
        lo, hi = check["threshold"]
        return f"in [{format_number(lo)}, {format_number(hi)}]"
    return f"{check['op']} {format_number(check['threshold'])}"


def spread_text(check_id: str, runs: Mapping[int, dict[str, Any]]) -> str:
    """``min to max (k/n pass)`` of one check over the seeds in ``runs``; ``-`` with a single seed."""
    values, passed = [], 0
    for record in runs.values():
        for c in record.get("checks", []):
            if c["id"] == check_id and c["measured"] is not None:
                values.append(c["measured"])
                passed += c["status"] == "pass"
    if len(values) < 2:
        return "-"
    return f"{format_number(min(values))} to {format_number(max(values))} ({passed}/{len(values)} pass)"


def chapter_label(stem: str) -> str:
    """The cross-reference label of a chapter's section on the Claims page."""
    return f"claims-{stem}"


def claims_page(
    records: Mapping[str, dict[str, Any]], seed_records: Mapping[str, Mapping[int, dict[str, Any]]] | None = None
) -> str:
    """The body of the Claims page: a summary line, then one table per chapter, one row per check."""
    seed_records = seed_records or {}
    lines = [summary_line(records), ""]
    multi = {stem: runs for stem, runs in seed_records.items() if len(runs) > 1}
    if multi:
        seeds = sorted({s for runs in multi.values() for s in runs})
        lines += [
            f"Chapters run on several seeds ({', '.join(map(str, seeds))}) show each check's range over them.",
            "",
        ]
    for stem, record in records.items():
        runs = seed_records.get(stem, {})
        checks = record.get("checks", [])
        n_pass = sum(c["status"] == "pass" for c in checks)
        lines += [
            f"({chapter_label(stem)})=",
            f"## {record.get('title', stem)}",
            "",
            f"{{doc}}`Chapter </notebooks/{stem}>` · status **{record['status']}** · "
            f"{n_pass} of {len(checks)} checks pass · scale `{record['scale']}` · seed {record['seed']} · "
            f"runtime {record['runtime_s']:.1f} s",
            "",
        ]
        if record.get("error"):
            err = record["error"]
            lines += [f"The run stopped with `{err['ename']}`: {err['evalue']}", ""]
        if not checks:
            continue
        header = "| status | claim (check id) | measured | required | margin |"
        rule = "|---|---|---|---|---|"
        if len(runs) > 1:
            header += " over seeds |"
            rule += "---|"
        lines += [header, rule]
        for c in checks:
            why = f" Not reproduced: {c['reason']}." if c.get("reason") else ""
            row = (
                f"| {STATUS_WORDS[c['status']]} | {c['claim']} (`{c['id']}`){why} | {format_number(c['measured'])} "
                f"| {required_text(c)} | {format_number(c['margin'])} |"
            )
            if len(runs) > 1:
                row += f" {spread_text(c['id'], runs)} |"
            lines.append(row)
        lines.append("")
    return "\n".join(lines)


def status_markdown(
    record: Mapping[str, Any], runs: Mapping[int, dict[str, Any]] | None = None, link_claims: bool = True
) -> str:
    """The status box under a chapter's title (linking to the Claims page when the book has one)."""
    checks = record.get("checks", [])
    n_pass = sum(c["status"] == "pass" for c in checks)
    n_nr = sum(c["status"] == "not_reproduced" for c in checks)
    nr_text = f", {n_nr} not reproduced" if n_nr else ""
    seeds = f" (and {len(runs) - 1} more seeds)" if runs and len(runs) > 1 else ""
    label = chapter_label(record["chapter"])
    link = f" Every check, its measured value and threshold: {{ref}}`the Claims page <{label}>`." if link_claims else ""
    return (
        f"```{{admonition}} Claims: {n_pass} of {len(checks)} checks pass{nr_text}\n"
        f":class: tip\n"
        f"This page was executed at scale `{record['scale']}` with seed {record['seed']}{seeds} in "
        f"{record['runtime_s']:.1f} s.{link}\n```"
    )


def footer_markdown(record: Mapping[str, Any]) -> str:
    """Provenance of an executed chapter: commit, scale, seed, wall time, date, versions."""
    v = record.get("versions", {})
    versions = ", ".join(f"{k} {v[k]}" for k in ("python", "numpy", "torch", "scipy") if k in v)
    return (
        "---\n\n"
        f"*Provenance.* Executed {record.get('started_at', '?')} at commit `{record.get('commit', 'unknown')}`, "
        f"scale `{record['scale']}`, seed {record['seed']}, wall time {record['runtime_s']:.1f} s "
        f"(kernel start included), {record.get('threads', '?')} thread(s); {versions}."
    )


def runtime_table(records: Mapping[str, dict[str, Any]]) -> str:
    """Front-page table: chapter, scale, runtime, checks."""
    lines = ["| chapter | scale | runtime | checks |", "|---|---|---|---|"]
    for stem, r in records.items():
        checks = r.get("checks", [])
        n_pass = sum(c["status"] == "pass" for c in checks)
        lines.append(
            f"| {{doc}}`/notebooks/{stem}` | `{r['scale']}` | {r['runtime_s']:.1f} s | {n_pass} of {len(checks)} pass |"
        )
    total = sum(r.get("runtime_s", 0.0) for r in records.values())
    lines += ["", f"Total execution time {total:.0f} s (chapters run in parallel, so the wall time is shorter)."]
    return "\n".join(lines)


def coverage_page(coverage: Mapping[str, Any], chapters: list[str]) -> str:
    """The Coverage page: a summary, then every paper with its chapter link or the reason it has none."""
    papers = coverage["papers"]
    counts = {k: sum(p["class"] == k for p in papers) for k in "CEO"}
    with_chapter = [p for p in papers if p.get("chapter") in chapters]
    lines = [
        f"The source list has {len(papers)} papers. {len(with_chapter)} have a chapter; "
        f"{counts['E']} are adjacent to the subject and could become extension chapters; "
        f"{counts['O']} are outside it. Generated from `book/coverage.yml`.",
        "",
        "| # | paper | status |",
        "|---|---|---|",
    ]
    for p in papers:
        if p.get("chapter") in chapters:
            status = f"chapter {{doc}}`/notebooks/{p['chapter']}`"
        elif p.get("chapter"):
            status = f"chapter planned (`{p['chapter']}`), not in this build"
        else:
            kind = "adjacent" if p["class"] == "E" else "no chapter"
            status = f"{kind}: {p.get('reason', '')}"
        lines.append(f"| {p['n']} | {p['title']} | {status} |")
    return "\n".join(lines)
