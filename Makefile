# Two commands from a fresh machine (Python 3.11+ and make):
#   make report   set up .venv, then run the main job on data/example
#   make test     set up .venv, then run the whole test suite
# pytest exits 5 when it collects no test; make treats that as a failure, as it should.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PLAN   ?= data/example

.PHONY: report test bench lint setup clean

report: $(STAMP)
	$(BIN)/okr-scenarios validate $(PLAN)
	$(BIN)/okr-scenarios simulate $(PLAN)

test: $(STAMP)
	$(BIN)/ruff check okr_scenarios tests benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_simulate.py
	$(BIN)/python benchmarks/bench_decisions.py

lint: $(STAMP)
	$(BIN)/ruff check okr_scenarios tests benchmarks

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "okr-scenarios needs Python 3.11 or newer, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
