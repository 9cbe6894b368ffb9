"""Who calls the API: the site's own session cookie, or nobody."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication


class SessionCookieAuthentication(SessionAuthentication):
    """DRF's session authentication, with the CSRF rule widened: an unsafe
    request (POST) that carries the session cookie needs the CSRF header
    (`X-CSRFToken`) even when nobody is signed in, since an anonymous
    reader's session owns their assistant conversations. Requests without
    cookies are anonymous and need no token: nothing ambient is used."""

    def authenticate(self, request):
        if settings.SESSION_COOKIE_NAME in request._request.COOKIES:
            try:
                self.enforce_csrf(request)
            except exceptions.PermissionDenied as error:
                raise exceptions.PermissionDenied(error.detail, code="csrf_failed") from error
        return super().authenticate(request)
