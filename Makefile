# The README's two commands: `make run` and `make test`. Both set up everything on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed-stamp
export PYTHONUNBUFFERED := 1

.PHONY: install run test bench export clean-nbs sysdeps

$(STAMP): setup.py settings.ini Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	# torch first: the CPU wheel on disk; a bare `torch` requirement would pull GBs of CUDA packages
	$(PIP) install -q torch==2.13.0 "setuptools<81"
	$(PIP) install -q -e ".[dev]"
	# BFCL v4 data only: its pinned dependencies conflict with ours
	$(PIP) install -q --no-deps bfcl-eval==2026.3.23
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

# system packages some tests need (browser tests); idempotent
sysdeps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)

run: install
	$(VENV)/bin/agentic-lab run

test: install sysdeps
	$(PY) -m pytest

bench: install
	$(PY) -m bench

export: install
	$(VENV)/bin/nbdev_export

clean-nbs: install
	$(VENV)/bin/nbdev_clean
