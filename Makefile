# Two commands for readers and CI (README): `make book` and `make test`. Each creates .venv when it is
# missing and installs the pinned requirements and the package; both are quick when already set up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?=

.PHONY: book test run build setup sync lint clean help bench drift lab pdf
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the pinned requirements into $(VENV) (first time: a few minutes)"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install everything

book: $(STAMP)  ## execute every chapter at book scale and build _build/html
	$(PY) -m overparam_utils book $(if $(JOBS),--jobs $(JOBS))

pdf: book  ## the book as one PDF (_build/pdf/, linked from the front page); needs TeX (see .ci/run)
	$(PY) -m overparam_utils pdf

test: $(STAMP)  ## run the test suite on all cores (unit tests, smoke runs of every chapter, checks)
	$(PY) -m pytest -n auto --dist loadfile

run: $(STAMP)  ## execute chapters only, e.g. make run ARGS="--scale smoke 01"
	$(PY) -m overparam_utils run $(ARGS)

build: $(STAMP)  ## build the book from the executed chapters, without executing
	$(PY) -m overparam_utils build

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
lab: $(STAMP)  ## JupyterLab on the chapters: notebooks/NN_slug.py opens as a notebook and saves to its pair
	@mkdir -p $(LAB_SETTINGS) && cp .jupyter/lab-overrides.json $(LAB_SETTINGS)/overrides.json
	$(PY) -m jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

sync: $(STAMP)  ## regenerate each notebooks/*.ipynb (no outputs) from its reviewed .py source
	$(PY) -m jupytext --quiet --to ipynb --update --update-metadata '{"jupytext": {"formats": "ipynb,py:percent"}}' notebooks/[0-9][0-9]_*.py
	@# jupytext touches every .py but rewrites only the .ipynb that changed: give each pair one
	@# timestamp, so neither side looks stale (to jupytext in Jupyter, or to a reviewer's mtime check)
	@for py in notebooks/[0-9][0-9]_*.py; do touch -r "$$py" "$${py%.py}.ipynb"; done

lint: $(STAMP)  ## ruff
	$(PY) -m ruff check overparam_utils tests notebooks

clean:  ## remove _build (keeps .venv)
	rm -rf _build

bench: $(STAMP)  ## time chapters (1 vs 2 jobs, cold vs warm), then vectorised helpers vs loops
	$(PY) -m overparam_utils bench
	$(PY) tests/bench_helpers.py

DRIFT_VENV := .venv-drift
drift: $(STAMP)  ## run every chapter at smoke scale with the newest dependency releases and diff the claims
	@test -x $(DRIFT_VENV)/bin/python || $(PYTHON) -m venv $(DRIFT_VENV)
	sed -E 's/[=<>~!].*//' requirements.txt | grep -v -E '^(torch|#|$$)' > $(DRIFT_VENV)/unpinned.txt
	$(DRIFT_VENV)/bin/python -m pip install --quiet --upgrade torch==2.13.0 -r $(DRIFT_VENV)/unpinned.txt
	$(DRIFT_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m overparam_utils run --scale smoke --build-dir _build/drift-pinned
	$(DRIFT_VENV)/bin/python -m overparam_utils run --scale smoke --build-dir _build/drift-newest || true
	$(PY) -m overparam_utils drift-report _build/drift-pinned/claims _build/drift-newest/claims
