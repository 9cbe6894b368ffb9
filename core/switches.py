"""Per-thread switches that turn automatic work off for the length of a block.

Bulk loads such as `seed_demo` suspend the AI and notification receivers
while they write, then do the work once, in a batch, afterwards.
"""

import threading
from contextlib import contextmanager


class ThreadSwitch:
    """On everywhere except inside `with switch.suspended():`, in that thread."""

    def __init__(self):
        self._state = threading.local()

    @contextmanager
    def suspended(self):
        """Turn the switch off until the block ends (blocks may nest)."""
        previous = self.is_suspended()
        self._state.suspended = True
        try:
            yield
        finally:
            self._state.suspended = previous

    def is_suspended(self):
        """Whether the current thread is inside a `suspended()` block."""
        return getattr(self._state, "suspended", False)
