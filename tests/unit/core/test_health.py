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


def test_readyz_names_a_failing_service(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert "cache" in body["failed"]
    assert body["checks"]["cache"]["error"].startswith("redis: ")
    assert body["checks"]["database"]["ok"] is True


def test_readyz_refuses_post(client):
    assert client.post("/readyz").status_code == 405
