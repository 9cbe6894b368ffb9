"""Who calls the API: the site's own session cookie, or nobody."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import CSRFCheck, SessionAuthentication


def carries_session_cookie(request):
    """True when the request sends the site's session cookie."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def csrf_failure(request):
    """Why an unsafe request fails Django's CSRF check, or None when it passes."""

    def no_response(request):
        return None  # CSRFCheck needs a get_response; only its checks run

    check = CSRFCheck(no_response)
    check.process_request(request)
    return check.process_view(request, None, (), {})


class SessionCookieAuthentication(SessionAuthentication):
    """DRF's session authentication, with the CSRF rule widened: an unsafe
    request (POST) that carries the session cookie needs the CSRF header
    (`X-CSRFToken`) even when nobody is signed in, since an anonymous
    reader's session owns their assistant conversations. Requests without
    cookies are anonymous and need no token: nothing ambient is used."""

    def authenticate(self, request):
        if carries_session_cookie(request._request):
            try:
                self.enforce_csrf(request)
            except exceptions.PermissionDenied as error:
                raise exceptions.PermissionDenied(error.detail, code="csrf_failed") from error
        return super().authenticate(request)
