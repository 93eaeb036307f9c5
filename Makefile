# prm — developer entry points. `make help` lists the targets.
#
#   make run     fresh clone -> running app on http://127.0.0.1:$(PORT) (SQLite, eager tasks);
#                PORT=8080 (command line or environment) serves on another port
#   make test    ruff check + pytest on every CPU (PYTEST_ARGS=... extra arguments, TEST_WORKERS=0 one process)
#
# DATABASE_URL / REDIS_URL (and every other setting) are read from the environment
# by prm.settings; when unset, `make run` uses var/db.sqlite3 and runs tasks in-process.

PYTHON     ?= python3
VENV       ?= .venv
PORT       ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per CPU; TEST_WORKERS=0 runs in this process (quicker for a single file).
TEST_WORKERS ?= auto

PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
RUFF   := $(VENV)/bin/ruff
CELERY := $(VENV)/bin/celery
MANAGE := $(PY) manage.py

# Stamp files: pip only runs again when pyproject.toml is newer than the stamp.
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test lint format worker beat clean

# Local, interactive targets default to DEBUG=1 so they work on a bare machine
# (no SECRET_KEY, no TLS). An explicit DEBUG in the environment wins.
run worker beat: export DEBUG ?= 1

help:
	@echo "make run      install, migrate, seed demo data, collectstatic, serve on http://127.0.0.1:$(PORT)/"
	@echo "              (another port: make run PORT=8080)"
	@echo "make test     install with the dev extra, ruff check, pytest \$$PYTEST_ARGS"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make format   apply ruff fixes and formatting"
	@echo "make worker   celery worker (needs REDIS_URL)"
	@echo "make beat     celery beat (needs REDIS_URL)"
	@echo "make clean    remove $(VENV) and var/"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

# The dev extra is a superset of the runtime install, so it refreshes both stamps.
$(STAMP_DEV): pyproject.toml | $(PY)
	$(PIP) install -e '.[dev]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
install-dev: $(STAMP_DEV)

run: install
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --noinput
	@echo
	@echo "=================================================================="
	@echo "  prm is starting on  http://127.0.0.1:$(PORT)/"
	@echo "  log in at           http://127.0.0.1:$(PORT)/accounts/login/"
	@echo "  (demo logins are printed above by seed_demo; Ctrl-C to stop)"
	@echo "=================================================================="
	@echo
	exec $(MANAGE) runserver 127.0.0.1:$(PORT)

test: install-dev
	$(RUFF) check .
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(RUFF) check .
	$(RUFF) format --check .

format: install-dev
	$(RUFF) check --fix-only .
	$(RUFF) format .

worker: install
	exec $(CELERY) -A prm worker -l info

beat: install
	mkdir -p var
	exec $(CELERY) -A prm beat -l info -s var/celerybeat-schedule

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
