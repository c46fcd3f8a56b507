# Eco² — every target sets itself up: a fresh clone needs only `make demo` or `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3
# PostGIS for the facility search (domains/location), built for the PostgreSQL major installed.
PG_MAJOR := $(shell ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
APT_PACKAGES := python3-venv tesseract-ocr tesseract-ocr-kor libtesseract-dev libleptonica-dev pkg-config fonts-nanum chromium $(if $(PG_MAJOR),postgresql-$(PG_MAJOR)-postgis-3)
PYTEST_ARGS ?=

# The exact versions of uv.lock go into $(VENV) with uv, itself pinned (pyproject.toml's
# [tool.uv] required-version says the same) and installed from PyPI into a venv of its own, by
# scripts/install-python.sh: the Containerfile runs the same script, so CI proves its install.
UV_VENV := .uv
UV := $(UV_VENV)/bin/uv
export PYTHON
SYNC := bash scripts/install-python.sh $(UV_VENV) $(VENV) --extra dev --extra ocr

# The web app (web/): rebuilt when a source is newer than its build (scripts/build-web.sh).
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) $(wildcard web/*.json web/*.ts web/index.html)
WEB_BUILD := web/dist/index.html

.PHONY: help setup web system-deps services test lint demo demo-places serve clean upgrade image checkov security chaos bench-connections bench bench-quick

help:
	@echo "make demo    - run a scan-style demo on the embedded default (no servers needed)"
	@echo "make demo-places - import the sample districts, then search places, fees and tonight"
	@echo "make test    - install uv.lock's versions, ensure Redis/RabbitMQ/PostgreSQL, run the tests"
	@echo "make lint    - ruff, the import layers (import-linter), mypy"
	@echo "make serve   - eco2 serve on the loopback servers; open http://127.0.0.1:8000"
	@echo "make web     - build the web app (npm ci && npm run build) into web/dist"
	@echo "make upgrade - lock the newest allowed versions (uv lock --upgrade), reinstall, run the tests"
	@echo "make chaos   - eco2 serve under load while its parts and Redis are killed (tests/chaos)"
	@echo "make security - bandit on the code, pip-audit on uv.lock"
	@echo "make image   - build the container image (docker, podman or buildah, where one exists)"

system-deps:
	@bash scripts/system-deps.sh $(APT_PACKAGES)

$(STAMP): pyproject.toml uv.lock scripts/install-python.sh | system-deps
	$(SYNC)
	@touch $(STAMP)

# The item classifier, built once (lexicon, rule and gloss indexes) instead of at every rule
# or chat start (domains/knowledge/store.py); rewritten only when its fingerprint changed.
KNOWLEDGE_INPUTS := $(shell find domains/knowledge -type f -not -path '*__pycache__*' -not -name '*.pickle' -not -name '*.tmp')
KNOWLEDGE_MODEL := domains/knowledge/classifier.pickle

$(KNOWLEDGE_MODEL): $(STAMP) $(KNOWLEDGE_INPUTS)
	$(VENV)/bin/eco2 build-knowledge
	@touch $(KNOWLEDGE_MODEL)

# The chat's intent model, trained once from its data instead of at every chat start
# (domains/chat/model_store.py); the command rewrites it only when its fingerprint changed.
INTENT_MODEL := domains/chat/data/intent_model.pickle
INTENT_INPUTS := $(wildcard domains/chat/data/*.jsonl) domains/chat/classifier.py domains/chat/followups.py domains/chat/intents.py domains/chat/splitter.py domains/chat/fast_proba.py $(KNOWLEDGE_INPUTS)

$(INTENT_MODEL): $(STAMP) $(KNOWLEDGE_MODEL) $(INTENT_INPUTS)
	$(VENV)/bin/eco2 train-intents
	@touch $(INTENT_MODEL)

# The project's own sources compiled too (the venv's packages are, at install): processes here
# run with PYTHONDONTWRITEBYTECODE as the image's do, and would compile them at every start.
setup: system-deps $(STAMP) $(KNOWLEDGE_MODEL) $(INTENT_MODEL)
	@$(PY) -m compileall -q eco2 eventing domains functions

$(WEB_BUILD): $(WEB_SOURCES)
	@bash scripts/build-web.sh

web: $(WEB_BUILD)

services:
	@bash scripts/ensure-services.sh

test: setup services web
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # the layers: functions -> domains -> eventing, eco2 on top (.importlinter)
	$(VENV)/bin/mypy --config-file mypy.ini
	$(VENV)/bin/hadolint Containerfile

demo: setup web
	$(VENV)/bin/eco2 demo

demo-places: setup services
	$(VENV)/bin/eco2 data demo

# A local system: the dev login on (eco2 scan / eco2 chat sign in with it, and the web page
# at http://127.0.0.1:8000) unless set otherwise.
serve: setup services web
	ECO2_AUTH__DEV_LOGIN=$${ECO2_AUTH__DEV_LOGIN:-true} $(VENV)/bin/eco2 serve

upgrade: setup
	$(UV) lock --upgrade
	$(MAKE) test

# The chaos suite, longer than CI's short form: three rounds of every fault under load
chaos: setup services
	CHAOS_ROUNDS=$${CHAOS_ROUNDS:-3} $(PY) -m pytest -q -s -p no:cacheprovider tests/chaos

# bandit (a high-severity finding fails) and pip-audit on uv.lock
security: setup
	@bash scripts/security.sh

# checkov over the Containerfile, the rendered dev and prod overlays, the Argo CD Applications, the
# component folders (knative/, keda/, istio/) and terraform/; skips justified in scripts/checkov.sh
checkov:
	@bash scripts/checkov.sh

# One image for every function, the router, the gateway and the API (the command chooses).
image:
	@bash scripts/build-image.sh

clean:
	rm -rf $(VENV) $(UV_VENV) .tools .pytest_cache .ruff_cache *.egg-info

bench-connections: setup services
	$(PY) bench/sse_connections.py --clients 500

bench: setup services
	$(SYNC) --extra bench
	$(PY) bench/run.py --levels 100,300,500,1000,2000 --duration 60 --scale 1.0 --channel-mode both --name full

bench-quick: setup services
	$(SYNC) --extra bench
	$(PY) bench/run.py --quick

# One function alone, after changing only it: `make deploy FUNCTION=rule` applies its KEDA worker
# (Deployment + ScaledObject, kubectl apply, the default MODE=keda) or, with MODE=knative, its
# Knative Service as a new revision (kn service apply). IMAGE= sets the image of the new
# revision (Knative); NAMESPACE= the namespace. The Trigger, Broker and shared objects come with
# the whole overlay (README "Deploy").
DEPLOY_FUNCTIONS := vision rule answer reward chat
FUNCTION ?=
MODE ?= keda
NAMESPACE ?= eco2
IMAGE ?=
KEDA_MANIFESTS ?= keda/redis-streams
KNATIVE_MANIFESTS ?= knative
# kubectl apply -k wants a directory holding a kustomization; a function kept as one file is
# applied with -f.
DEPLOY_KEDA_SOURCE = $(if $(wildcard $(KEDA_MANIFESTS)/$(FUNCTION)/kustomization.yaml),-k $(KEDA_MANIFESTS)/$(FUNCTION),-f $(KEDA_MANIFESTS)/$(FUNCTION).yaml)
DEPLOY_CHECK = $(if $(filter $(FUNCTION),$(DEPLOY_FUNCTIONS)),,$(error FUNCTION='$(FUNCTION)' is not a function: use one of $(DEPLOY_FUNCTIONS), e.g. make deploy FUNCTION=rule))$(if $(filter $(MODE),keda knative),,$(error MODE='$(MODE)' is unknown: keda (the default) or knative))

.PHONY: deploy
deploy:
	$(DEPLOY_CHECK)
ifeq ($(MODE),knative)
	@command -v kn >/dev/null || { echo "make deploy: kn (the Knative CLI) is not on PATH: install it (see README, Deploy) or use MODE=keda" >&2; exit 127; }
	kn service apply eco2-$(FUNCTION) --namespace $(NAMESPACE) --filename $(KNATIVE_MANIFESTS)/$(FUNCTION)/service.yaml $(if $(IMAGE),--image $(IMAGE))
else
	@command -v kubectl >/dev/null || { echo "make deploy: kubectl is not on PATH: install it (see README, Deploy)" >&2; exit 127; }
	kubectl apply --namespace $(NAMESPACE) $(DEPLOY_KEDA_SOURCE)
endif
