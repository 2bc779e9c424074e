# SELEC Exchange: `make demo` runs the application with demo data, `make test` runs the suite.
# Both create and update .venv from pyproject.toml; nothing needs installing by hand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Two pytest-xdist workers per core: most tests wait on PostgreSQL, Redis, a worker or a browser
# rather than compute, so a core serves two (`.ci/run` from a fresh clone on 2 cores: about 20
# minutes with one worker per core, 11 with two).
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))

.PHONY: demo test install lint lock chromium gettext messages stop-db serve compose-check reliability

# The compiled catalogues (locale/*/LC_MESSAGES/django.mo) are built from the checked-in .po
# files, never committed: each is rebuilt when its .po changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,embedded]"
	@touch $@

install: $(INSTALLED)

demo: export SELEC_ENV ?= development
demo: $(INSTALLED) messages
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py load_demo_history
	@echo ""
	@echo "SELEC Exchange is starting at http://127.0.0.1:8000/"
	@echo "  Log in as lo.ro, lo.bg, lo.tr, lo.gr, lo.al, nfp.bg, nfp.ro, obs.at, op.it, analyst, reviewer, dpo or admin"
	@echo "  Password: \$$DEMO_PASSWORD, or 'selec-demo-password' when it is unset"
	@echo "  TOTP code: $(BIN)/python manage.py demo_totp lo.ro"
	@echo ""
	@$(MAKE) --no-print-directory serve

# Serves the application, with a Celery worker beside it when a broker is configured.
serve:
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		$(BIN)/celery -A selec worker --loglevel INFO & worker=$$!; \
		trap 'kill $$worker' EXIT INT TERM; \
	fi; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Regenerates requirements.lock, the production image's dependencies with their hashes: the
# main dependencies of pyproject.toml only (no extras, so no pgserver), for CPython 3.11 on
# Linux x86_64 whatever machine runs it. uv runs from a throwaway venv, deleted afterwards,
# so it is never one of the project's dependencies. Pins already in the lock are kept while
# pyproject.toml allows them; `make lock LOCK_FLAGS=--upgrade` takes the newest releases.
lock:
	@tmp="$$(mktemp -d)" && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && \
	"$$tmp/bin/python" -m pip install --quiet "uv>=0.13,<0.14" && \
	"$$tmp/bin/uv" pip compile pyproject.toml --quiet --generate-hashes \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		--custom-compile-command "make lock" $(LOCK_FLAGS) -o requirements.lock

# The reliability scenarios with longer loads and the real periodic schedules, one after the
# other, and their summary table (docs/reliability.md). Each starts its own PostgreSQL, Redis,
# gunicorn, Celery and mail server on loopback ports; the machine's services are untouched.
reliability: export SELEC_ENV = test
reliability: $(INSTALLED)
	$(BIN)/python -m tests.reliability.run_long

# Validates docker-compose.yml with Compose itself (Debian's docker-compose 1.29, installed
# when missing, with sudo unless root); no Docker engine needed.
compose-check:
	sh docker/check-compose.sh

# GNU gettext's msgfmt compiles the catalogues (Debian's package, installed when missing).
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gettext >/dev/null; }

# --check-format: a translation whose placeholders differ from the English is refused here too.
%.mo: %.po | gettext
	msgfmt --check-format -o $@ $<

messages: $(MO_FILES)

# Debian's Chromium drives the browser tests (Playwright's own download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: export SELEC_ENV = test
test: $(INSTALLED) chromium messages lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# The embedded PostgreSQL keeps running between commands; this stops it (SIGINT: fast shutdown).
stop-db:
	@if [ -f var/pgdata/postmaster.pid ]; then \
		kill -INT "$$(head -n 1 var/pgdata/postmaster.pid)" && echo "Embedded PostgreSQL stopped."; \
	else echo "Embedded PostgreSQL is not running."; fi
