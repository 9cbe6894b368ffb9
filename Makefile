# Pressroom: `make run` serves the site with demo content on embedded defaults;
# `make test` runs lint, migration checks and the whole test suite.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-unit test-integration lint install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements change.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed

run: install
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@echo ""
	@echo "  Pressroom is running at  http://$(HOST):$(PORT)/"
	@echo "  Wagtail admin:           http://$(HOST):$(PORT)/admin/"
	@echo "  Log in as admin / pressroom (also editor, author, moderator, shopmanager, reader)"
	@echo ""
	@exec $(BIN)/daphne -b $(HOST) -p $(PORT) --websocket-max-message-size 1048576 config.asgi:application

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

test-unit: install-dev
	$(PY) -m pytest tests/unit

# Integration and browser tests start PostgreSQL+pgvector, Redis, Daphne,
# a Celery worker and Chromium themselves.
test-integration: install-dev
	$(PY) -m pytest --real-services tests/integration tests/e2e

test: lint test-unit test-integration

clean:
	rm -rf var media tests/artifacts .pytest_cache .ruff_cache
