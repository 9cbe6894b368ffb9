"""Whole responses for anonymous readers, and the HTTP caching headers.

`AnonymousPageCacheMiddleware` answers an anonymous GET or HEAD from the
shared cache when it can, and stores what it may. The key includes the
site-wide content version (core.content_cache), which every publish,
unpublish, move, deletion, privacy change, comment, like and stock change
bumps after it commits, so a cached page is never older than the change that
would alter it: there is nothing to invalidate by hand.

Only requests without a session or messages cookie are answered from the
cache: everything personal (login state, the cart, the bell, a password
given for a restricted page, a flash message) lives in the session or the
messages cookie, so a request without them sees what every anonymous reader
sees. A response is stored only when nothing personal went into it: status
200, no `Set-Cookie`, no CSRF token rendered, no `Cache-Control` of its own,
`Vary` on nothing but cookies, encoding or language. Pages that need a token
for anonymous readers fetch it from `core.views.csrf_token`.

Stored responses carry `Cache-Control: public` with a short max-age and
`stale-while-revalidate` (a CDN in front may keep them; publishing purges it,
see core.frontend_cache), an `ETag` and `Last-Modified`, and answer a
matching conditional request with 304. Every other HTML response that did
not choose its own caching gets `Cache-Control: private, no-cache`.

When the cache is unreachable (core.cache) every lookup misses and nothing
is stored, so pages are rendered as if there were no page cache.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from core.content_cache import content_version

CACHEABLE_METHODS = ("GET", "HEAD")
# Headers that may differ between anonymous readers without changing the page.
HARMLESS_VARY = {"cookie", "accept-encoding", "accept-language"}
KEY_PREFIX = "pressroom:page"


def is_anonymous_request(request):
    """True for a GET/HEAD with no session or messages cookie (nothing personal
    can be in the answer) that is not an HTMX fragment request."""
    if request.method not in CACHEABLE_METHODS:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    return "HTTP_HX_REQUEST" not in request.META


def is_excluded_path(path):
    """True for paths the page cache never handles (PAGE_CACHE_EXCLUDED_PATHS)."""
    return any(path.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDED_PATHS)


def page_cache_key(request):
    """The cache key of this request's anonymous response, or None when the
    host is not allowed (Django answers that itself)."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    address = f"{request.scheme}://{host}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"{KEY_PREFIX}:{content_version()}:{digest}"


def is_storable(request, response):
    """True when the response is the same for every anonymous reader."""
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a cookie or a rendered CSRF token is someone's own
    if getattr(request, "page_cache_exempt", False) or response.has_header("Cache-Control"):
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return vary <= HARMLESS_VARY


def public_headers(response, stored_at):
    """Set the validators and public caching headers of a stored response."""
    digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
    response["ETag"] = f'"{digest}"'
    response["Last-Modified"] = http_date(stored_at)
    response["Vary"] = "Cookie"  # with a session cookie the answer is personal
    patch_cache_control(
        response,
        public=True,
        max_age=settings.HTTP_CACHE_MAX_AGE,
        stale_while_revalidate=settings.HTTP_CACHE_STALE_SECONDS,
    )


def _stored(response):
    headers = [(name, value) for name, value in response.items() if name.lower() != "date"]
    return {"status": response.status_code, "headers": headers, "content": response.content}


def _from_stored(entry):
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


def _conditional(request, response):
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


class AnonymousPageCacheMiddleware:
    """Serve and store anonymous readers' pages; set HTTP caching headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = None
        if (
            settings.PAGE_CACHE_SECONDS
            and is_anonymous_request(request)
            and not is_excluded_path(request.path)
        ):
            key = page_cache_key(request)
        if key is not None:
            entry = cache.get(key)
            if entry is not None:
                return _conditional(request, _from_stored(entry))
        response = self.get_response(request)
        if key is not None and is_storable(request, response):
            public_headers(response, time.time())
            cache.set(key, _stored(response), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
            return _conditional(request, response)
        if not response.has_header("Cache-Control") and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            patch_cache_control(response, private=True, no_cache=True)
        return response
