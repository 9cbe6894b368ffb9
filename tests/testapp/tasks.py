"""A task for the tests of the task base class (config/celery_tasks.py)."""

import logging
import threading

from config.celery_app import app

# (value, name of the thread that ran the task), in the order they ran.
runs = []


@app.task
def record_thread(value):
    """Note which thread ran this call; the value "fail" raises instead."""
    if value == "fail":
        raise RuntimeError("this task fails on purpose")
    runs.append((value, threading.current_thread().name))


@app.task
def record_periodic():
    """Note a periodic run and its thread (for the embedded worker's tests)."""
    runs.append(("periodic", threading.current_thread().name))


@app.task
def log_line(message):
    """Write `message` to the log (observability tests read the request id)."""
    logging.getLogger("tests.testapp.tasks").warning("task says %s", message)
