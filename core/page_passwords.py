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

from django.conf import settings
from django.shortcuts import render
from wagtail import views as wagtail_views

from core import rate_limits


def failure_budgets(request, restriction_id):
    """The budgets a wrong password counts against: the client address and
    the restriction (guesses spread over many addresses)."""
    window = settings.PAGE_PASSWORD_WINDOW_MINUTES * 60
    address = request.META.get("REMOTE_ADDR") or "unknown"
    return [
        rate_limits.Budget(
            "page-password", f"address:{address}", settings.PAGE_PASSWORD_FAILURE_LIMIT, window
        ),
        rate_limits.Budget(
            "page-password",
            f"restriction:{restriction_id}",
            settings.PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT,
            window,
        ),
    ]


def authenticate_with_password(request, page_view_restriction_id, page_id):
    """Wagtail's authenticate_with_password, refusing with 429 once the
    address or the restriction has used up its wrong passwords."""
    if request.method != "POST":
        return wagtail_views.authenticate_with_password(request, page_view_restriction_id, page_id)
    # Taken before the password is checked, so simultaneous guesses cannot
    # all slip under the limit; given back when it was not a wrong password.
    # Guessing must not get easier while the cache is down: refuse then.
    attempt = rate_limits.attempt(
        failure_budgets(request, page_view_restriction_id), when_unavailable="refuse"
    )
    if not attempt.allowed:
        response = render(
            request,
            "core/page_password_throttled.html",
            {"retry_minutes": max(1, -(-attempt.retry_after // 60))},
            status=429,
        )
        response["Retry-After"] = str(attempt.retry_after)
        return response
    try:
        response = wagtail_views.authenticate_with_password(
            request, page_view_restriction_id, page_id
        )
    except Exception:
        attempt.give_back()  # unknown restriction or page: not a guess
        raise
    # Wagtail redirects after a correct password and shows the form again
    # (200) after a wrong one.
    if response.status_code != 200:
        attempt.give_back()
    return response
