"""Work that must follow a commit and must never undo it.

Notifications, broadcasts to sockets, signals to other apps and socket
closes all run after the transaction that caused them commits (at once when
no transaction is open). A failure there is logged and swallowed: the
reader's comment, the editor's publish or the customer's order stands.
Durable work (indexing, email) goes through Celery's `delay_on_commit`
instead, which a broker or a retry can still recover.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def after_commit(action):
    """Run `action()` once the current transaction commits; an exception is
    logged (by Django, `robust=True`), never raised into the committing code."""
    transaction.on_commit(action, robust=True)


def send_after_commit(signal, sender, **kwargs):
    """Send `signal` once the current transaction commits. A failing receiver
    is logged; it never undoes the action nor keeps the others from running."""

    def send():
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                logger.error("signal receiver %r failed", receiver, exc_info=result)

    after_commit(send)
