# One task runner. Every target bootstraps .venv from requirements.lock on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help report test test-fast bench lint lab lock browser-deps clean

help:
	@echo "make report      build the latest report on the shipped data (outputs/<period-end>/)"
	@echo "make test        run every test (slow, browser and dask ones included)"
	@echo "make test-fast   the daily loop: skip the slow end-to-end tests"
	@echo "make bench       benchmarks; prints the table recorded in benchmarks/README.md"
	@echo "make lint        ruff"
	@echo "make lab         JupyterLab on notebooks/ with the project's kernel"
	@echo "make lock        re-resolve requirements.lock from pyproject.toml"

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/reportlib build

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser and not dask" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --record

lint: $(STAMP)
	$(BIN)/ruff check reportlib tests benchmarks

lab: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (reportlib)" >/dev/null
	cd notebooks && ../$(BIN)/jupyter lab

# Chromium and its driver for the browser tests, poppler for looking at PDF pages
# (Debian packages; needs root or sudo).
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils; \
	fi

lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet '.[dev,dask]'
	{ echo "# Exact versions installed by \`make\` (Python 3.11). Regenerate with \`make lock\` after changing"; \
	  echo "# the dependency ranges in pyproject.toml; commit both together."; \
	  .lock-venv/bin/pip freeze --exclude reportlib; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
