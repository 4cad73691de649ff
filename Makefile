# One-command entry points (see README). Everything runs inside .venv, created from requirements.txt on demand.
PROFILE ?= laptop
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUNS := book/runs/$(PROFILE)
export LATENT_GEOMETRY_DATA ?= $(abspath ../shared/data)
export PYTHONPATH := $(abspath src)

.PHONY: help venv book html publish test test-fast chapter sync clean constraints

help:
	@echo "make book [PROFILE=smoke|laptop|paper]  execute every chapter into $(RUNS)/ and render _build/html"
	@echo "make html                               render the committed published results (book/executed/), no execution"
	@echo "make publish PROFILE=...                execute every chapter into book/executed/ (the published results)"
	@echo "make chapter CH=01 ARGS='-p epochs 3'  execute one chapter into book/runs/custom/"
	@echo "make test                               run the whole test suite"

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --progress-bar on -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(STAMP)

book: $(STAMP)
	$(PY) -m latent_geometry.runtime.pipeline execute --profile $(PROFILE) --out $(RUNS)
	$(PY) -m latent_geometry.runtime.pipeline build --executed $(RUNS)
	@echo "open _build/html/index.html"

html: $(STAMP)
	$(PY) -m latent_geometry.runtime.pipeline build --executed book/executed
	@echo "open _build/html/index.html"

publish: $(STAMP)
	$(PY) -m latent_geometry.runtime.pipeline execute --profile $(PROFILE) --out book/executed
	$(PY) -m latent_geometry.runtime.pipeline build --executed book/executed

chapter: $(STAMP)
	$(PY) -m latent_geometry.runtime.pipeline execute --profile $(PROFILE) --out book/runs/custom --chapter $(CH) $(ARGS)

sync: $(STAMP)
	$(VENV)/bin/jupytext --sync book/chapters/*.py

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

constraints: $(STAMP)
	{ head -n 3 constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf _build book/runs book/chapters/*.ipynb .pytest_cache
