"""A dead backing service costs a degraded page or a 503, never a 500 or a hang:
the Redis cache degrades to misses, rate limits decide explicitly, and a
database outage anywhere in the request answers the site's 503 page."""

import pytest
from django.db import OperationalError
from django.test import Client

from core import cache as resilient
from core import rate_limits
from core.cache import CacheUnavailable, ResilientRedisCache
from core.rate_limits import Budget

DEAD_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing answers


@pytest.fixture
def dead_cache(settings, monkeypatch):
    settings.REDIS_RETRY_SECONDS = 60
    monkeypatch.setattr(resilient, "_breakers", {})
    backend = ResilientRedisCache(
        DEAD_REDIS,
        {"KEY_PREFIX": "outage-test", "OPTIONS": {"socket_connect_timeout": 0.2}},
    )
    calls = []
    real_get = backend._cache.get

    def counting_get(*args, **kwargs):
        calls.append(args)
        return real_get(*args, **kwargs)

    monkeypatch.setattr(backend._cache, "get", counting_get)
    return backend, calls


def test_a_dead_redis_reads_as_misses_and_writes_as_nothing(dead_cache):
    backend, _calls = dead_cache
    assert backend.get("anything", "fallback") == "fallback"
    assert backend.get_many(["a", "b"]) == {}
    assert backend.add("k", 1) is False
    backend.set("k", 1)  # no exception
    backend.delete("k")
    assert backend.get_or_set("computed", lambda: 42) == 42
    with pytest.raises(CacheUnavailable):
        backend.incr("counter")


def test_after_a_failure_the_cache_is_not_tried_again_until_the_retry_time(dead_cache):
    backend, calls = dead_cache
    backend.get("first")
    backend.get("second")
    backend.get("third")
    assert len(calls) == 1  # one network attempt, then the breaker answers
    assert not resilient.cache_is_reachable("outage-test")


def test_rate_limits_fail_open_or_closed_as_the_caller_chooses(monkeypatch):
    def unavailable(*args, **kwargs):
        raise CacheUnavailable("down")

    monkeypatch.setattr(rate_limits.cache, "incr", unavailable)
    budget = Budget("search", "ip:203.0.113.9", limit=1)
    assert rate_limits.attempt([budget]).allowed
    refused = rate_limits.attempt([budget], when_unavailable="refuse")
    assert not refused.allowed and refused.unavailable
    assert refused.retry_after == rate_limits.RETRY_WHILE_UNAVAILABLE


@pytest.mark.django_db
def test_a_database_outage_while_reading_the_session_is_the_sites_503(monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    def database_gone(self):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    monkeypatch.setattr(SessionStore, "load", database_gone)
    response = client.get("/search/")  # the page reads the session for its header
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Back in a moment" in html and "OperationalError" not in html


@pytest.mark.django_db
def test_a_bug_is_still_a_500(monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    def bug(self):
        raise KeyError("not an outage")

    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    monkeypatch.setattr(SessionStore, "load", bug)
    response = client.get("/search/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_a_task_the_broker_cannot_take_is_parked_then_resent(monkeypatch):
    from config.celery_app import app
    from config.celery_tasks import send_or_park
    from core.models import ParkedTask
    from core.tasks import resend_parked_tasks, send_email

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_email, "apply_async", broker_down)
    email = {"subject": "Paid", "text": "t", "html": "", "recipients": ["a@example.com"]}
    send_or_park(send_email, (), {**email, "from_email": "shop@example.com"})
    parked = ParkedTask.objects.get()
    assert parked.task_name == "core.tasks.send_email"
    assert parked.kwargs["recipients"] == ["a@example.com"]
    assert "Connection refused" in parked.last_error

    monkeypatch.setattr(app, "send_task", broker_down)
    resend_parked_tasks()  # still down: kept, attempt counted
    assert ParkedTask.objects.get().attempts == 1

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args, kwargs: sent.append((name, kwargs)))
    resend_parked_tasks()
    assert sent == [("core.tasks.send_email", {**email, "from_email": "shop@example.com"})]
    assert not ParkedTask.objects.exists()
