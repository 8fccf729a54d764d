# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
# `make worker` and `make beat` run the background jobs against a broker (CELERY_BROKER_URL).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run worker beat require-broker test install install-dev messages compile-messages migrate seed bench load lint format check clean backup restore cluster cluster-stop drill

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## French catalogs, compiled with Babel (pure Python, no gettext needed): locale (ours, from
## `make messages`) and locale_thirdparty (hand-kept French for allauth's own messages)
compile-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --domain django --directory locale
	$(VENV)/bin/pybabel compile --domain django --directory locale_thirdparty

## Re-extract the messages from the code (needs GNU gettext); then translate locale/fr
messages: $(VENV)/.installed
	$(MANAGE) makemessages -l fr --ignore=.venv --ignore=tests --no-obsolete
	$(MAKE) compile-messages

migrate: $(VENV)/.installed compile-messages
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: seed
	$(MANAGE) runserver $(HOST)

## Background jobs: without CELERY_BROKER_URL tasks run in-process and neither is needed.
require-broker:
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0" >&2; exit 1; }

worker: require-broker migrate
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: require-broker migrate
	$(VENV)/bin/celery -A config beat --loglevel=INFO

## Backups of the database named by DATABASE_URL: pg_dump/pg_restore on PostgreSQL,
## dumpdata/loaddata (JSON) on SQLite. BACKUP_FILE names the file (backup: default backups/…).
## restore refuses a database that holds data unless FORCE=1 (it then replaces everything).
BACKUP_FILE ?=
FORCE ?=

backup: $(VENV)/.installed
	$(MANAGE) backup $(if $(BACKUP_FILE),--output "$(BACKUP_FILE)")

restore: $(VENV)/.installed
	@test -n "$(BACKUP_FILE)" || { echo "Set BACKUP_FILE to the file made by make backup" >&2; exit 1; }
	$(MANAGE) restore "$(BACKUP_FILE)" $(if $(filter 1 true yes,$(FORCE)),--force)

## Benchmark at 5,000 partnerships (SQLite; PostgreSQL too when DATABASE_URL points at it),
## written to docs/benchmarks.md. BENCH_ARGS="--repeat 10 --seconds 5" for a quicker run.
bench: $(VENV)/.installed compile-messages
	$(PY) -m bench.run $(BENCH_ARGS)

## Under load, on PostgreSQL only (a benchmark, not part of CI): locust against gunicorn with
## 2 workers, capacity per page then a mixed read/write phase, about 4 minutes after seeding;
## written to docs/benchmarks.md. LOAD_DATABASE_URL names the database (default
## postgres://postgres@127.0.0.1:5432/bench_load: created, migrated, seeded when it has no
## partnership). LOAD_ARGS="--capacity-seconds 5 --mixed-seconds 15" for a quicker run.
load: $(VENV)/.installed-dev compile-messages
	$(PY) -m bench.loadtest $(LOAD_ARGS)

## The production topology on this machine (ops/cluster.sh: nginx HTTPS → two gunicorn →
## pgbouncer → its own PostgreSQL; its own Redis; two workers and beat; an S3-compatible store),
## loopback only, in CLUSTER_DIR (/tmp/partenariats-cluster). `make cluster-stop` ends it all.
cluster: $(VENV)/.installed-dev compile-messages
	ops/cluster.sh start

cluster-stop:
	ops/cluster.sh stop

## The fault drill (ops/drill.py): starts a cluster, loads it with locust while killing and
## pausing its pieces, checks that no acknowledged write was lost, then stops the cluster.
drill: $(VENV)/.installed-dev compile-messages
	$(PY) ops/drill.py $(DRILL_ARGS)

test: $(VENV)/.installed-dev compile-messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(VENV)/.installed-dev compile-messages
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
