# Two commands from a fresh machine (Python 3.11+ and make):
#   make report   set up .venv, then validate data/example and build its report pack
#   make test     set up .venv (and headless Chromium), then lint and run the whole test suite
# pytest exits 5 when it collects no test; make treats that as a failure, as it should.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PLAN   ?= data/example

CHROMIUM := /usr/lib/chromium/chromium-headless-shell

.PHONY: report test bench lint setup browser clean

report: $(STAMP)
	$(BIN)/okr-scenarios validate $(PLAN)
	$(BIN)/okr-scenarios report $(PLAN) --force

test: $(STAMP) browser
	$(BIN)/ruff check okr_scenarios tests benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_simulate.py
	$(BIN)/python benchmarks/bench_decisions.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_widgets.py

lint: $(STAMP)
	$(BIN)/ruff check okr_scenarios tests benchmarks

setup: $(STAMP)

# Headless Chromium for the report pages' browser check (Debian's package; needs root).
browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	  chromium-headless-shell >/dev/null; } || \
	  echo "warning: could not install chromium-headless-shell; the browser check will be skipped"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "okr-scenarios needs Python 3.11 or newer, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
