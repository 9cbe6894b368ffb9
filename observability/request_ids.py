"""One request id per HTTP request, WebSocket connection and Celery task.

The id lives in a context variable, so every log line written while the
request, the socket or the task is handled carries it (RequestIdLogFilter),
and Sentry events get it as a tag (observability.sentry). A task queued while
a request is handled runs under that request's id (observability.celery_signals).

An incoming `X-Request-ID` (set by the proxy in front, e.g. nginx's
$request_id) is kept when it looks like an id; anything else is replaced, so
a client cannot put arbitrary text into the logs.
"""

import contextvars
import logging
import re
import uuid
from contextlib import contextmanager

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits, dashes and underscores, 8 to 64 of them: UUIDs, nginx's
# 32 hex digits, most tracing ids.
_ACCEPTED = re.compile(r"[A-Za-z0-9_-]{8,64}")

_request_id = contextvars.ContextVar("request_id", default=None)


def new_request_id():
    """A fresh random id (32 hex digits)."""
    return uuid.uuid4().hex


def accepted_request_id(candidate):
    """`candidate` when it is a well-formed id, else a fresh one."""
    if candidate and _ACCEPTED.fullmatch(candidate):
        return candidate
    return new_request_id()


def current_request_id():
    """The id of the request, socket or task being handled, or None."""
    return _request_id.get()


@contextmanager
def bound_request_id(request_id):
    """Run the block under `request_id` (restored afterwards)."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


def bind_request_id(request_id):
    """Set the id for the rest of the current context; returns the reset token."""
    return _request_id.set(request_id)


def unbind_request_id(token):
    """Undo bind_request_id()."""
    _request_id.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside any request).

    Django logs a response's status ("Not Found: ...") after the middleware
    has returned, with the request attached: its id is taken from there.
    """

    def filter(self, record):
        if not hasattr(record, "request_id"):
            attached = getattr(getattr(record, "request", None), "request_id", None)
            record.request_id = _request_id.get() or attached or "-"
        return True
