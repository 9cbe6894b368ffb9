"""Per-user rate limits in the shared cache (Redis in production, so every
process counts together)."""

import time

from django.core.cache import cache


def over_rate_limit(action, user_id, limit, window_seconds=60):
    """Count one `action` by the user; True when that makes more than `limit`
    in the current fixed window of `window_seconds`."""
    window = int(time.time() // window_seconds)
    key = f"pressroom:rate:{action}:{user_id}:{window}"
    # add() is atomic: only the first hit of a window creates the counter.
    cache.add(key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds + 1)
        count = 1
    return count > limit
