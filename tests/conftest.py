"""Fixtures shared by the whole suite."""

from pathlib import Path

import pytest

from tests.plugins.real_services import real_services

# Fixtures for tests against real servers (Daphne, Celery, PostgreSQL, Redis).
pytest_plugins = ["tests.live"]

TESTS_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if TESTS_DIR / "integration" in path.parents:
            item.add_marker(pytest.mark.integration)
        elif TESTS_DIR / "e2e" in path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def services(request):
    """PostgreSQL and Redis started by --real-services; fails (never skips) without."""
    started = real_services(request.config)
    if not started:
        pytest.fail(
            "This test needs real PostgreSQL and Redis: run pytest with --real-services "
            "(`make test` does)."
        )
    return started
