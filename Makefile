# Feedforward Lab. Every target bootstraps .venv itself; `make help` lists them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`; their browser tests share one server (tests/browser/server.py).
# Three on two cores: a browser test spends part of its time waiting for the page, which a third worker fills.
TEST_WORKERS ?= 3

# Single-threaded BLAS: the server runs one computation per core already (see app/__init__.py).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.DEFAULT_GOAL := help
.PHONY: help run test lint bench load scale-test docker-test clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml scripts/bootstrap_venv.py
	$(PYTHON) scripts/bootstrap_venv.py $(VENV)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP) ## Start the app on http://127.0.0.1:8000
	$(PY) -m uvicorn app.main:app --http app.server:HTTPProtocol --host $(HOST) --port $(PORT) --no-access-log

lint: $(STAMP) ## Ruff on the code, hadolint on the Dockerfile
	$(VENV)/bin/ruff check .
	$(VENV)/bin/hadolint Dockerfile

test: lint ## Everything: lint, unit, API, page and browser tests
	$(PY) scripts/ensure_browser.py
	$(PY) -m pytest -n $(TEST_WORKERS)

bench: $(STAMP) ## Measure speed; writes bench/RESULTS.md
	$(PY) -m bench.run

load: $(STAMP) ## 32 clients, 60 s of mixed load on uvicorn with 2 workers; writes bench/LOAD.md
	$(PY) scripts/load.py

scale-test: $(STAMP) ## nginx (deploy/nginx.conf) + 3 replicas, 300 students for 60 s, one replica killed; writes bench/SCALE.md
	$(PY) scripts/scale_test.py $(SCALE_ARGS)

docker-test: ## Build the image for real (debootstrap + podman, no daemon) and smoke-test /healthz
	scripts/docker_test.sh

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
