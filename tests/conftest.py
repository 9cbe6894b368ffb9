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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the database is rolled back
    between tests, so cached fragments of earlier tests would be stale."""
    from django.conf import settings
    from django.core.cache import cache, caches

    from ai import vector_store

    yield
    vector_store.clear_cache()
    # Never with --real-services: the Redis cache is shared with Daphne and
    # the worker, and clear() flushes the whole Redis database.
    if not settings.REDIS_URL:
        cache.clear()
        caches["renditions"].clear()


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
