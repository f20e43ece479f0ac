"""Helpers of *Over-parameterization, executed*, in three wings (book page "How this book is built").

**Chapter API**: what a chapter cell calls.

- ``chapter``: one call that starts a chapter (parameters, preset, seeding, style, claims);
- ``params``: ``scale`` and ``seed`` validation and per-scale presets;
- ``seeding``: the same seed gives the same numbers;
- ``claims``: a chapter's checks (claim checks with their controls, setup checks), its claim table;
- ``record``: the one home of the contract between a kernel and the engine (environment names, the check
  and record formats, evaluation, formatting, counts and the summary line);
- ``glue``: numbers in the prose come from the run;
- ``plotting``: the house style of figures; ``progress``: progress bars, silent in the executed book.

**Science**, by concept (each module's docstring names the chapters that use it):

- ``data``: synthetic data with a known truth and the bundled datasets (digits, MNIST-1D), label flips;
- ``features``: random-feature maps; ``spectra``: spectra of data matrices; ``stats``: rank statistics
  and paired gaps;
- ``linear``: exact gradient-descent paths of least squares; ``ridge``: ridge paths, the arc-cosine kernel
  and their theory; ``fits``: power-law fits and where two curves cross;
- ``scaling``: scaling-law models and fits; ``training``: batched torch training loops;
- ``xor`` (05), ``worlds`` (06), ``sensing`` (07, 08), ``hessian`` (09, 11), ``subspace`` (10),
  ``degeneracy`` (11), ``parametrization`` (12), ``modular`` (13), ``online_sgd`` (15), ``shortcuts``
  (14), ``memorization`` (16), ``pergrad`` (17, 18), ``scores`` (18), ``noisy`` (19), ``bayes`` (20);
  ``alignment`` (24): interchange interventions through invertible maps, linear or RevNet;
  ``guidance`` (21): training towards a frozen guide's representations (a differentiable CKA, a 1-D CNN
  guide); ``merging`` (22): parameter averaging, plain and diagonal-Fisher weighted; ``multiplicity`` (23): the
  Rashomon set's extreme predictions; ``sparse_coding`` (25): thresholding rules, proximal inference and
  dictionary learning on image patches; ``diffusion`` (26, 27): a DDPM on small vectors (schedule, MLP
  denoiser, training, ancestral sampler, many fine-tuning runs at once); ``hallucination`` (26):
  off-support samples of a 1-D mixture and the variance detector; ``copies`` (27): near-copies by the
  ratio test, the Fréchet distance, parameter subsets; ``pretraining`` (28): the latent factor model, PCA pretraining
  and least squares.

**Engine** (``engine``): executes, caches, dispatches and publishes; it imports the record contract and
``params``, never a science module, and no chapter imports it.

- ``engine.cli``: ``python -m overparam_utils ...`` (scale and seed validated once, here);
- ``engine.project``: root, chapters, table of contents, reading a source;
- ``engine.keys``: the cache key (code cells, imported helper modules, pins, scale, seed);
- ``engine.jobs``: plan and execute runs, cache, progress lines; ``engine.worker``: one chapter with papermill;
- ``engine.cluster``: the same jobs on a Dask ``distributed`` cluster (``--cluster``);
- ``engine.site``: staging and the strict build; ``engine.pages``: Claims and Coverage pages, status rows;
- ``engine.tools``: ``bench``, ``drift``, ``scaffold`` (a new chapter), ``notebook_pairs`` (the .py/.ipynb pairs).

Importing the package is cheap: nothing heavy (torch, matplotlib) is imported until a module needs it.
"""

__version__ = "0.1.0"
