# make demo: install everything and start the demo server at http://127.0.0.1:8000
# make test: run the whole test suite (DATABASE_URL=postgis://... for PostGIS)
SHELL := /bin/bash
# Debian's python3 can load the SpatiaLite extension; a pyenv build usually cannot.
SYSTEM_PYTHON ?= /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
ODK_CLIENT := ../shared/odk-client

RUNTIME_PACKAGES := python3-venv gdal-bin libsqlite3-mod-spatialite gettext default-jre-headless
TEST_PACKAGES := $(RUNTIME_PACKAGES) chromium

.PHONY: demo test install install-dev messages check serve static clean lock

demo: install messages static
	@# A demo database from before the apps were layered (areas, accounts, intake) cannot be
	@# migrated: its users lived in registry. Keep it aside and start a fresh demo.
	@if [ -f var/srs.sqlite3 ] && $(PY) -c "import sqlite3, sys; sys.exit(0 if sqlite3.connect('var/srs.sqlite3').execute(\"SELECT 1 FROM sqlite_master WHERE name = 'registry_user'\").fetchone() else 1)"; then \
		mv var/srs.sqlite3 var/srs.sqlite3.before-layers; rm -rf var/media; \
		echo "An older demo database was kept as var/srs.sqlite3.before-layers; a new demo is made."; \
	fi
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "SRS demo: open http://127.0.0.1:8000 and log in with a demo user above (password: demo)."
	$(PY) manage.py runserver 127.0.0.1:8000

test: install-dev messages
	@if [ -x $(ODK_CLIENT)/install.sh ]; then $(ODK_CLIENT)/install.sh; else echo "odk-client not found at $(ODK_CLIENT)"; exit 1; fi
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) -m pytest -n auto --dist loadfile --durations=15

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

$(VENV)/bin/python:
	deploy/system-packages.sh $(RUNTIME_PACKAGES)
	$(SYSTEM_PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.lock | $(VENV)/bin/python
	deploy/system-packages.sh $(RUNTIME_PACKAGES)
	$(VENV)/bin/pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock | $(VENV)/bin/python
	deploy/system-packages.sh $(TEST_PACKAGES)
	$(VENV)/bin/pip install -q --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.runtime-installed

# Compiled catalogues are build output (not committed): make them when a .po changed.
messages: locale/id/LC_MESSAGES/django.mo
locale/id/LC_MESSAGES/django.mo: locale/id/LC_MESSAGES/django.po | $(VENV)/bin/python
	$(PY) manage.py compilemessages -v0 -l id

# Regenerate the lock files after changing dependencies in pyproject.toml.
lock: install-dev
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements.lock pyproject.toml
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --extra dev -o requirements-dev.lock pyproject.toml

serve: install messages static
	$(PY) manage.py runserver 127.0.0.1:8000

# The stylesheet and the other static files, each with a gzip copy that whitenoise serves.
static: install
	$(PY) manage.py collectstatic --no-input -v0

clean:
	rm -rf var/ .pytest_cache
