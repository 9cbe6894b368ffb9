"""A site-wide content version for caching what every page view would
otherwise query again: the main menu, breadcrumbs and listing filter menus.

Any publish, unpublish, move, deletion or privacy change bumps the version,
so cached fragments are never stale for longer than the change takes to
commit; there is nothing to invalidate by hand.
"""

import time

from django.core.cache import cache

VERSION_KEY = "pressroom:content-version"
FRAGMENT_TIMEOUT = 60 * 60


def content_version():
    """The current content version (created on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_content_version(**kwargs):
    """Signal receiver: content changed, so every cached fragment is stale."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def cached(name, compute, *key_parts):
    """`compute()`'s result, cached under this content version."""
    key = ":".join(["pressroom", name, str(content_version()), *map(str, key_parts)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FRAGMENT_TIMEOUT)
    return value
