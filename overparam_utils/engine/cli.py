"""Command line: ``python -m overparam_utils {run,build,book} ...`` (see ``--help``).

Exit status: 0 when every chapter passed (and the book built), 1 when a chapter or the build failed,
2 for a bad argument (nothing is executed then).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..params import SCALES, ParameterError, validate_scale, validate_seed
from ..record import write_record
from . import jobs as runner
from . import pages as report
from . import site as book
from .cluster import CLUSTER_ENV
from .project import UsageError, find_root, toc_chapters
from .tools import notebook_pairs, scaffold

# ----------------------------------------------------------------------------- argument types
# Scale and seed are validated here, once, at the boundary; the engine trusts what it is given, and the
# chapter's parameters cell validates again only for a reader who runs it by hand.


def scale_arg(text: str) -> str:
    """``--scale``: one of :data:`overparam_utils.params.SCALES`."""
    try:
        return validate_scale(text)
    except ParameterError:
        allowed = ", ".join(SCALES)
        raise argparse.ArgumentTypeError(f"--scale {text!r} is not allowed; choose one of {allowed}") from None


def seed_arg(text: str) -> int:
    """``--seed``: a non-negative integer."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--seed {text!r} is not allowed; use a non-negative integer such as 0, 1, 2"
        ) from None
    try:
        return validate_seed(value)
    except ParameterError as err:
        raise argparse.ArgumentTypeError(f"--seed: {err}") from None


def seeds_arg(text: str) -> list[int]:
    """``--seeds 0,1,2``: distinct non-negative integers."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError(f"--seeds {text!r} is not allowed; use a comma-separated list such as 0,1,2")
    seeds = [seed_arg(p) for p in parts]
    if len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"--seeds {text!r} repeats a seed")
    return seeds


DEVICES = ("auto", "cpu", "cuda")


def device_arg(text: str) -> str:
    """``--device``: one of :data:`DEVICES`."""
    if text not in DEVICES:
        raise argparse.ArgumentTypeError(f"--device {text!r} is not allowed; choose one of {', '.join(DEVICES)}")
    return text


def local_gpu() -> bool:
    """Whether torch sees a CUDA device here (imports torch: only asked when ``--device cuda`` is given)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def positive_arg(name: str, default: str):
    """A positive integer argument (``--jobs``, ``--threads``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            message = f"{name} {text} is not allowed; use a positive integer (default: {default})"
            raise argparse.ArgumentTypeError(message)
        return value

    return parse


def _add_run_arguments(p: argparse.ArgumentParser, default_scale: str = "book") -> None:
    p.add_argument(
        "notebooks", nargs="*", metavar="NOTEBOOK", help="chapters to run: path, stem or number (default: all)"
    )
    p.add_argument(
        "--scale", type=scale_arg, default=default_scale, help=f"one of {', '.join(SCALES)} (default: {default_scale})"
    )
    p.add_argument("--seed", type=seed_arg, default=None, help="non-negative integer (default: 0)")
    p.add_argument(
        "--seeds", type=seeds_arg, default=None, help="several seeds, e.g. 0,1,2 (the first is the one the book shows)"
    )
    p.add_argument(
        "--jobs", "-j", type=positive_arg("--jobs", "one per core"), default=None,
        help="parallel chapters (default: one per core)",
    )  # fmt: skip
    p.add_argument(
        "--threads", type=positive_arg("--threads", "cores // jobs"), default=None,
        help="BLAS/torch threads per chapter (default: cores // jobs)",
    )  # fmt: skip
    p.add_argument("--force", action="store_true", help="execute even chapters whose inputs did not change")
    p.add_argument("--timeout", type=float, default=None, help="per-chapter limit in seconds (default by scale)")
    p.add_argument("--build-dir", type=Path, default=None, help="output directory (default: <root>/_build)")
    p.add_argument("--no-network", action="store_true", help="make any network access from a chapter an error")
    p.add_argument(
        "--device", type=device_arg, default="auto",
        help="auto (CUDA when visible, else CPU), cpu or cuda; injected as the chapters' device parameter",
    )  # fmt: skip
    p.add_argument(
        "--cluster", default=os.environ.get(CLUSTER_ENV) or None, metavar="ADDRESS|SCHEDULER_FILE|local",
        help=f"run the jobs on a Dask cluster (default: ${CLUSTER_ENV}, else this machine)",
    )  # fmt: skip
    p.add_argument(
        "--record", action="store_true",
        help="with --scale paper: keep each chapter's record in the repository (book/paper_scale/), "
        "for the book's Paper scale page",
    )  # fmt: skip


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m overparam_utils``."""
    top = argparse.ArgumentParser(prog="python -m overparam_utils", description="Execute and build the book.")
    sub = top.add_subparsers(dest="command", required=True)
    _add_run_arguments(sub.add_parser("run", help="execute chapters with papermill and record their claims"))
    b = sub.add_parser("build", help="build the HTML book from the executed chapters (no execution)")
    b.add_argument("--build-dir", type=Path, default=None)
    b.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    _add_run_arguments(sub.add_parser("book", help="run every chapter at book scale, then build the book"))
    pdf = sub.add_parser("pdf", help="build the book as one PDF from the executed chapters (no execution)")
    pdf.add_argument("--build-dir", type=Path, default=None)
    be = sub.add_parser("bench", help="time chapters (1 vs 2 jobs, cold vs warm)")
    be.add_argument("--smoke", action="store_true", help="two chapters at smoke scale")
    be.add_argument("--build-dir", type=Path, default=None)
    dr = sub.add_parser("drift-report", help="compare two claims directories (pinned vs newest dependencies)")
    dr.add_argument("pinned", type=Path, help="claims directory of the pinned run")
    dr.add_argument("drift", type=Path, help="claims directory of the run with the newest releases")
    sub.add_parser("check-pairs", help="check that every notebooks/*.ipynb matches its .py and has no outputs")
    n = sub.add_parser("new", help="scaffold a chapter pair from the template and list it in _toc.yml")
    n.add_argument("stem", metavar="NN_slug", help="e.g. 21_lottery_tickets")
    n.add_argument("--title", default=None, help="the chapter's title (default: from the slug)")
    n.add_argument("--part", type=int, default=None, help="1-based part of _toc.yml (default: the last numbered)")
    return top


def _root_and_build(args: argparse.Namespace) -> tuple[Path, Path]:
    root = find_root()
    build_dir = (args.build_dir or root / "_build").resolve()
    return root, build_dir


def cmd_run(args: argparse.Namespace, quiet_summary: bool = False) -> tuple[int, list[dict]]:
    """``run``: execute the chosen chapters; return the exit status and their records."""
    root, build_dir = _root_and_build(args)
    if args.seeds is not None and args.seed is not None:
        raise UsageError("give either --seed or --seeds, not both")
    seeds = args.seeds if args.seeds is not None else [0 if args.seed is None else args.seed]
    if getattr(args, "record", False) and args.scale != "paper":
        raise UsageError("--record keeps paper-scale runs only: add --scale paper")
    jobs = runner.plan(
        root,
        args.notebooks,
        args.scale,
        seeds,
        build_dir,
        jobs=args.jobs,
        timeout_s=args.timeout,
        no_network=args.no_network,
        threads=args.threads,
        device=args.device,
    )
    n_jobs = min(args.jobs or runner.default_jobs(), len(jobs))
    seed_text = ",".join(map(str, seeds))
    print(f"Executing {len(jobs)} run(s), scale={jobs[0].scale}, seed(s) {seed_text}, {n_jobs} job(s) -> {build_dir}")
    cluster = None
    if args.cluster:
        from .cluster import Cluster

        try:
            cluster = Cluster(args.cluster)
        except (OSError, TimeoutError, ValueError) as err:
            raise UsageError(f"--cluster {args.cluster!r}: cannot connect ({err})") from None
        if args.device == "cuda" and not cluster.has_gpu():
            cluster.close()
            raise UsageError(
                "--device cuda: no worker of the cluster has a GPU resource (dask worker --resources GPU=1)"
            )
        print(f"Cluster {args.cluster}: workers {', '.join(sorted(cluster.workers()))}")
    elif args.device == "cuda" and not local_gpu():
        raise UsageError(
            "--device cuda: no GPU is visible here (torch.cuda.is_available() is False); "
            "use --device cpu or auto, or --cluster with a GPU worker"
        )
    try:
        records = runner.run(jobs, n_jobs, force=args.force, cluster=cluster)
    finally:
        if cluster is not None:
            cluster.close()
    print(runner.summarize(records, with_claims_line=not quiet_summary))
    if getattr(args, "record", False):
        for path in keep_paper_records(root, records, seeds[0]):
            print(f"Recorded {path.relative_to(root)} (commit it: the book's Paper scale page reads it)")
    ok = all(r["status"] == "pass" for r in records)
    return (0 if ok else 1), records


def keep_paper_records(root: Path, records: list[dict], seed: int) -> list[Path]:
    """Copy the paper-scale records of ``seed`` (passed, failed or timed out: all are findings) to
    ``book/paper_scale/NN_slug.json``, without this machine's paths; return the files written."""
    written = []
    for r in records:
        if r.get("scale") != "paper" or r.get("seed") != seed:
            continue
        kept = {k: v for k, v in r.items() if k != "executed"}
        path = root / report.PAPER_RECORDS / f"{r['chapter']}.json"
        write_record(path, kept)
        written.append(path)
    return written


def cmd_build(args: argparse.Namespace, records: list[dict] | None = None) -> int:
    """``build``: build the HTML book from the executed chapters; return the exit status."""
    root, build_dir = _root_and_build(args)
    print("Building the book with Jupyter Book (strict: warnings are errors) ...", flush=True)
    try:
        ok, log = book.build(root, build_dir, force=getattr(args, "force", False))
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not ok:
        problems = book.warnings_in(log) or log.strip().splitlines()[-20:]
        print("Book build FAILED; the previous _build/html (if any) is unchanged. Problems:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    index = build_dir / "html" / "index.html"
    if records is None:
        records = [r for s in toc_chapters(root) if (r := runner.read_record(build_dir / "claims" / f"{s}.json"))]
    print(f"Book {'unchanged (nothing to rebuild)' if log.startswith('unchanged') else 'built'}: {index}")
    print(runner.claims_summary(records))
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    """``pdf``: the whole book as one PDF (LaTeX, xelatex) from the executed chapters."""
    root, build_dir = _root_and_build(args)
    print("Building the PDF with Jupyter Book's LaTeX builder (xelatex) ...", flush=True)
    try:
        ok, log, pdf = book.build_pdf(root, build_dir)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not ok:
        print("PDF build FAILED. The end of its log:", file=sys.stderr)
        for line in log.strip().splitlines()[-30:]:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"PDF built: {pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 a chapter or the build failed, 2 bad arguments)."""
    args = parser().parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)[0]
        if args.command == "build":
            return cmd_build(args)
        if args.command == "pdf":
            return cmd_pdf(args)
        if args.command == "bench":
            from .tools import bench

            root, build_dir = _root_and_build(args)
            bench.main(root, build_dir, smoke=args.smoke)
            return 0
        if args.command == "drift-report":
            from .tools import drift

            findings = drift.compare(args.pinned, args.drift)
            print(drift.render(findings))
            return 1 if findings else 0
        if args.command == "check-pairs":
            problems = notebook_pairs.all_pair_problems(find_root())
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        if args.command == "new":
            root = find_root()
            try:
                source = scaffold.new_chapter(root, args.stem, args.title, args.part)
            except scaffold.ScaffoldError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
            print(f"Created {source.relative_to(root)} and its .ipynb, listed in _toc.yml. Fill in the TODOs,")
            print(f"then: python -m overparam_utils run {args.stem[:2]} --scale smoke && make sync && make test")
            return 0
        if args.command == "book":
            if args.scale != "book":
                print("note: building the book from a non-book scale", file=sys.stderr)
            status, records = cmd_run(args, quiet_summary=True)
            if status != 0:
                print(runner.claims_summary(records))
                print("Not building the book: a chapter failed (see above); the previous _build/html is unchanged.")
                return status
            return cmd_build(args, records)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 2
