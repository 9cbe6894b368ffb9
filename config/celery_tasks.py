"""The base class of every Pressroom Celery task.

Without a broker (the embedded mode) Celery runs tasks eagerly, which by
itself means inside the request that queued them: publishing a page would
wait seconds for embedding and tagging. With EMBEDDED_TASKS_IN_BACKGROUND
(on in `make run`) a task queued with `delay_on_commit` runs after the commit
on one background thread of the process instead, one task at a time, in the
order queued. With a broker the message goes to the worker once the
transaction commits; if the broker cannot be reached then, the task is
parked in the database (core.models.ParkedTask) and sent again by the
`resend_parked_tasks` beat task, so the committed action never fails for it.
"""

import functools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

_executor = None
_executor_lock = threading.Lock()


def background_executor():
    """The process's single thread for eager tasks, created on first use."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-task")
        return _executor


def _run_in_background(call):
    try:
        call()
    except Exception:  # eager tasks do not propagate; this is a last resort
        logger.exception("Background task failed")
    finally:
        # This thread's own connections: a long-lived thread must not keep
        # one open (and, on SQLite, a read snapshot) between tasks.
        connections.close_all()


def send_or_park(task, args, kwargs):
    """Send the task to the broker; if it cannot be reached, keep the task in
    the database for the sweeper instead of failing the caller."""
    try:
        task.apply_async(args, kwargs)
    except Exception as error:  # kombu/redis connection errors, timeouts
        from core.models import ParkedTask

        logger.warning("broker unreachable, parking %s: %s", task.name, error)
        ParkedTask.objects.create(
            task_name=task.name, args=list(args), kwargs=dict(kwargs), last_error=str(error)
        )


class PressroomTask(DjangoTask):
    """DjangoTask whose eager runs can leave the request thread, and whose
    messages survive a broker outage (parked, then resent)."""

    def delay_on_commit(self, *args, **kwargs):
        """Queue the task once the current transaction commits."""
        if self.app.conf.task_always_eager:
            call = functools.partial(self.delay, *args, **kwargs)
            if settings.EMBEDDED_TASKS_IN_BACKGROUND:
                transaction.on_commit(
                    lambda: background_executor().submit(_run_in_background, call)
                )
            else:
                transaction.on_commit(call)
        else:
            transaction.on_commit(functools.partial(send_or_park, self, args, kwargs))
