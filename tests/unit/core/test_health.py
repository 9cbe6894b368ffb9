import json

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_services(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_embedded_services(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert body["checks"]["database"] == {"ok": True, "backend": "sqlite3"}
    assert body["checks"]["cache"] == {"ok": True, "backend": "local memory"}
    assert body["checks"]["channel_layer"] == {"ok": True, "backend": "in memory"}
    # Embedded mode runs Celery tasks in-process: there is no broker to check.
    assert "celery_broker" not in body["checks"]


def test_readyz_names_a_degraded_cache_but_stays_ready(client, settings):
    # Pages are served uncached while Redis is down: degraded, not unready.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert "cache" in body["failed"]
    assert body["checks"]["cache"]["error"].startswith("redis: ")
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_unready_without_a_static_manifest(client, settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path  # collectstatic never ran here
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["static_manifest"]
    assert "collectstatic" in body["checks"]["static_manifest"]["error"]


def test_readyz_answers_within_its_budget_when_a_check_hangs(client, monkeypatch):
    import threading

    from core import health

    release = threading.Event()
    checks = health.readiness_checks()
    checks["database"] = (lambda: release.wait(5), "postgresql")
    monkeypatch.setattr(health, "readiness_checks", lambda: checks)
    try:
        response = client.get("/readyz")
    finally:
        release.set()
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"] == "postgresql: no answer within 0.5 s"


def test_readyz_refuses_post(client):
    assert client.post("/readyz").status_code == 405
