"""/readyz on real services, and when Redis is down."""

import json
import urllib.error
import urllib.request

from tests import servers


def get_json(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_readyz_is_green_on_postgres_and_redis(daphne):
    status, body = get_json(f"{daphne.url}/readyz")
    assert status == 200, body
    assert body["checks"]["database"] == {"ok": True, "backend": "postgresql"}
    assert body["checks"]["cache"] == {"ok": True, "backend": "redis"}
    assert body["checks"]["channel_layer"] == {"ok": True, "backend": "redis"}
    assert body["checks"]["celery_broker"] == {"ok": True, "backend": "redis"}


def test_readyz_names_redis_when_it_is_down_and_stays_ready(django_db_setup, service_settings_env):
    # Pages are served uncached without Redis: degraded (200), not unready.
    stopped = f"redis://127.0.0.1:{servers.free_port()}/0"
    server = servers.Daphne(
        extra_env={**service_settings_env, "REDIS_URL": stopped}, name="daphne-no-redis"
    )
    try:
        status, body = get_json(f"{server.url}/readyz")
    finally:
        server.stop()
    assert status == 200
    assert body["status"] == "degraded"
    assert set(body["failed"]) == {"cache", "channel_layer", "celery_broker"}
    for name in body["failed"]:
        assert body["checks"][name]["error"].startswith("redis: ")
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_unready_when_collectstatic_never_ran(django_db_setup, service_settings_env):
    import tempfile

    server = servers.Daphne(
        extra_env={
            **service_settings_env,
            "TEST_MANIFEST_STATIC": "1",
            "DJANGO_STATIC_ROOT": tempfile.mkdtemp(prefix="pressroom-no-static-"),
        },
        name="daphne-no-static",
    )
    try:
        status, body = get_json(f"{server.url}/readyz")
    finally:
        server.stop()
    assert status == 503
    assert body["failed"] == ["static_manifest"]
    assert "collectstatic" in body["checks"]["static_manifest"]["error"]
