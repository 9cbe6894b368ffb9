"""The Wagtail Site of a request, looked up once per content version.

Wagtail finds the Site for every request with a query (hostname and port
against every site, with the root page joined); sites change rarely, and
a saved or deleted Site bumps the content version (core.page_invalidation).
`SiteLookupMiddleware` keeps the answer per process for the current version
and hands each request its own copy, so nothing a view does to its Site or
root page leaks into another request.
"""

import contextlib
import pickle
import threading

from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http.request import split_domain_port
from wagtail.models import Site

from core.content_cache import content_version

# Probes answer without the shared cache or the database (a first read of
# the content version may query the next page expiry): Wagtail's own lookup,
# which they never trigger, is left to them.
PROBE_PATHS = ("/healthz", "/readyz", "/metrics")

# Enough for every allowed host and port of a multi-site install; a request
# for any other host is looked up by Wagtail as usual.
MAX_REMEMBERED_HOSTS = 64

_lock = threading.Lock()
_remembered = {"version": None, "sites": {}}


def remembered_site(request):
    """The Site for `request` (or None when no site matches), from this
    process's memory when the content version has not changed since."""
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    version = content_version()
    with _lock:
        if _remembered["version"] != version:
            _remembered["version"] = version
            _remembered["sites"] = {}
        stored = _remembered["sites"].get((hostname, port))
    if stored is None:
        site = Site._find_for_request(request)
        if site is not None:
            # Wagtail routes from the specific root page: keep it too.
            site.root_page.specific  # noqa: B018 (loads the cached property)
        stored = pickle.dumps(site)
        with _lock:
            if _remembered["version"] == version:
                sites = _remembered["sites"]
                if len(sites) < MAX_REMEMBERED_HOSTS:
                    sites[(hostname, port)] = stored
    return pickle.loads(stored)  # noqa: S301 (bytes this process pickled itself)


class SiteLookupMiddleware:
    """Set `request._wagtail_site` (Wagtail's own per-request slot) from the
    remembered lookup, for every request on an allowed host but the probes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PROBE_PATHS):
            return self.get_response(request)
        try:
            request.get_host()  # only allowed hosts are remembered
        except DisallowedHost:
            return self.get_response(request)
        # Without the database Wagtail looks again when it routes, and fails
        # as it always would.
        with contextlib.suppress(DatabaseError):
            request._wagtail_site = remembered_site(request)
        return self.get_response(request)
