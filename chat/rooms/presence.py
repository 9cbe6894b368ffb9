"""How many sockets are open in each room.

One counter per room in the shared cache (Redis in production), so every
Daphne process adds to the same number: a socket counts itself in on
connect and out on disconnect, and when Daphne cancels its sockets on a
graceful shutdown (RoomConsumer counts those out too). The counter is never
negative.

Caveat: a process that dies without running any Python (killed, out of
memory, power loss) cannot count its sockets out, so the number stays too
high by that many until the counter expires: it lives PRESENCE_TTL after the
last join or leave in that room. The reverse error is possible too: a room
with no join or leave for that long forgets its counter while sockets are
still open, and shows fewer people until they reconnect.
"""

from django.core.cache import cache

from core.cache import CacheUnavailable

PRESENCE_TTL = 6 * 60 * 60


def _key(room_id):
    return f"chat:presence:{int(room_id)}"


def join(room_id):
    """Count one more socket in the room; returns the new count (0 while the
    shared cache is down: presence is not worth refusing a reader for)."""
    key = _key(room_id)
    try:
        cache.add(key, 0, PRESENCE_TTL)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 0, PRESENCE_TTL)
            count = cache.incr(key)
    except CacheUnavailable:
        return 0
    cache.touch(key, PRESENCE_TTL)
    return count


def leave(room_id):
    """Count one socket out of the room; returns the new count (never below 0)."""
    key = _key(room_id)
    try:
        count = cache.decr(key)
    except (ValueError, CacheUnavailable):  # expired, or the cache is down
        return 0
    if count < 0:
        # More leaves than joins since the counter was (re)created: undo our
        # own overshoot atomically, keeping any join that happened meanwhile.
        try:
            count = cache.incr(key, -count)
        except CacheUnavailable:
            return 0
    cache.touch(key, PRESENCE_TTL)
    return max(count, 0)


def count(room_id):
    """Sockets open in the room now."""
    return max(cache.get(_key(room_id), 0), 0)


def counts(room_ids):
    """{room id: sockets open} for several rooms, in one cache round trip."""
    found = cache.get_many([_key(room_id) for room_id in room_ids])
    return {room_id: max(found.get(_key(room_id), 0), 0) for room_id in room_ids}
