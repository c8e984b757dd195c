# The two commands of the README: `make run` (the pipeline once, on a sample if nothing was delivered)
# and `make test` (lint + tests). Both install the locked dependencies into .venv first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8

# One data root; Airflow's metadata lives in the project (SQLite) so nothing outside it is touched.
export READINESS_DATA_DIR ?= $(CURDIR)/data
export AIRFLOW_HOME ?= $(CURDIR)/airflow_home
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN ?= sqlite:///$(AIRFLOW_HOME)/airflow.db
export AIRFLOW__LOGGING__LOGGING_LEVEL ?= WARNING
# Telemetry off everywhere: the pipeline carries HR data (mirrors readiness.config.TELEMETRY_OFF).
export DO_NOT_TRACK := 1
export SCARF_ANALYTICS := false
export SCARF_NO_ANALYTICS := true
export AIRFLOW__USAGE_DATA_COLLECTION__ENABLED := False
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export GX_ANALYTICS_ENABLED := False
export PATH := $(BIN):$(PATH)

# The run's logical date (the as-of date of the marts); today in UTC unless given.
AS_OF ?= $(shell date -u +%F)
EMPLOYEES ?= 1000
POOL := readiness_duckdb

.PHONY: help install run test test-superset lint dbt-parse dbt-docs bench clean serve serve-stop
help:
	@echo "make run    - install, generate a sample if landing/ is empty, run the nightly DAG once, print a summary"
	@echo "make test   - install, lint (ruff, sqlfluff) and run the tests"
	@echo "make test-superset - a native Superset on the marts: SQL Lab reaches nothing else, no outside request"
	@echo "make bench  - BENCH_SIZE=S|M|L: floor, full build and one night through the DAG (benchmarks/results/)"
	@echo "make serve  - run Airflow as a service on this machine (Celery if AIRFLOW__CELERY__BROKER_URL is set)"
	@echo "make serve-stop - stop what make serve started"

# Install exactly the locked versions (requirements.lock, compiled by uv from pyproject.toml).
$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	@$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

install: $(VENV)/.installed

dbt-parse: install
	@readiness dbt-parse

$(AIRFLOW_HOME)/.initialised: $(VENV)/.installed
	@mkdir -p $(AIRFLOW_HOME)
	@airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/db-migrate.log; exit 1)
	@airflow pools set $(POOL) 1 "single writer of the DuckDB warehouse" > /dev/null
	@touch $@

run: install $(AIRFLOW_HOME)/.initialised
	@readiness generate-if-empty --employees $(EMPLOYEES)
	@readiness dbt-parse
	@readiness night --as-of $(AS_OF) --log $(AIRFLOW_HOME)/dags-test.log \
		|| (grep -E "ERROR|Error|Failed|failed" $(AIRFLOW_HOME)/dags-test.log | tail -40; \
		    readiness summary || true; exit 1)
	@readiness summary

# Airflow as a service without Docker (README, "Running as a service"): the components of
# docker-compose.yml as processes, with its settings (deploy/airflow.env). Celery workers when
# AIRFLOW__CELERY__BROKER_URL is set (then AIRFLOW__DATABASE__SQL_ALCHEMY_CONN must be Postgres),
# otherwise the LocalExecutor.
WORKERS ?= 2
API_PORT ?= 8080
serve: install
	@readiness dbt-parse
	@python -m readiness.service start --workers $(WORKERS) --api-port $(API_PORT)

serve-stop: install
	@python -m readiness.service stop

# sqlfluff's dbt templater compiles the project: it needs the databases the profile names.
LINT_DIR := $(CURDIR)/.lint
lint: install
	@ruff check .
	@ruff format --check .
	@readiness dbt-sources --check
	@readiness docs --check
	@readiness init-db $(LINT_DIR)/ingest.duckdb > /dev/null
	@READINESS_INGEST_DB=$(LINT_DIR)/ingest.duckdb READINESS_CANDIDATE_DB=$(LINT_DIR)/candidate.duckdb \
		READINESS_AS_OF_DATE=$(AS_OF) sqlfluff lint dbt_project --processes 2

# The DAG renders dbt from its manifest, so the manifest is written before the DAG tests import it.
# The native Superset (installing it and migrating its metadata DB takes minutes) is a step of its own.
# Two workers (one per core; a module's tests stay on one worker, its fixtures built once), and the
# slowest tests listed at the end so a test that grows is seen.
PYTEST_WORKERS ?= 2
test: lint dbt-parse
	@pytest --ignore=tests/superset -n $(PYTEST_WORKERS) --dist loadfile --durations=15

# A real Superset in its own environment (docker/superset/requirements.lock, into .superset/), provisioned
# by docker/superset/superset-init.sh, attacked through SQL Lab and loaded in headless Chromium.
# Its own --basetemp (inside .superset/): Superset's home lives there for minutes, and the default
# /tmp/pytest-of-<user> keeps only the last three runs of the user, so a concurrent pytest run would delete it.
test-superset: install
	@mkdir -p $(CURDIR)/.superset
	@pytest tests/superset --basetemp=$(CURDIR)/.superset/pytest

# The scale benchmark: generates the tier once (benchmarks/.cache/), prints a table and writes
# benchmarks/results/$(BENCH_SIZE).json (benchmarks/RESULTS.md). `make test` runs it at S as a smoke test
# (tests/test_bench.py, into a temporary folder), asserting what it measured, never how long it took.
BENCH_SIZE ?= S
BENCH_RESULTS ?= $(CURDIR)/benchmarks/results
bench: install
	@python benchmarks/bench.py --size $(BENCH_SIZE) --results $(BENCH_RESULTS)

clean:
	rm -rf $(AIRFLOW_HOME) dbt_project/target dbt_project/logs
