"""Redis as a cache, never as a dependency of reading or publishing.

Django's RedisCache raises on a dead Redis, and every page view reads the
content version from the cache, so a Redis restart used to be a full outage
(every view and every publish a 500). `ResilientRedisCache` turns a
connection failure into what a cache may always answer:

- reads are misses (the caller computes the value, uncached);
- writes, deletes and touches do nothing (a warning is logged);
- `incr`/`decr`, which have no safe answer, raise `CacheUnavailable`, so
  rate limits and counters decide explicitly (core.rate_limits).

After a failure the backend stops trying for `REDIS_RETRY_SECONDS` (a
circuit breaker), so while Redis is down a request pays nothing for it, and
the first try after that brings everything back by itself when Redis has
returned. Short connect and socket timeouts (`REDIS_SOCKET_TIMEOUT`) bound
what the first failure costs.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "Redis is unreachable" looks like from redis-py (BusyLoadingError, a
# server still loading its data after a restart, is a ConnectionError).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CacheUnavailable(Exception):
    """The shared cache cannot be reached; the operation had no safe default."""


class _Breaker:
    """Per-process record of when the cache may next be tried."""

    def __init__(self):
        self._lock = threading.Lock()
        self._retry_at = 0.0

    def is_open(self):
        return time.monotonic() < self._retry_at

    def trip(self, error, name):
        with self._lock:
            first = not self.is_open()
            self._retry_at = time.monotonic() + settings.REDIS_RETRY_SECONDS
        if first:
            logger.warning(
                "cache %s unreachable (%s): serving uncached for %s s, then retrying",
                name,
                error,
                settings.REDIS_RETRY_SECONDS,
            )

    def reset(self):
        with self._lock:
            self._retry_at = 0.0


_breakers = {}


def _breaker(alias):
    return _breakers.setdefault(alias, _Breaker())


def cache_is_reachable(alias="default"):
    """False while the cache `alias` is known to be down (no network call)."""
    return not _breaker(alias).is_open()


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that degrades instead of raising when Redis is down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._alias = params.get("KEY_PREFIX") or "default"

    def _guard(self, operation, fallback, *args, **kwargs):
        breaker = _breaker(self._alias)
        if breaker.is_open():
            return fallback()
        try:
            return operation(*args, **kwargs)
        except UNREACHABLE as error:
            breaker.trip(error, self._alias)
            return fallback()

    @staticmethod
    def _unavailable():
        raise CacheUnavailable("the shared cache is unreachable")

    def get(self, key, default=None, version=None):
        return self._guard(super().get, lambda: default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard(super().get_many, dict, keys, version)

    def has_key(self, key, version=None):
        return self._guard(super().has_key, lambda: False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().add, lambda: False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set, lambda: None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set_many, lambda: list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().touch, lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(super().delete, lambda: False, key, version)

    def delete_many(self, keys, version=None):
        return self._guard(super().delete_many, lambda: None, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._guard(super().incr, self._unavailable, key, delta, version)

    def clear(self):
        return self._guard(super().clear, lambda: False)
