"""Contributor tools: ``bench`` (timings), ``drift`` (newest dependencies), ``scaffold`` (a new chapter),
``notebook_pairs`` (the .py/.ipynb pairs of the chapters)."""
