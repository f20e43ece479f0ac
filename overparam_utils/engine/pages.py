"""Pages and page parts generated from the claims records at build time (the reader's view of the runs).

* :func:`claims_page`: every check of every chapter (grouped by chapter, with its runtime), a summary
  line at the top and, where chapters were run on several seeds, each check's spread over them;
* :func:`status_markdown` / :func:`footer_markdown`: the status row shown under each chapter's title and
  the provenance footer at its end (commit, scale, seed, wall time, versions);
* :func:`runtime_table`: the per-chapter runtime table of the front page;
* :func:`coverage_page`: every paper of the source list with its chapter, or why it has none
  (from ``book/coverage.yml``);
* :func:`paper_scale_page`: what each chapter's paper preset found, from the records kept in the
  repository under :data:`PAPER_RECORDS` (``run --scale paper --record`` writes them), each marked stale
  when the chapter's inputs changed since.

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
    relative_margin,
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


CLAIMS_FIGURE = "claims_margins.png"
"""The Claims page's figure, written next to the page by :func:`overparam_utils.engine.site.stage`."""

STATUS_STYLE = {  # Okabe-Ito colours; every status also has its own marker, so colour is not needed
    "held": ("#0072B2", "o", "holds against its control"),
    "not_reproduced": ("#E69F00", "s", "not reproduced"),
    "fragile": ("#CC79A7", "D", "not reproduced, fragile"),
    "uncontrolled": ("#999999", "^", "no control yet"),
    "fail": ("#D55E00", "X", "fails"),
}


def claim_category(c: Mapping[str, Any], fragile: set[str]) -> str:
    """The Claims figure's category of one claim check (see :data:`STATUS_STYLE`)."""
    if c["status"] == "fail":
        return "fail"
    if c.get("known_miss") or c["status"] == "not_reproduced":
        return "fragile" if c["id"] in fragile else "not_reproduced"
    return "held" if c.get("controlled") else "uncontrolled"


def claims_figure(
    records: Mapping[str, dict[str, Any]],
    seed_records: Mapping[str, Mapping[int, dict[str, Any]]] | None,
    path: Path,
) -> int:
    """Draw every claim check at its margin relative to its threshold, its control beside it; write ``path``.

    One row per claim check, grouped by chapter; x is the margin in units of the threshold (symmetric
    log scale; right of 0 meets the threshold); a filled marker is the measured value, coloured and
    shaped by status, a cross its control, a bar the range of the measured value over seeds. Opaque
    white background, so it reads in the light and the dark theme. Returns the number of rows drawn.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seed_records = seed_records or {}
    rows: list[tuple[str, Mapping[str, Any], str, list[float]]] = []
    for stem, record in records.items():
        runs = seed_records.get(stem) or {record["seed"]: record}
        fragile = fragile_ids(runs)
        for c in record.get("checks", []):
            if c.get("kind", "claim") != "claim":
                continue
            spread = [
                relative_margin(o["measured"], o["op"], o["threshold"])
                for r in runs.values()
                for o in r.get("checks", [])
                if o["id"] == c["id"] and o.get("measured") is not None
            ]
            rows.append((stem, c, claim_category(c, fragile), spread))
    if not rows:
        return 0
    height = 1.2 + 0.16 * len(rows) + 0.1 * len(records)
    fig, ax = plt.subplots(figsize=(7.5, height), facecolor="white")
    ax.set_facecolor("white")
    y, yticks, ylabels, bands, xs = 0.0, [], [], [], [0.0]
    previous = None
    for stem, c, category, spread in rows:
        if stem != previous:
            if previous is not None:
                y += 0.8
            bands.append((stem, y))
            previous = stem
        colour, marker, _ = STATUS_STYLE[category]
        x = relative_margin(c["measured"], c["op"], c["threshold"])
        if len(spread) > 1:
            ax.plot([min(spread), max(spread)], [y, y], color=colour, lw=2.5, alpha=0.35, solid_capstyle="round")
            xs += spread
        if c.get("controlled") and c.get("control") is not None:
            xc = relative_margin(c["control"], c["op"], c["threshold"])
            ax.plot([xc, x], [y, y], color="#bbbbbb", lw=0.8, zorder=1)
            ax.plot(xc, y, marker="x", color="black", ms=4, mew=1, zorder=2)
            xs.append(xc)
        ax.plot(x, y, marker=marker, color=colour, ms=5, zorder=3, ls="none")
        xs.append(x)
        yticks.append(y)
        ylabels.append(c["id"])
        y += 1.0
    finite = [v for v in xs if v == v and abs(v) != float("inf")]
    xmin, xmax = min(-1.0, 1.5 * min(finite)), max(1.0, 1.5 * max(finite))
    ax.axvline(0, color="black", lw=1)
    ax.axvspan(0, xmax, color="#0072B2", alpha=0.06, zorder=0)
    ax.set_xscale("symlog", linthresh=0.1, linscale=0.5)
    ax.set_xlim(xmin, xmax)
    ax.set_yticks(yticks, ylabels, fontsize=5.5)
    ax.set_ylim(y, -1.0)
    for stem, y0 in bands:
        ax.text(1.01, y0, stem.split("_")[0], transform=ax.get_yaxis_transform(), fontsize=7, va="top",
                fontweight="bold")  # fmt: skip
    ax.set_xlabel("margin in units of the threshold (right of 0: meets it; symmetric log scale)")
    handles = [
        plt.Line2D([], [], marker=m, color=col, ls="none", label=label) for col, m, label in STATUS_STYLE.values()
    ]
    handles.append(plt.Line2D([], [], marker="x", color="black", ls="none", label="its control"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=7,
              frameon=False)  # fmt: skip
    ax.grid(axis="x", color="#e5e5e5", lw=0.6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, facecolor="white", metadata={"Software": None})
    plt.close(fig)
    return len(rows)


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
    lines += [
        "```{figure} " + CLAIMS_FIGURE,
        ":name: fig-claims-margins",
        ":alt: Every claim check at its margin relative to its threshold, with its control",
        "",
        "Every claim check at its margin in units of its threshold: right of the black line it meets the "
        "threshold. A cross marks the check's control, which should lie left of the line; a bar spans the "
        "values over seeds where several ran. Colour and shape give the status.",
        "```",
        "",
    ]
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


PAPER_RECORDS = Path("book") / "paper_scale"
"""Where the paper-scale records live, relative to the project root: one ``NN_slug.json`` per chapter, kept
in the repository (small: the record with its inputs key, commit, device and runtime)."""


def load_paper_records(root: Path, stems: list[str]) -> dict[str, dict[str, Any]]:
    """The kept paper-scale record of each chapter that has one."""
    out = {}
    for stem in stems:
        record = read_record(root / PAPER_RECORDS / f"{stem}.json")
        if record is not None:
            out[stem] = record
    return out


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _paper_status(record: Mapping[str, Any]) -> str:
    if record.get("status") == "pass":
        n = count_checks([record])
        return f"passed: {n['held']} of {n['claims']} claims held, {n['not_reproduced']} not reproduced"
    error = record.get("error") or {}
    return f"{record.get('status', '?')}: {error.get('ename', '')} {error.get('evalue', '')}".strip()


def paper_scale_page(
    paper: Mapping[str, dict[str, Any]],
    book: Mapping[str, dict[str, Any]],
    stems: list[str],
    current_keys: Mapping[str, str],
) -> str:
    """The "Paper scale" page: per chapter, its kept paper-scale record (runtime, device, status, each check at
    book and at paper scale), "stale" where ``current_keys[stem]`` (today's paper-scale inputs key) differs from
    the key the record was made with, and "not run yet" where there is none. ``book``: this build's records."""
    have = [s for s in stems if s in paper]
    stale = [s for s in have if paper[s].get("inputs_key") != current_keys.get(s)]
    lines = [
        f"{len(have)} of {len(stems)} chapters have a paper-scale record"
        + (
            f"; {len(stale)} of them {'is' if len(stale) == 1 else 'are'} stale (the chapter changed since)"
            if stale
            else ""
        )
        + ". A claim is said to hold at paper scale only where a current record here says so.",
        "",
        "| chapter | paper-scale run | wall time | CPU time | device | recorded | current? |",
        "|---|---|---|---|---|---|---|",
    ]
    for stem in stems:
        r = paper.get(stem)
        if r is None:
            lines.append(f"| {{doc}}`/notebooks/{stem}` | not run yet | | | | | |")
            continue
        when = str(r.get("started_at", "?"))[:10]
        commit = str(r.get("commit", "?"))[:8]
        current = "**stale**" if stem in stale else "current"
        lines.append(
            f"| {{doc}}`/notebooks/{stem}` | {_paper_status(r)} | {_duration(r.get('runtime_s'))} "
            f"| {_duration(r.get('cpu_s'))} | {r.get('device', '?')} | {when}, `{commit}` | {current} |"
        )
    for stem in have:
        r = paper[stem]
        at_book = {c["id"]: c for c in book.get(stem, {}).get("checks", [])}
        lines += [
            "",
            f"## {r.get('title') or stem}" + (" (stale)" if stem in stale else ""),
            "",
            "| check | kind | book scale | paper scale | required | status at paper scale |",
            "|---|---|---|---|---|---|",
        ]
        for c in r.get("checks", []):
            b = at_book.get(c["id"])
            lines.append(
                f"| `{c['id']}` | {c.get('kind', 'claim')} | {format_number(b['measured']) if b else '-'} "
                f"| {format_number(c['measured'])} | {required_text(c)} "
                f"| {STATUS_WORDS.get(c['status'], c['status'])} |"
            )
        if not r.get("checks"):
            lines.append("| (no check was reached) | | | | | |")
    return "\n".join(lines)
