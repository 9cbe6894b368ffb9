"""Sentry, only when SENTRY_DSN is set: errors from Django views, Channels
consumers (asyncio), Celery tasks and Redis calls, with the request id as a
tag and personal data removed before anything leaves the process."""

import sentry_sdk
from sentry_sdk.integrations.asyncio import AsyncioIntegration
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.integrations.redis import RedisIntegration

from observability.logs import redact
from observability.request_ids import current_request_id

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
        # Collect no identity, cookies, bodies, query strings, SQL parameters
        # or frame locals (forms, orders, questions); headers only from an
        # allowlist. scrub_event below removes what an integration adds anyway.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(_KEPT_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "gen_ai": {"inputs": False, "outputs": False},
            "stack_frame_variables": False,
        },
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=traces_sample_rate,
        **options,
    )
