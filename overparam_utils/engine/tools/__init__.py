"""Contributor tools: ``bench`` (timings), ``drift`` (newest dependencies), ``scaffold`` (a new chapter),
``pairs`` (the .py/.ipynb notebook pairs)."""
