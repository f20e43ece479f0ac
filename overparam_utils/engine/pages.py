"""Pages and page parts generated from the claims records at build time (the reader's view of the runs).

* :func:`claims_page`: every check of every chapter (grouped by chapter, with its runtime), a summary
  line at the top and, where chapters were run on several seeds, each check's spread over them;
* :func:`status_markdown` / :func:`footer_markdown`: the status row shown under each chapter's title and
  the provenance footer at its end (commit, scale, seed, wall time, versions);
* :func:`runtime_table`: the per-chapter runtime table of the front page;
* :func:`coverage_page`: every paper of the source list with its chapter, or why it has none
  (from ``book/coverage.yml``).

:func:`overparam_utils.engine.site.stage` writes these into the staged book; nothing here executes a chapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..record import (
    STATUS_WORDS,
    count_checks,
    format_number,
    fragile_ids,
    headline,
    read_record,
    required_text,
)


def load_records(build_dir: Path, stems: list[str]) -> dict[str, dict[str, Any]]:
    """The primary claims record of each chapter in ``stems`` that has one."""
    out = {}
    for stem in stems:
        record = read_record(build_dir / "claims" / f"{stem}.json")
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
            other = read_record(path)
            if other and other.get("inputs_key") and other.get("inputs_key") == primary.get("inputs_key"):
                runs.setdefault(other["seed"], other)
        out[stem] = dict(sorted(runs.items()))
    return out


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


def claims_headline(
    records: Mapping[str, dict[str, Any]], seed_records: Mapping[str, Mapping[int, dict[str, Any]]] | None = None
) -> str:
    """The v2 headline over every chapter: claims held against controls first, setup checks apart."""
    n = count_checks(records.values(), seed_records)
    runtime = sum(r.get("runtime_s", 0.0) for r in records.values())
    errors = sum(r.get("status") in ("error", "timeout") for r in records.values())
    error_text = f"; {errors} chapter(s) did not finish" if errors else ""
    return f"**{headline(n)}**, over {len(records)} chapters ({runtime:.0f} s of execution{error_text})."


EXPLAINER = (
    "A **claim** check tests something the paper claims and carries a **control**: the same statistic, "
    "measured in the same run where the paper's mechanism is absent. It holds only when the measured value "
    "meets the threshold and the control does not. A **setup** check only confirms that the experiment is in "
    "the regime the paper assumes; it is never counted as evidence. Claim checks marked *no control* predate "
    "this contract and are being reworked. A known miss is a claim declared not reproduced here, with its "
    "reason; it is *fragile* when it passes on some seeds."
)


def summary_table(
    records: Mapping[str, dict[str, Any]], seed_records: Mapping[str, Mapping[int, dict[str, Any]]] | None = None
) -> str:
    """One row per chapter: claims held, not reproduced (fragile), without a control, setup, runtime."""
    lines = [
        "| chapter | claims held | not reproduced (fragile) | no control | fail | setup | runtime |",
        "|---|---|---|---|---|---|---|",
    ]
    for stem, record in records.items():
        n = count_checks([record], seed_records)
        lines.append(
            f"| {{ref}}`{stem.split('_')[0]} <{chapter_label(stem)}>` | {n['held']} of {n['claims']} "
            f"| {n['not_reproduced']} ({n['fragile']}) | {n['uncontrolled']} | {n['fail']} "
            f"| {n['setup_pass']} of {n['setup']} | {record.get('runtime_s', 0.0):.1f} s |"
        )
    return "\n".join(lines)


def _claim_row(c: Mapping[str, Any], runs: Mapping[int, dict[str, Any]], fragile: set[str]) -> str:
    status = STATUS_WORDS[c["status"]]
    if c.get("known_miss") and c["status"] != "fail":
        status = "not reproduced, fragile" if c["id"] in fragile else "not reproduced"
    why = ""
    if c.get("reason"):
        why = f" {'Not reproduced' if c['status'] == 'not_reproduced' else 'Fails'}: {c['reason']}."
    elif c.get("known_miss"):
        why = f" Declared not reproduced ({c['known_miss']}); passed on this seed."
    control = (
        f"{format_number(c['control'])} ({c['control_is']}; margin {format_number(c.get('control_margin'))})"
        if c.get("controlled")
        else "*no control*"
    )
    row = (
        f"| {status} | {c['claim']} (`{c['id']}`){why} | {format_number(c['measured'])} | {control} "
        f"| {required_text(c)} | {format_number(c['margin'])} |"
    )
    if len(runs) > 1:
        row += f" {spread_text(c['id'], runs)} |"
    return row


def _setup_row(c: Mapping[str, Any], runs: Mapping[int, dict[str, Any]]) -> str:
    why = f" {c['reason']}." if c.get("reason") else ""
    row = (
        f"| {STATUS_WORDS[c['status']]} | {c['claim']} (`{c['id']}`){why} | {format_number(c['measured'])} "
        f"| {required_text(c)} | {format_number(c['margin'])} |"
    )
    if len(runs) > 1:
        row += f" {spread_text(c['id'], runs)} |"
    return row


def claims_page(
    records: Mapping[str, dict[str, Any]], seed_records: Mapping[str, Mapping[int, dict[str, Any]]] | None = None
) -> str:
    """The body of the Claims page: the v2 headline, a summary per chapter, then per chapter its claim
    checks (with their controls) and, apart, its setup checks."""
    seed_records = seed_records or {}
    lines = [claims_headline(records, seed_records), "", EXPLAINER, ""]
    multi = {stem: runs for stem, runs in seed_records.items() if len(runs) > 1}
    if multi:
        seeds = sorted({s for runs in multi.values() for s in runs})
        lines += [
            f"Chapters run on several seeds ({', '.join(map(str, seeds))}) show each check's range over them.",
            "",
        ]
    lines += [summary_table(records, seed_records), ""]
    for stem, record in records.items():
        runs = seed_records.get(stem, {})
        fragile = fragile_ids(runs or {record["seed"]: record})
        checks = record.get("checks", [])
        claims = [c for c in checks if c.get("kind", "claim") == "claim"]
        setup = [c for c in checks if c.get("kind") == "setup"]
        lines += [
            f"({chapter_label(stem)})=",
            f"## {record.get('title', stem)}",
            "",
            f"{{doc}}`Chapter </notebooks/{stem}>` · status **{record['status']}** · "
            f"{chapter_counts_text(record, runs)} · scale `{record['scale']}` · seed {record['seed']} · "
            f"runtime {record['runtime_s']:.1f} s",
            "",
        ]
        if record.get("error"):
            err = record["error"]
            lines += [f"The run stopped with `{err['ename']}`: {err['evalue']}", ""]
        extra_h, extra_r = (" over seeds |", "---|") if len(runs) > 1 else ("", "")
        if claims:
            lines += [
                "| status | claim (check id) | measured | control (what it removes; margin) | required | margin |"
                + extra_h,
                "|---|---|---|---|---|---|" + extra_r,
            ]
            lines += [_claim_row(c, runs, fragile) for c in claims]
            lines.append("")
        if setup:
            lines += [
                "Setup checks (the regime the paper assumes; not evidence for it):",
                "",
                "| status | setup (check id) | measured | required | margin |" + extra_h,
                "|---|---|---|---|---|" + extra_r,
            ]
            lines += [_setup_row(c, runs) for c in setup]
            lines.append("")
    return "\n".join(lines)


def chapter_counts_text(record: Mapping[str, Any], runs: Mapping[int, dict[str, Any]] | None = None) -> str:
    """A chapter's checks in one line: ``4 of 5 claims hold against their controls, 1 not reproduced, ...``."""
    n = count_checks([record], {record["chapter"]: runs} if runs else None)
    parts = [f"{n['held']} of {n['claims']} claims hold against their controls"]
    if n["not_reproduced"]:
        fragile = f" ({n['fragile']} fragile)" if n["fragile"] else ""
        parts.append(f"{n['not_reproduced']} not reproduced{fragile}")
    if n["uncontrolled"]:
        parts.append(f"{n['uncontrolled']} without a control")
    if n["fail"]:
        parts.append(f"{n['fail']} fail")
    return ", ".join(parts) + f"; {n['setup']} setup checks"


def status_markdown(
    record: Mapping[str, Any], runs: Mapping[int, dict[str, Any]] | None = None, link_claims: bool = True
) -> str:
    """The status box under a chapter's title (linking to the Claims page when the book has one)."""
    seeds = f" (and {len(runs) - 1} more seeds)" if runs and len(runs) > 1 else ""
    label = chapter_label(record["chapter"])
    link = (
        f" Every check, its measured value, control and threshold: {{ref}}`the Claims page <{label}>`."
        if link_claims
        else ""
    )
    return (
        f"```{{admonition}} Claims: {chapter_counts_text(record, runs)}\n"
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
    lines = ["| chapter | scale | runtime | claims held | setup |", "|---|---|---|---|---|"]
    for stem, r in records.items():
        n = count_checks([r])
        lines.append(
            f"| {{doc}}`/notebooks/{stem}` | `{r['scale']}` | {r['runtime_s']:.1f} s | {n['held']} of {n['claims']} "
            f"| {n['setup']} |"
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
