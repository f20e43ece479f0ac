"""The engine: executes, caches, dispatches and publishes chapters; it knows nothing of their science.

It imports the record contract (:mod:`overparam_utils.record`) and the parameters (:mod:`overparam_utils.params`),
never a science module, and no chapter imports it (a test reads the imports). Modules:

- :mod:`~overparam_utils.engine.cli`: ``python -m overparam_utils ...``; validates scale and seed once;
- :mod:`~overparam_utils.engine.project`: the root, the chapters, the table of contents, reading a source;
- :mod:`~overparam_utils.engine.keys`: the cache key (code cells, imported helper modules, pins, scale, seed);
- :mod:`~overparam_utils.engine.jobs`: plan, execute (one worker process per run), cache, report progress;
- :mod:`~overparam_utils.engine.worker`: the process that runs one chapter with papermill;
- :mod:`~overparam_utils.engine.cluster`: the same jobs on a Dask ``distributed`` cluster;
- :mod:`~overparam_utils.engine.site`: stage the executed chapters and build the book strictly;
- :mod:`~overparam_utils.engine.pages`: the Claims and Coverage pages, status rows, footers, runtime table;
- :mod:`~overparam_utils.engine.tools`: ``bench``, ``drift``, ``scaffold`` (a new chapter), ``notebook_pairs``
  (the .py/.ipynb pairs).
"""

import sys


def skip_slow_imports() -> None:
    """Spare an engine process (the command line, each chapter's worker) a slow import it does not need.

    nbformat imports jsonschema, which imports ``rfc3987_syntax`` only to check the ``iri`` string format,
    and that module builds a Lark grammar when imported: one to three seconds of CPU per process on this
    book's machines. No notebook schema uses the ``iri`` format, so an engine process goes without it
    (jsonschema skips a format checker whose module is missing).
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
