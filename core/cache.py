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

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.breaker import Breaker

# What "Redis is unreachable" looks like from redis-py (BusyLoadingError, a
# server still loading its data after a restart, is a ConnectionError).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CacheUnavailable(Exception):
    """The shared cache cannot be reached; the operation had no safe default."""


_breakers = {}


def _breaker(alias):
    if alias not in _breakers:
        _breakers[alias] = Breaker(f"cache {alias}", "REDIS_RETRY_SECONDS", "serving uncached")
    return _breakers[alias]


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
            breaker.trip(error)
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
