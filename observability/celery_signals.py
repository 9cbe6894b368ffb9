"""Celery tasks: metrics by name and state, and the request id carried from
the request that queued a task into every log line of its run.

The id travels in a message header (`request_id`) set when the task is
published; a task run eagerly (no broker) is already inside the request's
context. Connected by ObservabilityConfig.ready().
"""

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

from celery import signals
from prometheus_client import multiprocess

from observability.metrics import CELERY_TASK_DURATION, CELERY_TASKS, multiprocess_directory
from observability.request_ids import (
    bind_request_id,
    current_request_id,
    new_request_id,
    unbind_request_id,
)

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "request_id"
# Celery's state names as the series' `state` label.
FINAL_STATES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}

# Task id -> (request-id reset token, start time) while the task runs.
_running = {}
_running_lock = threading.Lock()


def task_name(sender):
    """The task's registered name (signals send the task or its name)."""
    return getattr(sender, "name", None) or str(sender)


def on_before_task_publish(sender=None, headers=None, **kwargs):
    """Carry the current request id in the message, and count it as queued."""
    if headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, current_request_id() or new_request_id())
    CELERY_TASKS.labels(task_name(sender), "queued").inc()


def message_request_id(task):
    """The request id the message carried, if any."""
    request = task.request
    carried = getattr(request, REQUEST_ID_HEADER, None)
    if carried is None and isinstance(getattr(request, "headers", None), dict):
        carried = request.headers.get(REQUEST_ID_HEADER)
    return carried


def on_task_prerun(task_id=None, task=None, **kwargs):
    """Bind the task's request id and start its clock."""
    request_id = message_request_id(task) or current_request_id() or new_request_id()
    with _running_lock:
        _running[task_id] = (bind_request_id(request_id), time.perf_counter())
    CELERY_TASKS.labels(task.name, "started").inc()


def on_task_postrun(task_id=None, task=None, state=None, **kwargs):
    """Count and time the run by its final state, then unbind the id."""
    with _running_lock:
        token, started = _running.pop(task_id, (None, None))
    final = FINAL_STATES.get(state, (state or "unknown").lower())
    CELERY_TASKS.labels(task.name, final).inc()
    if started is not None:
        CELERY_TASK_DURATION.labels(task.name, final).observe(time.perf_counter() - started)
    if token is not None:
        # ValueError: bound in another context (a thread pool): nothing to undo here.
        with contextlib.suppress(ValueError):
            unbind_request_id(token)


def clear_multiprocess_directory():
    """Remove the metric files a previous run of this service left behind."""
    directory = multiprocess_directory()
    if directory:
        for path in Path(directory).glob("*.db"):
            path.unlink(missing_ok=True)


def on_worker_init(**kwargs):
    """In the worker's main process, before any child forks: start clean."""
    clear_multiprocess_directory()


def on_worker_ready(**kwargs):
    """Serve the worker's metrics when WORKER_METRICS_PORT is set."""
    from django.conf import settings

    from observability.worker_endpoint import serve_worker_metrics

    if settings.WORKER_METRICS_PORT:
        serve_worker_metrics(settings.WORKER_METRICS_PORT, settings.METRICS_TOKEN)


def on_worker_process_shutdown(pid=None, **kwargs):
    """A prefork child exits: its live gauges stop counting."""
    if multiprocess_directory():
        multiprocess.mark_process_dead(pid or os.getpid())


def connect():
    """Connect the receivers (weak=False: they are module functions anyway)."""
    signals.before_task_publish.connect(on_before_task_publish, weak=False)
    signals.task_prerun.connect(on_task_prerun, weak=False)
    signals.task_postrun.connect(on_task_postrun, weak=False)
    signals.worker_init.connect(on_worker_init, weak=False)
    signals.worker_ready.connect(on_worker_ready, weak=False)
    signals.worker_process_shutdown.connect(on_worker_process_shutdown, weak=False)
