"""API rate limits through the one rate limiter (`core.rate_limits`), counted
in the shared cache so every process counts together."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from config.proxy import rate_limit_address, request_client_ip
from core import rate_limits


def client_subjects(request):
    """The subjects a limit counts: the signed-in user, and the client address
    (already resolved by config.proxy, IPv6 as its /64)."""
    subjects = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        subjects.append(f"user:{user.pk}")
    subjects.append(f"ip:{rate_limit_address(request_client_ip(request) or 'unknown')}")
    return subjects


def client_budgets(request, action, limit):
    """One Budget of `limit` a minute for `action` per subject of the request."""
    return [rate_limits.Budget(action, subject, limit) for subject in client_subjects(request)]


class SharedCacheThrottle(BaseThrottle):
    """API_RATE_LIMIT requests a minute per address and per signed-in user.
    Reads are cheap: while the cache is down they are let through."""

    def allow_request(self, request, view):
        self.attempt = rate_limits.attempt(client_budgets(request, "api", settings.API_RATE_LIMIT))
        return self.attempt.allowed

    def wait(self):
        return self.attempt.retry_after
