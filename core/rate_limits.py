"""Per-user and per-IP rate limits on the shared cache (fixed one-minute windows)."""

import time

from django.core.cache import cache


def check_rate(keys, limit, window=60):
    """Count one attempt against every key; the seconds to wait if any is over
    the limit, else None."""
    now = time.time()
    bucket = int(now // window)
    for key in keys:
        counter = f"rate:{key}:{bucket}"
        cache.add(counter, 0, window + 5)
        try:
            count = cache.incr(counter)
        except ValueError:  # expired between add() and incr()
            cache.add(counter, 1, window + 5)
            count = 1
        if count > limit:
            return max(1, int(window - (now % window)) + 1)
    return None
