# Two commands do all set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench install clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,tune]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/soloml demo --dir ./demo-workspace

# ruff first (lint, and the formatting is checked), mypy on the strict packages, then the tests
test: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check --quiet src tests bench tools
	$(BIN)/python -m mypy -p soloml.app -m soloml.facts
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/run_all.py

docs: $(STAMP)
	$(BIN)/soloml schema --markdown > docs/canonical-model.md
	$(BIN)/python -m soloml.canonical.adapters.catalog > docs/canonical-adapters.md

clean:
	rm -rf $(VENV) demo-workspace .pytest_cache
