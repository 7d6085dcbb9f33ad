# One task runner. Every target bootstraps .venv from requirements.lock on first use; `make lab`
# bootstraps .venv-lab from requirements-lab.lock.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# JupyterLab lives in an environment of its own: its packages slow every nbformat import in
# the test environment (jsonschema's format plugins), and the build never needs them.
LAB_VENV := .venv-lab
LAB_BIN := $(LAB_VENV)/bin
LAB_STAMP := $(LAB_VENV)/.installed
PYTEST_ARGS ?=
# Extra options for `jupyter lab`, e.g. make lab LAB_ARGS="--no-browser --port 8890".
LAB_ARGS ?=

.PHONY: help report test test-slow test-unprivileged test-all snapshots bench lint lab lock lock-lab browser-deps system-deps clean

help:
	@echo "make report      build the latest report on the shipped data (outputs/<period-end>/)"
	@echo "make test        the daily loop: every test but the slow end-to-end ones (~2 min)"
	@echo "make test-slow   the end-to-end builds, faults, browser and Dask tests (~3 min)"
	@echo "make test-unprivileged  the tests that need file modes to bind, as root without capabilities"
	@echo "make test-all    all three; CI runs this (see .ci/run)"
	@echo "make snapshots   compare the shipped issue with its golden snapshots; UPDATE=1 rewrites them"
	@echo "make bench       benchmarks; prints the table recorded in benchmarks/README.md"
	@echo "make lint        ruff and mypy"
	@echo "make lab         JupyterLab on notebooks/ with the project's kernel (its own .venv-lab)"
	@echo "make lock        re-resolve requirements.lock and requirements-lab.lock from pyproject.toml"
	@echo "make lock-lab    re-resolve requirements-lab.lock alone (pinned to requirements.lock)"
	@echo "make clean       remove both environments and the caches"

# The C libraries WeasyPrint prints with (Debian packages). HarfBuzz's subsetter is the one a
# fresh machine lacks: without it WeasyPrint subsets fonts with fontTools and warns on every import.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/reportlib build

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser and not dask" $(PYTEST_ARGS)

# The browser tests need Chromium and chromedriver: `make browser-deps` installs them.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m "slow or browser or dask" $(PYTEST_ARGS)

# Tests that need file modes to bind run as root with every capability dropped (setpriv), so
# that a root CI machine runs them too; as any other user, `make test` and test-slow run them.
test-unprivileged: $(STAMP)
	$(if $(filter 0,$(shell id -u)),setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all) \
	  $(BIN)/python -m pytest -p no:cacheprovider -m unprivileged $(PYTEST_ARGS)

test-all: test test-slow test-unprivileged

# Golden snapshots of what readers see (tests/golden): `make snapshots` shows what changed,
# `make snapshots UPDATE=1` writes the report as built now; review the result with git diff.
snapshots: $(STAMP)
	$(BIN)/python -m pytest tests/reports/test_snapshots.py $(if $(UPDATE),--update-snapshots) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --record

lint: $(STAMP)
	$(BIN)/ruff check reportlib tests benchmarks
	$(BIN)/mypy

# The kernel is registered in .venv-lab under the name the notebooks ask for (python3), so
# JupyterLab runs them with this environment's Python and the project installed in it.
$(LAB_STAMP): pyproject.toml requirements-lab.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(LAB_VENV)
	$(LAB_BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.lock
	$(LAB_BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(LAB_BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (reportlib)" >/dev/null
	@touch $(LAB_STAMP)

# JupyterLab refuses to run as root unless told; a root session (a container, a VM's first
# login) is told here, and says so, rather than failing on Jupyter's own error.
lab: $(LAB_STAMP)
	@if [ "$$(id -u)" = 0 ]; then \
	  echo "make lab: running as root, so JupyterLab is started with --allow-root"; \
	  $(LAB_BIN)/jupyter lab --allow-root --ServerApp.root_dir=notebooks $(LAB_ARGS); \
	else \
	  $(LAB_BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_ARGS); \
	fi

system-deps:
	@if ! ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" != 0 ]; then echo "PDF printing needs $(PDF_LIBS): install them (apt-get install $(PDF_LIBS))"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_LIBS); \
	fi

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
	$(MAKE) lock-lab

# The lab environment resolves against requirements.lock, so every package the two share is
# the version the build uses: a notebook behaves in JupyterLab as it does in `reportlib build`.
lock-lab:
	rm -rf .lock-venv-lab
	$(PYTHON) -m venv .lock-venv-lab
	.lock-venv-lab/bin/pip install --quiet -c requirements.lock '.[lab]'
	{ echo "# Exact versions installed by \`make lab\` into .venv-lab (Python 3.11): JupyterLab and jupytext beside"; \
	  echo "# the report's dependencies, pinned to the same versions as requirements.lock. Regenerate with"; \
	  echo "# \`make lock\` (both files) or \`make lock-lab\` (this one); commit them together with pyproject.toml."; \
	  .lock-venv-lab/bin/pip freeze --exclude reportlib; } > requirements-lab.lock
	rm -rf .lock-venv-lab

clean:
	rm -rf $(VENV) $(LAB_VENV) .lock-venv .lock-venv-lab .pytest_cache .ruff_cache build *.egg-info
