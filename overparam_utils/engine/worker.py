"""Execute one chapter with papermill (the runner's worker process).

Run as ``python -m overparam_utils.engine.worker SOURCE OUTPUT --scale S --seed N --error-file F``.
The reviewed source, ``notebooks/NN_slug.py``, is read with jupytext and executed into OUTPUT with
``scale`` and ``seed`` injected after its ``parameters`` cell. If a cell raises, the exception, the
cell's index and the first line of its source are written to the error file as JSON, and the
process exits with status 1. The runner starts one such process per chapter, so that a chapter can
be timed (kernel start included), killed on timeout and kept apart from the others.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..record import error_info
from . import skip_slow_imports
from .project import parameters_cell, read_source


def main(argv: list[str] | None = None) -> int:
    """Execute one chapter (see the module docstring); return 0, or 1 if a cell raised."""
    parser = argparse.ArgumentParser(prog="python -m overparam_utils.engine.worker")
    parser.add_argument("source", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--scale", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--error-file", type=Path, required=True)
    parser.add_argument("--device", default=None, help="injected as the chapter's device parameter, if it has one")
    args = parser.parse_args(argv)

    skip_slow_imports()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    nb = read_source(args.source)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    parameters: dict[str, object] = {"scale": args.scale, "seed": args.seed}
    cell = parameters_cell(nb)
    if (
        args.device
        and cell is not None
        and any(line.split("=")[0].strip() == "device" for line in cell.source.splitlines() if "=" in line)
    ):
        parameters["device"] = args.device
    try:
        pm.execute_notebook(
            nb,
            str(args.output),
            parameters=parameters,
            kernel_name="python3",
            language="python",
            cwd=str(args.source.parent),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=True,
            start_timeout=300,  # a loaded machine can take long to start a kernel
            shutdown_kernel="immediate",  # every output is in; a torch kernel's graceful exit costs ~1 s
        )
    except PapermillExecutionError as err:
        source = (err.source or "").strip().splitlines()
        info = error_info(err.ename, err.evalue, err.cell_index, source[0] if source else "")
        args.error_file.write_text(json.dumps(info, indent=2))
        return 1
    except Exception as err:  # kernel died, notebook unreadable, ...
        info = error_info(type(err).__name__, str(err))
        args.error_file.write_text(json.dumps(info, indent=2))
        return 1
    finally:
        hide_injected_parameters(args.output)
    return 0


def hide_injected_parameters(path: Path) -> None:
    """Tag papermill's injected-parameters cell ``remove-cell`` so the book does not show it twice."""
    import nbformat

    if not path.exists():
        return
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    nbformat.write(nb, path)


if __name__ == "__main__":
    sys.exit(main())
