"""Wagtail's page-password form behind a failure limit.

Wagtail checks the password of a password-restricted page at
`_util/authenticate_with_password/<restriction>/<page>/` without any limit,
so the password can be guessed at full speed. Here each wrong password
counts against the client address (PAGE_PASSWORD_FAILURE_LIMIT) and against
the restriction (PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT, for guesses spread
over many addresses) in fixed windows of PAGE_PASSWORD_WINDOW_MINUTES, in the
shared cache. Once either is used up, the form answers 429 until the window
ends. A correct password or an unknown restriction costs nothing.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from wagtail import views as wagtail_views

KEY_PREFIX = "pressroom:page-password"


def failure_budgets(request, restriction_id):
    """The (cache key, limit) pairs a wrong password counts against now,
    and the seconds until their window ends."""
    window = settings.PAGE_PASSWORD_WINDOW_MINUTES * 60
    now = time.time()
    bucket = int(now // window)
    address = request.META.get("REMOTE_ADDR") or "unknown"
    budgets = [
        (f"{KEY_PREFIX}:address:{address}:{bucket}", settings.PAGE_PASSWORD_FAILURE_LIMIT),
        (
            f"{KEY_PREFIX}:restriction:{restriction_id}:{bucket}",
            settings.PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT,
        ),
    ]
    return budgets, max(1, int(window - now % window))


def _count(key, delta, timeout):
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between add() and incr()
        cache.set(key, max(delta, 0), timeout=timeout)
        return max(delta, 0)


def reserve_attempt(budgets, timeout):
    """Take one attempt from every budget, atomically per key; if any is
    used up, give them back and return False. Reserving before the password
    is checked means simultaneous guesses cannot all slip under the limit."""
    taken = []
    for key, limit in budgets:
        taken.append(key)
        if _count(key, 1, timeout) > limit:
            release_attempt(taken, timeout)
            return False
    return True


def release_attempt(keys, timeout):
    """Give back an attempt that turned out not to be a wrong password."""
    for key in keys:
        _count(key, -1, timeout)


def authenticate_with_password(request, page_view_restriction_id, page_id):
    """Wagtail's authenticate_with_password, refusing with 429 once the
    address or the restriction has used up its wrong passwords."""
    if request.method != "POST":
        return wagtail_views.authenticate_with_password(request, page_view_restriction_id, page_id)
    budgets, retry_after = failure_budgets(request, page_view_restriction_id)
    keys = [key for key, _limit in budgets]
    timeout = retry_after + 5
    if not reserve_attempt(budgets, timeout):
        response = render(
            request,
            "home/page_password_throttled.html",
            {"retry_minutes": max(1, -(-retry_after // 60))},
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        return response
    try:
        response = wagtail_views.authenticate_with_password(
            request, page_view_restriction_id, page_id
        )
    except Exception:
        release_attempt(keys, timeout)  # unknown restriction or page: not a guess
        raise
    # Wagtail redirects after a correct password and shows the form again
    # (200) after a wrong one.
    if response.status_code != 200:
        release_attempt(keys, timeout)
    return response
