"""Cache backends that count their operations (pressroom_cache_operations_total).

Settings name these instead of the plain backends; each is the same backend
with a counting layer, so behaviour (including ResilientRedisCache's
degrade-to-miss) is unchanged.
"""

from django.core.cache.backends.locmem import LocMemCache

from core.cache import ResilientRedisCache
from observability.metrics import CACHE_OPERATIONS

_MISSING = object()


class CacheMetricsMixin:
    """Counts get (hit/miss), get_many, set, add, delete, incr and errors,
    labelled with the cache's alias (its KEY_PREFIX, else its LOCATION)."""

    def __init__(self, location, params):
        super().__init__(location, params)
        self._metric_name = params.get("KEY_PREFIX") or location or "default"

    def _count(self, operation, result):
        CACHE_OPERATIONS.labels(self._metric_name, operation, result).inc()

    def _counted(self, operation, call, *args, **kwargs):
        try:
            value = call(*args, **kwargs)
        except Exception:
            self._count(operation, "error")
            raise
        self._count(operation, "ok")
        return value

    def get(self, key, default=None, version=None):
        try:
            value = super().get(key, _MISSING, version=version)
        except Exception:
            self._count("get", "error")
            raise
        if value is _MISSING:
            self._count("get", "miss")
            return default
        self._count("get", "hit")
        return value

    def get_many(self, keys, version=None):
        return self._counted("get_many", super().get_many, keys, version=version)

    def set(self, *args, **kwargs):
        return self._counted("set", super().set, *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._counted("add", super().add, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._counted("set_many", super().set_many, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._counted("delete", super().delete, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._counted("delete_many", super().delete_many, *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._counted("incr", super().incr, *args, **kwargs)


class MeteredLocMemCache(CacheMetricsMixin, LocMemCache):
    """Django's local-memory cache, counted."""


class MeteredResilientRedisCache(CacheMetricsMixin, ResilientRedisCache):
    """core.cache.ResilientRedisCache, counted."""
