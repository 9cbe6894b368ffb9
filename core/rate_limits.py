"""Rate limits in fixed windows, counted in the shared cache (Redis in
production, so every process counts together).

Every limit in Pressroom goes through `attempt()`: the assistant's questions,
chat room messages, comments, searches and page passwords. A call names one
or more budgets (per user, per address, per resource) and takes one unit
from all of them or from none: a refused attempt gives back what it took,
so one reader at their limit never eats the budget of others behind the
same address.

    attempt = rate_limits.attempt([Budget("search", f"ip:{address}", 30)])
    if not attempt.allowed:
        ...  # answer 429 with attempt.retry_after
    attempt.give_back()  # when it turned out not to count (a right password)
"""

import time
from dataclasses import dataclass, field

from django.core.cache import cache

from core.cache import CacheUnavailable

KEY_PREFIX = "pressroom:rate"


@dataclass(frozen=True)
class Budget:
    """`limit` attempts at `action` per `window` seconds for one `subject`
    (e.g. action "search", subject "ip:203.0.113.7")."""

    action: str
    subject: str
    limit: int
    window: int = 60

    def key(self, now):
        """The cache key of the window that `now` falls in."""
        return f"{KEY_PREFIX}:{self.action}:{self.subject}:{int(now // self.window)}"

    def seconds_left(self, now):
        """Seconds until the window that `now` falls in ends (at least 1)."""
        return max(1, int(self.window - now % self.window))


@dataclass
class Attempt:
    """The outcome of `attempt()`: allowed, or the seconds to wait."""

    retry_after: int | None
    _taken: list = field(default_factory=list, repr=False)
    # Refused because nothing could be counted (the cache is down), not
    # because a budget ran out.
    unavailable: bool = False

    @property
    def allowed(self):
        return self.retry_after is None

    def give_back(self):
        """Return what this attempt took (it turned out not to count)."""
        taken, self._taken = self._taken, []
        for key, timeout in taken:
            try:
                _add(key, -1, timeout)
            except CacheUnavailable:
                return  # the counters went with the cache


def _add(key, delta, timeout):
    # add() creates the counter atomically for the first attempt of a window;
    # incr() is atomic on Redis and under the local-memory cache's lock.
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between add() and incr()
        cache.set(key, max(delta, 0), timeout=timeout)
        return max(delta, 0)


# While the shared cache is down nothing can be counted. Cheap actions are
# let through (a reader's search, a comment); expensive ones (a question to
# the language model) are refused for this long, then tried again.
RETRY_WHILE_UNAVAILABLE = 30


def attempt(budgets, when_unavailable="allow"):
    """Take one attempt from every budget, all or none; the Attempt says
    whether it is allowed and, if not, how many seconds to wait. While the
    cache is unreachable the attempt is allowed (`when_unavailable="allow"`)
    or refused with `unavailable` set (`"refuse"`)."""
    now = time.time()
    taken = []
    try:
        for budget in budgets:
            key = budget.key(now)
            timeout = budget.seconds_left(now) + 5
            taken.append((key, timeout))
            if _add(key, 1, timeout) > budget.limit:
                Attempt(None, taken).give_back()
                return Attempt(budget.seconds_left(now))
    except CacheUnavailable:
        if when_unavailable == "refuse":
            return Attempt(RETRY_WHILE_UNAVAILABLE, unavailable=True)
        return Attempt(None)
    return Attempt(None, taken)
