"""A site-wide content version for caching what every page view would
otherwise query again: the main menu, breadcrumbs and listing filter menus.

Any publish, unpublish, move, deletion or privacy change bumps the version,
so cached fragments are never stale for longer than the change takes to
commit; there is nothing to invalidate by hand.

Time changes content too: a page leaves every listing the moment its expiry
time passes (see core.privacy), before anything is saved. So each version
remembers the earliest expiry time among live pages, and the first read
after that moment starts a new version.

Within one request the version is read once (`ContentVersionPerRequestMiddleware`):
a rendered page consults it for every fragment, each a cache round trip, and
one snapshot per request keeps its fragments consistent. A bump made by the
request itself moves its snapshot along, so it reads its own writes.
"""

import contextvars
import time

from django.core.cache import cache
from django.utils import timezone

VERSION_KEY = "pressroom:content-version"
# (version, the earliest expiry of a live page then, or None): one per version.
DEADLINE_KEY = "pressroom:content-deadline"
FRAGMENT_TIMEOUT = 60 * 60


def next_expiry():
    """The earliest expiry time still to come among live pages, or None."""
    from django.db.models import Min
    from wagtail.models import Page

    upcoming = Page.objects.filter(live=True, expire_at__gt=timezone.now())
    return upcoming.aggregate(first=Min("expire_at"))["first"]


# {"version": ...} while a request is being handled, else None.
_request_snapshot = contextvars.ContextVar("pressroom_content_version", default=None)


class ContentVersionPerRequestMiddleware:
    """Reads the content version at most once per request (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_snapshot.set({})
        try:
            return self.get_response(request)
        finally:
            _request_snapshot.reset(token)


def content_version():
    """The current content version (created on first use, renewed once a
    live page's expiry time has passed); read once per request."""
    snapshot = _request_snapshot.get()
    if snapshot is None:
        return read_content_version()
    if "version" not in snapshot:
        snapshot["version"] = read_content_version()
    return snapshot["version"]


def once_per_request(name, compute):
    """`compute()`, computed at most once per request under `name` (on every
    call outside a request): for small reads a request repeats."""
    snapshot = _request_snapshot.get()
    if snapshot is None:
        return compute()
    key = ("once", name)
    if key not in snapshot:
        snapshot[key] = compute()
    return snapshot[key]


def forget_in_request(name):
    """Drop `name`'s value from this request (it changed what it read)."""
    snapshot = _request_snapshot.get()
    if snapshot is not None:
        snapshot.pop(("once", name), None)


def read_content_version():
    """The current content version from the shared cache."""
    for _ in range(3):  # a renewal sees a deadline in the future; 3 bounds races
        stored = cache.get_many([VERSION_KEY, DEADLINE_KEY])
        version = stored.get(VERSION_KEY)
        if version is None:
            version = time.time_ns()
            cache.add(VERSION_KEY, version, None)
            version = cache.get(VERSION_KEY, version)
        deadline = stored.get(DEADLINE_KEY)
        if deadline is None or deadline[0] != version:
            deadline = (version, next_expiry())
            cache.set(DEADLINE_KEY, deadline, None)
        if deadline[1] is None or timezone.now() < deadline[1]:
            return version
        bump_content_version()
    return version


def bump_content_version(**kwargs):
    """Signal receiver: content changed, so every cached fragment is stale."""
    version = time.time_ns()
    cache.set(VERSION_KEY, version, None)
    snapshot = _request_snapshot.get()
    if snapshot is not None:
        snapshot["version"] = version


def cache_key(name, *key_parts):
    """The cache key of `name` and its parts under this content version."""
    return ":".join(["pressroom", name, str(content_version()), *map(str, key_parts)])


def cached(name, compute, *key_parts):
    """`compute()`'s result, cached under this content version; a None
    result is not kept (the next call computes again)."""
    key = cache_key(name, *key_parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value, FRAGMENT_TIMEOUT)
    return value
