# Pressroom: `make run` serves the site with demo content on embedded defaults;
# `make test` runs lint, migration checks and the whole test suite.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-unit test-integration lint install install-dev requirements clean check-cpu-only

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# torch without CUDA: the PyTorch CPU wheel index when it answers (plain PyPI's
# Linux torch pulls GB of nvidia-* packages), else the configured index (a
# mirror serving the CPU wheel). TORCH_INDEX_URL= (empty) switches it off.
TORCH_PIP_ARGS = $(shell $(PYTHON) deploy/cpu_only_install.py pip-args)

# Reinstall only when the pinned requirements change.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(PY) -m pip install --quiet $(TORCH_PIP_ARGS) -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet $(TORCH_PIP_ARGS) -r requirements.txt -r requirements-dev.txt
	touch $@

# Resolve the requirements as a fresh install would (metadata only) and fail
# on any nvidia-*/CUDA package.
check-cpu-only: | $(BIN)/python
	$(PYTHON) deploy/cpu_only_install.py check requirements.txt --python $(PY)

install: $(VENV)/.runtime-installed

# Lock the direct dependencies (requirements*.in) into the pinned
# requirements*.txt. pip-compile keeps every pin already in the .txt files
# that still satisfies the .in ranges; to move a package, edit its range or run
# e.g. `make requirements PIP_COMPILE_ARGS="--upgrade-package django"`.
# The torch pin names the release, not the local build label (+cpu) of the wheel
# this machine resolves it from, so the file means the same wherever torch comes from.
PIP_COMPILE := $(BIN)/pip-compile --quiet --no-allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(PIP_COMPILE_ARGS)

requirements: $(VENV)/.dev-installed
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	sed -i -E 's/^(torch==[^+ ]+)\+[A-Za-z0-9.]+/\1/' requirements.txt
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

install-dev: $(VENV)/.dev-installed

# Every absolute URL (canonical, og:url, JSON-LD, sitemap, feeds, emails,
# admin links) follows the address served: seed_demo moves the demo Site to
# WAGTAILADMIN_BASE_URL, which defaults to HOST and PORT (a wildcard HOST is
# published as localhost). Output unbuffered, so it comes in order when piped.
PUBLIC_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST))
run: export WAGTAILADMIN_BASE_URL ?= http://$(PUBLIC_HOST):$(PORT)
run: export DJANGO_ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1],$(PUBLIC_HOST)
run: export PYTHONUNBUFFERED = 1

run: install
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@echo ""
	@echo "  Pressroom is running at  $(WAGTAILADMIN_BASE_URL)/"
	@echo "  Wagtail admin:           $(WAGTAILADMIN_BASE_URL)/admin/"
	@echo "  Admin logins, by username: admin, editor, author, moderator, shopmanager"
	@echo "  Site logins, by email:     reader@example.com (a reader: no admin access),"
	@echo "                             or any admin login's <username>@example.com"
	@echo "  Password for every demo login: pressroom"
	@echo "  The first run indexes the demo for search and the assistant in the background"
	@echo "  (progress below and in the admin). Django's debug pages are on: see the"
	@echo "  site's own 404/500 pages with  make run DJANGO_DEBUG=0 . Reset the demo: make clean"
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

test: lint check-cpu-only test-unit test-integration

# Reset the demo: the database, uploads and caches (the .venv stays).
clean:
	rm -rf var media tests/artifacts .pytest_cache .ruff_cache
