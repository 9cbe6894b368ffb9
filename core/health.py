"""Liveness and readiness endpoints for load balancers and orchestrators.

`/healthz` only says the process answers. `/readyz` says whether it can
serve pages: 503 when the database or the static files manifest is missing
(pages would fail), 200 otherwise. Redis, the channel layer and the broker
are checked and named too, but a failure there is "degraded", not "not
ready": pages are still served (uncached) while Redis restarts, and taking
every web process out of rotation for it would turn a degraded site into an
outage. Every check runs at once in its own thread, and the answer comes
within READY_BUDGET seconds whatever is down: a check still running by then
counts as failed ("timed out").
"""

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor, wait

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database():
    """Run a trivial query on the default database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    """Write, read and delete a key in the default cache."""
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("value written to the cache could not be read back")
    cache.delete(key)


async def _channel_layer_round_trip():
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "readyz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "readyz.ping":
        raise RuntimeError("channel layer returned an unexpected message")


def check_channel_layer():
    """Send a message to a fresh channel and receive it back."""
    async_to_sync(_channel_layer_round_trip)()


def check_celery_broker():
    """Open a connection to the Celery broker."""
    from config.celery_app import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def check_static_manifest():
    """The manifest `collectstatic` writes exists and lists files (a page
    without it is a 500 under the manifest storage)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    if settings.DEBUG or not hasattr(staticfiles_storage, "manifest_name"):
        return  # no manifest storage (tests, debug): nothing to find
    # What this process loaded at start-up is what its pages will use.
    if not staticfiles_storage.hashed_files:
        raise RuntimeError("no static files manifest: run `manage.py collectstatic`")


READY_BUDGET = 0.5  # seconds /readyz may take, whatever is down

# Checks whose failure means this process cannot serve pages.
REQUIRED = {"database", "static_manifest"}


def readiness_checks():
    """The checks that apply in the current configuration, by name."""
    checks = {
        "database": (check_database, settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]),
        "static_manifest": (check_static_manifest, "files"),
        "cache": (check_cache, "redis" if settings.REDIS_URL else "local memory"),
        "channel_layer": (check_channel_layer, "redis" if settings.REDIS_URL else "in memory"),
    }
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["celery_broker"] = (check_celery_broker, "redis")
    return checks


def _run_check(check):
    from django.db import close_old_connections

    try:
        check()
    finally:
        close_old_connections()  # the thread's own connection, if it opened one


# Checks run in their own threads so a hung service cannot hold the answer;
# a few spare threads absorb checks still stuck from an earlier probe.
_executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="readyz")


def run_checks(budget=READY_BUDGET):
    """{name: result} for every check, each given at most `budget` seconds
    (all run at once)."""
    checks = readiness_checks()
    futures = {name: _executor.submit(_run_check, check) for name, (check, _) in checks.items()}
    wait(futures.values(), timeout=budget)
    results = {}
    for name, (_check, backend) in checks.items():
        future = futures[name]
        if not future.done():
            error = f"no answer within {budget} s"
        else:
            exc = future.exception()
            error = None if exc is None else str(exc)
        if error is None:
            results[name] = {"ok": True, "backend": backend}
        else:
            logger.warning("readiness check %s (%s) failed: %s", name, backend, error)
            results[name] = {"ok": False, "backend": backend, "error": f"{backend}: {error}"}
    return results


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """200 when pages can be served (naming any degraded service); 503 when
    the database or the static manifest is missing."""
    results = run_checks()
    failed = [name for name, result in results.items() if not result["ok"]]
    blocking = [name for name in failed if name in REQUIRED]
    status = "error" if blocking else "degraded" if failed else "ok"
    body = {"status": status, "failed": failed, "checks": results}
    return JsonResponse(body, status=503 if blocking else 200)
