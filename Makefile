# Montage Run — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint install install-test system-test-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the package metadata changes.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: create .venv, install, get the street network if none is cached, serve on :8000
run: install
	@$(BIN)/tourapp network fetch --if-missing || echo "Serving without street data for now; 'tourapp network fetch' tries again."
	$(BIN)/tourapp serve --host $(HOST) --port $(PORT)

## make test: install the test extras and the system tools the tests drive, lint and type-check, then pytest
test: install-test system-test-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make lint: ruff (pyproject.toml) and mypy (setup.cfg) over the whole tree; make test runs it first
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

# Debian's chromium (driven by Playwright) and gpsbabel (reads our GPX back).
system-test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v gpsbabel >/dev/null 2>&1 || missing="$$missing gpsbabel"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing (run: sudo apt-get install$$missing); their tests will be skipped"; \
	  fi; \
	fi

## make bench: print the benchmark figures (see README)
bench: install-test
	$(BIN)/python benchmarks/page_weight.py
	$(BIN)/python benchmarks/routing.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
