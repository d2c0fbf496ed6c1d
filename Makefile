# xinyong: two commands on a fresh machine — `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_SUBJECTS ?= 3000
DEMO_SEED ?= 20261121
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install setup run test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Migrate the configured database (SQLite under var/ by default), load the department
# directory and, if the database holds no subjects yet, the deterministic demo city (with its
# 信易贷 sandbox: two banks, their staff and keys, printed once when first made).
setup: install
	$(BIN)/xinyong db upgrade
	$(BIN)/xinyong departments sync
	$(BIN)/xinyong demo --subjects $(DEMO_SUBJECTS) --seed $(DEMO_SEED) --if-empty
	$(BIN)/xinyong search reindex --if-empty
	$(BIN)/xinyong financing sandbox

run: setup
	$(BIN)/xinyong serve --host $(HOST) --port $(PORT)

# One pytest-xdist worker per core; a module's tests stay on one worker (--dist loadscope), so
# its module-scoped live city is built once. Databases and files are per worker (tests/conftest.py).
test: install
	$(BIN)/pytest -q -n auto --dist loadscope --durations=15

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format src tests bench migrations
	$(BIN)/ruff check --fix src tests bench

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var build *.egg-info
