"""Liveness and readiness endpoints for load balancers and orchestrators.

`/healthz` only says the process answers. `/readyz` checks every backing
service this process depends on and names what failed, so an operator sees
"cache: redis: connection refused" rather than a bare 503.
"""

import logging
import uuid

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


def readiness_checks():
    """The checks that apply in the current configuration, by name."""
    checks = {
        "database": (check_database, settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]),
        "cache": (check_cache, "redis" if settings.REDIS_URL else "local memory"),
        "channel_layer": (check_channel_layer, "redis" if settings.REDIS_URL else "in memory"),
    }
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["celery_broker"] = (check_celery_broker, "redis")
    return checks


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """200 when every backing service answers; 503 naming the ones that do not."""
    results = {}
    failed = []
    for name, (check, backend) in readiness_checks().items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; report it, don't raise
            logger.warning("readiness check %s (%s) failed: %s", name, backend, exc)
            failed.append(name)
            results[name] = {"ok": False, "backend": backend, "error": f"{backend}: {exc}"}
        else:
            results[name] = {"ok": True, "backend": backend}
    body = {"status": "error" if failed else "ok", "failed": failed, "checks": results}
    return JsonResponse(body, status=503 if failed else 200)
