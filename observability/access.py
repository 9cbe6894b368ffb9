"""Who may read metrics: a scraper presenting METRICS_TOKEN as a bearer token."""

from django.utils.crypto import constant_time_compare


def bearer_token(authorization):
    """The token of an `Authorization: Bearer <token>` header value, or ""."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_accepted(authorization, expected):
    """True when the header carries `expected` (non-empty) as its bearer token."""
    presented = bearer_token(authorization)
    return bool(expected) and bool(presented) and constant_time_compare(presented, expected)
