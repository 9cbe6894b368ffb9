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

In the embedded mode the serving process is also the worker:
`start_embedded_worker()` (called as the ASGI application loads) runs the
EMBEDDED_PERIODIC_TASKS (the AI sweeper) at start-up and then every
`schedule` seconds on that same thread, so they never run beside a task.
Only a process that called it counts as running the embedded worker
(`embedded_worker_running()`): a short-lived one (`manage.py shell`, cron's
`publish_scheduled`) leaves durable work to the server's next sweep rather
than to a thread that dies with it.
"""

import contextvars
import functools
import importlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

_executor = None
_executor_lock = threading.Lock()
_embedded_worker = None


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


def run_in_background(call):
    """Run `call()` on the process's background thread, after what is queued there."""
    # In the caller's context: the request id stays on the task's log lines.
    background_executor().submit(contextvars.copy_context().run, _run_in_background, call)


class EmbeddedWorker:
    """Runs periodic tasks eagerly on the background thread, first at once."""

    def __init__(self, schedule):
        self.schedule = schedule
        self._pending = {}  # name -> the future of its last submission

    def start(self):
        for name, entry in self.schedule.items():
            threading.Thread(
                target=self._loop,
                args=(name, entry["task"], float(entry["schedule"])),
                name=f"embedded-{name}",
                daemon=True,
            ).start()

    def _loop(self, name, task_name, interval):
        from config.celery_app import app

        # Tasks are named after their module (Celery's default); importing it
        # registers the task without the worker start-up's system checks.
        importlib.import_module(task_name.rpartition(".")[0])
        task = app.tasks[task_name]
        while True:
            previous = self._pending.get(name)
            # A run still waiting or working (a long backlog) is not doubled.
            if previous is None or previous.done():
                try:
                    self._pending[name] = background_executor().submit(
                        _run_in_background, task.apply
                    )
                except RuntimeError:  # the interpreter is shutting down
                    return
            time.sleep(interval)


def start_embedded_worker():
    """In the embedded mode (no broker, EMBEDDED_TASKS_IN_BACKGROUND), make
    this serving process run the periodic tasks; elsewhere do nothing.
    Idempotent."""
    global _embedded_worker
    from config.celery_app import app

    if not (app.conf.task_always_eager and settings.EMBEDDED_TASKS_IN_BACKGROUND):
        return
    with _executor_lock:
        if _embedded_worker is not None:
            return
        _embedded_worker = EmbeddedWorker(settings.EMBEDDED_PERIODIC_TASKS)
    _embedded_worker.start()


def embedded_worker_running():
    """Whether this process runs the embedded worker (a serving `make run`)."""
    return _embedded_worker is not None


class PressroomTask(DjangoTask):
    """DjangoTask whose eager runs can leave the request thread, and whose
    messages survive a broker outage (parked, then resent)."""

    def delay_on_commit(self, *args, **kwargs):
        """Queue the task once the current transaction commits."""
        if self.app.conf.task_always_eager:
            call = functools.partial(self.delay, *args, **kwargs)
            if settings.EMBEDDED_TASKS_IN_BACKGROUND:
                transaction.on_commit(
                    lambda: background_executor().submit(
                        contextvars.copy_context().run, _run_in_background, call
                    )
                )
            else:
                transaction.on_commit(call)
        else:
            transaction.on_commit(functools.partial(send_or_park, self, args, kwargs))
