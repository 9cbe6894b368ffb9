"""Log formats: JSON lines (python-json-logger) or text, both with the
request id, and a filter that keeps secrets and personal data out of them.

LOG_FORMAT=json (the default; production) writes one JSON object per line
with time, level, logger, message, request_id and any `extra` fields;
LOG_FORMAT=text (`make run`) writes the same as a readable line.
"""

import logging
import re

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

# Django's request loggers attach the request object itself; its repr has
# the full path and query string. The route and status are logged instead.
_OMITTED_ATTRS = ("request", "scope", "server_time", "taskName")

_RENAMED_FIELDS = {"asctime": "time", "levelname": "level", "name": "logger"}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# key=value, key: value, key: "value" (django-axes writes its client that
# way: username, ip_address, user_agent).
_CREDENTIAL = re.compile(
    r"(?i)\b(token|password|passwd|secret|api[_-]?key|sessionid|csrftoken|authorization"
    r"|username|email|ip_address|user_agent)"
    r"([\"']?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|(?:bearer\s+)?[^\s&\"',;]+)"
)
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)([A-Za-z0-9._~+/=-]+)")
_QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def redact(text):
    """`text` with email addresses, IPv4 addresses, credential-looking and
    identifying values and URL query strings replaced by placeholders."""
    text = _EMAIL.sub("[email]", text)
    text = _IPV4.sub("[ip]", text)
    for pattern in (_CREDENTIAL, _BEARER):
        text = pattern.sub(lambda match: f"{match[1]}{match[2]}[redacted]", text)
    return _QUERY_STRING.sub(r"\1?[query]", text)


class RedactingFilter(logging.Filter):
    """Redacts the rendered message of every record (see `redact`)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the formatter's error path
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class TextLogFormatter(logging.Formatter):
    """A readable line with the request id; tracebacks redacted like messages."""

    def __init__(self, fmt=TEXT_FORMAT, **kwargs):
        super().__init__(fmt, **kwargs)

    def formatException(self, ei):
        return redact(super().formatException(ei))


class JsonLogFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, request_id,
    extras; a traceback (redacted) in `exc_info`."""

    def formatException(self, ei):
        return redact(super().formatException(ei))

    def __init__(self, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault("rename_fields", _RENAMED_FIELDS)
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *_OMITTED_ATTRS])
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(**kwargs)


def logging_config(log_format, level):
    """Django's LOGGING for `log_format` ("json" or "text") at `level`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "observability.request_ids.RequestIdLogFilter"},
            "redact": {"()": "observability.logs.RedactingFilter"},
        },
        "formatters": {
            "text": {"()": "observability.logs.TextLogFormatter"},
            "json": {"()": "observability.logs.JsonLogFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "daphne": {"level": "WARNING"},
            # One INFO line per Wagtail background task is noise, not news.
            "django_tasks": {"level": "WARNING"},
            # django-axes logs every admin login at INFO; lockouts are WARNING.
            "axes": {"level": "WARNING"},
        },
    }
