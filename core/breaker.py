"""A per-process circuit breaker for a dependency that may be down.

After a failure the breaker is open for `<retry setting>` seconds: callers
skip the dependency (serve uncached, leave an image out) instead of waiting on
it again, then try it once more. The first failure of an outage is logged
once; the rest are silent. Used by the Redis cache (core/cache.py) and the
media bucket (core/media_storage.py).
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class Breaker:
    """Per-process record of when a dependency may next be tried."""

    def __init__(self, name, retry_setting, meanwhile):
        self.name = name  # "cache default", "media bucket"
        self.retry_setting = retry_setting  # a setting in seconds, read at each trip
        self.meanwhile = meanwhile  # what happens while open, for the log line
        self._lock = threading.Lock()
        self._retry_at = 0.0

    def is_open(self):
        """True while the dependency should not be tried."""
        return time.monotonic() < self._retry_at

    def trip(self, error):
        """Open the breaker after `error`; log it if it starts an outage."""
        seconds = getattr(settings, self.retry_setting)
        with self._lock:
            first = not self.is_open()
            self._retry_at = time.monotonic() + seconds
        if first:
            logger.warning(
                "%s unreachable (%s): %s for %s s, then retrying",
                self.name,
                error,
                self.meanwhile,
                seconds,
            )

    def reset(self):
        """Close the breaker: the dependency answered."""
        with self._lock:
            self._retry_at = 0.0
