"""Sentry, only when SENTRY_DSN is set: errors from Django views, Channels
consumers (asyncio), Celery tasks and Redis calls, with the request id as a
tag and personal data removed before anything leaves the process."""

import sentry_sdk
from sentry_sdk.integrations.asyncio import AsyncioIntegration
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.integrations.redis import RedisIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

from observability.logs import redact
from observability.request_ids import current_request_id

# Field names whose values are replaced wherever they appear in an event
# (request data, extras, breadcrumbs' data), on top of Sentry's own list.
PERSONAL_FIELDS = [
    "email",
    "full_name",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "username",
    "first_name",
    "last_name",
    "ip",
    "client_ip",
    "checkout_owner",
    "idempotency_key",
    "question",
]
# Request parts that identify a person or hold a credential: dropped whole.
_DROPPED_REQUEST_KEYS = ("cookies", "data", "query_string", "env")
_KEPT_HEADERS = {"accept", "content-type", "content-length", "host", "user-agent", "x-request-id"}


def scrub_event(event, hint=None):
    """before_send: tag the event with the request id, keep only the user's
    id, drop cookies, bodies, query strings and identifying headers, and
    redact messages. Returns the event to send."""
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if user.get("id") else {}
    request = event.get("request")
    if request:
        for key in _DROPPED_REQUEST_KEYS:
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in _KEPT_HEADERS}
        if request.get("url"):
            request["url"] = request["url"].split("?", 1)[0]
    logentry = event.get("logentry")
    if logentry:
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = redact(logentry[key])
        logentry.pop("params", None)
    for exception in (event.get("exception") or {}).get("values", ()):
        if isinstance(exception.get("value"), str):
            exception["value"] = redact(exception["value"])
    return event


def scrub_breadcrumb(breadcrumb, hint=None):
    """before_breadcrumb: redact the message (log lines, Redis commands)."""
    if isinstance(breadcrumb.get("message"), str):
        breadcrumb["message"] = redact(breadcrumb["message"])
    return breadcrumb


def init_sentry(dsn, environment, release, traces_sample_rate=0.0, transport=None):
    """Start the Sentry SDK for this process (web, Daphne or worker)."""
    options = {}
    if transport is not None:
        options["transport"] = transport  # tests capture envelopes in process
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            RedisIntegration(),
            AsyncioIntegration(),
            LoggingIntegration(),
        ],
        send_default_pii=False,
        # Frame locals hold forms, orders and questions: never sent.
        include_local_variables=False,
        event_scrubber=EventScrubber(
            denylist=DEFAULT_DENYLIST + PERSONAL_FIELDS,
            pii_denylist=DEFAULT_PII_DENYLIST,
            recursive=True,
        ),
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=traces_sample_rate,
        **options,
    )
