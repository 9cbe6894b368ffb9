"""Per-thread switches that turn automatic work off for the length of a block.

Bulk loads such as `seed_demo` write inside `with bulk_load.suspended():`:
the receivers that react to content changes (AI indexing and tagging,
notifications) check `bulk_load` and stay quiet, and the loader does the
work once, in a batch, afterwards. The loader needs to know none of them.
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


# Off while a bulk load writes (see the module docstring).
bulk_load = ThreadSwitch()
