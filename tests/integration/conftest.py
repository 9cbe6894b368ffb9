"""Integration tests: real PostgreSQL, Redis, Daphne and Celery (fixtures in tests/live.py)."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(real_db_setup):
    """The session's real, migrated PostgreSQL database (see tests/live.py)."""
