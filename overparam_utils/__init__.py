"""Helpers shared by the chapters of *Over-parameterization, executed*.

Modules (each documents the chapters that use it):

- :mod:`~overparam_utils.chapter`: start a chapter (parameters, presets, seeding, style, claims);
- :mod:`~overparam_utils.params`, :mod:`~overparam_utils.seeding`, :mod:`~overparam_utils.claims`,
  :mod:`~overparam_utils.glue`, :mod:`~overparam_utils.plotting`, :mod:`~overparam_utils.progress`;
- :mod:`~overparam_utils.runner`, :mod:`~overparam_utils.book`, :mod:`~overparam_utils.cli`: execution and build;
- science helpers shared by many chapters: :mod:`~overparam_utils.linear` (exact gradient-descent paths
  of least squares), :mod:`~overparam_utils.data`, :mod:`~overparam_utils.features`,
  :mod:`~overparam_utils.spectra`, :mod:`~overparam_utils.training`;
- science helpers of one part of the book (chapter numbers in brackets): ``ridge`` (03, 04), ``scaling`` (04),
  ``xor`` (05), ``bounds`` (06), ``sensing`` (07, 08), ``hessian`` (09, 11), ``subspace`` (10),
  ``degeneracy`` (11), ``parametrization`` (12), ``modular`` (13), ``crossover`` (13, 15),
  ``shortcuts`` (14), ``memorization`` (16), ``pergrad`` (17, 18), ``scores`` (18), ``noisy`` (19),
  ``bayes`` (20).

Importing the package is cheap: nothing heavy (torch, matplotlib) is imported until a module needs it.
"""

__version__ = "0.1.0"
