# pru_cases: `make run` for a local demo, `make test` for the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
export DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/pru_cases
export REDIS_URL ?= redis://127.0.0.1:6379/0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Development settings for `make run` (production reads the same names from its environment).
# MFA_REQUIRED_ROLES is empty and MFA_REQUIRED_FOR_EVERYONE is False so the demo logins go straight in; production
# requires a second factor of everyone. DEBUG=True lets the demo run without a SECRET_KEY of its own.
RUN_ENV := DEBUG=True SECURE=False STATIC_MANIFEST=False MFA_REQUIRED_ROLES= MFA_REQUIRED_FOR_EVERYONE=False \
	MAIL_BACKEND=django.core.mail.backends.console.EmailBackend

.PHONY: help run test bench services install install-test static migrate demo lint check-migrations

help:
	@echo "make run    install, migrate, load demo data, start web + worker + beat"
	@echo "make test   install test tools, start Postgres and Redis if needed, run the whole suite"
	@echo "make bench  load a large data set, serve it with gunicorn and drive each page with wrk"
	@echo "make check-migrations  migrate a database made by MIGRATION_BASE forward and check nothing was lost"

$(VENV)/bin/python:
	@python=$$(scripts/find-python.sh) && "$$python" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-test.txt
	@touch $@

static/vendor/.installed: package-lock.json
	scripts/vendor-static.sh

services:
	@scripts/ensure-services.sh

install: $(VENV)/.installed static/vendor/.installed

install-test: $(VENV)/.installed-test static/vendor/.installed

static: static/vendor/.installed

migrate: services install
	@scripts/ensure-database.sh
	$(RUN_ENV) $(PY) manage.py migrate --no-input

demo: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo --if-empty

run: demo
	@$(RUN_ENV) scripts/run-dev.sh

test:
	@scripts/ensure-services.sh --browser
	@$(MAKE) --no-print-directory install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest
	@$(MAKE) --no-print-directory check-migrations

# A database made by an earlier release (MIGRATION_BASE: main before the concern log and the outcomes left the pupils
# app) must migrate forward with every row, history event and trigger kept. About a minute and a half.
MIGRATION_BASE ?= beef869
check-migrations: services install
	MIGRATION_BASE=$(MIGRATION_BASE) $(PY) scripts/check_forward_migration.py

# The load benchmark: BENCH_ARGS="--pupils 2000 --seconds 5" for a quick run.
bench: services install
	@command -v wrk >/dev/null || (sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); $$sudo apt-get install -y -qq wrk >/dev/null)
	$(PY) scripts/bench.py $(BENCH_ARGS)

lint: install-test
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
