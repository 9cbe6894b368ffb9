"""Sentry: off without SENTRY_DSN; with it, an exception in a view and in a
task each become an event tagged with the request id, with personal data
and credentials removed. Envelopes are captured by a transport in this
process (sentry-sdk's transport hook): nothing reaches the network."""

import json

import pytest
import sentry_sdk
from django.apps import apps
from django.test import Client
from sentry_sdk.transport import Transport

from observability import sentry as observability_sentry
from observability.request_ids import bound_request_id
from tests.factories import UserFactory
from tests.testapp.tasks import record_thread

KNOWN_ID = "c0ffee00112233445566"
DSN = "http://publickey@127.0.0.1:9/42"  # never contacted: the transport below


class CapturingTransport(Transport):
    """Keeps envelopes in memory instead of sending them."""

    envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


def captured_events():
    """The events (errors) of the captured envelopes, as sent."""
    return [
        envelope.get_event()
        for envelope in CapturingTransport.envelopes
        if envelope.get_event() is not None
    ]


@pytest.fixture
def sentry_events():
    CapturingTransport.envelopes.clear()
    observability_sentry.init_sentry(
        DSN, environment="staging", release="pressroom@1.2.3", transport=CapturingTransport
    )
    yield captured_events
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: a disabled client for the rest of the session
    CapturingTransport.envelopes.clear()


@pytest.mark.django_db
def test_a_view_exception_arrives_tagged_and_scrubbed(sentry_events, settings):
    settings.ROOT_URLCONF = "tests.unit.observability.failing_urls"
    user = UserFactory(username="ada", email="ada@example.com")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    session_cookie = client.cookies["sessionid"].value
    response = client.get(
        "/broken/?email=ada@example.com&token=abc123",
        HTTP_X_REQUEST_ID=KNOWN_ID,
        HTTP_AUTHORIZATION="Bearer secret-api-token",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    (event,) = sentry_events()
    assert event["tags"]["request_id"] == KNOWN_ID
    assert (event["environment"], event["release"]) == ("staging", "pressroom@1.2.3")
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == "could not ship to [email]"
    request = event["request"]
    assert "?" not in request.get("url", "")
    assert set(request.get("headers", {})) <= {"Host", "User-Agent", "X-Request-Id", "Content-Type"}
    assert "cookies" not in request and "query_string" not in request
    assert event.get("user", {}).keys() <= {"id"}
    sent = json.dumps(event)
    for secret in ("ada@example.com", session_cookie, "secret-api-token", "abc123", "203.0.113.9"):
        assert secret not in sent, secret
    # No frame locals: forms, orders and questions stay home.
    frames = exception["stacktrace"]["frames"]
    assert frames and not any("vars" in frame for frame in frames)


@pytest.mark.django_db
def test_a_task_exception_arrives_with_the_request_id_that_queued_it(sentry_events):
    with bound_request_id(KNOWN_ID):
        record_thread.delay("fail")
    sentry_sdk.flush()
    events = sentry_events()
    (event,) = [e for e in events if e["exception"]["values"][-1]["type"] == "RuntimeError"]
    assert event["tags"]["request_id"] == KNOWN_ID
    assert event["exception"]["values"][-1]["value"] == "this task fails on purpose"
    assert event["tags"].get("celery_task_id") or "celery" in json.dumps(event.get("extra", {}))


def test_scrub_event_keeps_only_what_identifies_no_one():
    event = {
        "user": {"id": "7", "email": "ada@example.com", "ip_address": "203.0.113.9"},
        "request": {
            "url": "https://example.com/checkout/?email=ada@example.com",
            "query_string": "email=ada@example.com",
            "cookies": {"sessionid": "s"},
            "data": {"full_name": "Ada"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
            "headers": {"Cookie": "sessionid=s", "Authorization": "Bearer t", "Accept": "*/*"},
        },
        "logentry": {
            "message": "mail to %s",
            "params": ["ada@example.com"],
            "formatted": "mail to ada@example.com",
        },
    }
    with bound_request_id(KNOWN_ID):
        scrubbed = observability_sentry.scrub_event(event)
    assert scrubbed["tags"] == {"request_id": KNOWN_ID}
    assert scrubbed["user"] == {"id": "7"}
    assert scrubbed["request"] == {
        "url": "https://example.com/checkout/",
        "headers": {"Accept": "*/*"},
    }
    assert scrubbed["logentry"] == {"message": "mail to %s", "formatted": "mail to [email]"}


def test_sentry_starts_only_with_a_dsn(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(observability_sentry, "init_sentry", lambda *a, **k: calls.append((a, k)))
    config = apps.get_app_config("observability")
    settings.SENTRY_DSN = ""
    config.ready()
    assert calls == []
    settings.SENTRY_DSN = DSN
    settings.SENTRY_ENVIRONMENT = "production"
    settings.SENTRY_RELEASE = "pressroom@2.0"
    config.ready()
    assert calls == [
        (
            (DSN,),
            {"environment": "production", "release": "pressroom@2.0", "traces_sample_rate": 0.0},
        )
    ]
