# Eco² — every target sets itself up: a fresh clone needs only `make demo` or `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := tesseract-ocr tesseract-ocr-kor libtesseract-dev libleptonica-dev pkg-config fonts-nanum
PYTEST_ARGS ?=

.PHONY: help setup system-deps services test lint demo serve clean bench-connections bench bench-quick

help:
	@echo "make demo   - run a scan-style demo on the embedded default (no servers needed)"
	@echo "make test   - install everything, ensure Redis/RabbitMQ/PostgreSQL, run the tests"
	@echo "make lint   - ruff"
	@echo "make serve  - eco2 serve on the loopback servers"

system-deps:
	@bash scripts/system-deps.sh $(APT_PACKAGES)

$(STAMP): pyproject.toml | system-deps
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev,ocr]"
	@touch $(STAMP)

setup: system-deps $(STAMP)

services:
	@bash scripts/ensure-services.sh

test: setup services
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

demo: setup
	$(VENV)/bin/eco2 demo

serve: setup services
	$(VENV)/bin/eco2 serve

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

bench-connections: setup services
	$(PY) bench/sse_connections.py --clients 500

bench: setup services
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) bench/run.py --levels 100,300,500,1000,2000 --duration 60 --scale 1.0 --channel-mode both --name full

bench-quick: setup services
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) bench/run.py --quick
