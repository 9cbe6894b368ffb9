import threading
import time

import pytest
from django.apps import apps
from django.conf import settings

from config.celery_tasks import background_executor
from tests.testapp import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_runs():
    tasks.runs.clear()
    yield
    tasks.runs.clear()


def drain():
    """Wait until the background thread has run everything queued so far."""
    background_executor().submit(lambda: None).result(timeout=30)


def test_without_the_setting_an_eager_task_runs_in_the_committing_thread(
    settings, django_capture_on_commit_callbacks
):
    settings.EMBEDDED_TASKS_IN_BACKGROUND = False
    with django_capture_on_commit_callbacks(execute=True):
        tasks.record_thread.delay_on_commit("inline")
    assert tasks.runs == [("inline", threading.current_thread().name)]


def test_with_the_setting_eager_tasks_run_after_the_commit_on_one_background_thread(
    settings, django_capture_on_commit_callbacks
):
    settings.EMBEDDED_TASKS_IN_BACKGROUND = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.record_thread.delay_on_commit("first")
        tasks.record_thread.delay_on_commit("second")
    drain()
    assert tasks.runs == []  # nothing before the commit
    for callback in callbacks:
        callback()
    drain()
    assert [value for value, _ in tasks.runs] == ["first", "second"]
    threads = {thread for _, thread in tasks.runs}
    assert len(threads) == 1 and threads.pop().startswith("embedded-task")


def test_a_failing_task_does_not_stop_the_background_thread(
    settings, django_capture_on_commit_callbacks
):
    settings.EMBEDDED_TASKS_IN_BACKGROUND = True
    with django_capture_on_commit_callbacks(execute=True):
        tasks.record_thread.delay_on_commit("fail")
        tasks.record_thread.delay_on_commit("after")
    drain()
    assert [value for value, _ in tasks.runs] == ["after"]


def test_every_project_task_can_leave_the_request_thread():
    from config.celery_app import app
    from config.celery_tasks import PressroomTask

    app.loader.import_default_modules()
    project_packages = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if config.path.startswith(str(settings.BASE_DIR)) and "site-packages" not in config.path
    }
    project = {
        name: task for name, task in app.tasks.items() if name.split(".")[0] in project_packages
    }
    assert "ai.tasks.index_page" in project and "core.tasks.send_email" in project
    assert all(isinstance(task, PressroomTask) for task in project.values()), [
        name for name, task in project.items() if not isinstance(task, PressroomTask)
    ]


@pytest.fixture
def no_embedded_worker(monkeypatch):
    """This test process starts as a short-lived one would: no embedded worker."""
    from config import celery_tasks

    monkeypatch.setattr(celery_tasks, "_embedded_worker", None)


def wait_for_runs(count):
    deadline = time.monotonic() + 30
    while len(tasks.runs) < count and time.monotonic() < deadline:
        drain()
        time.sleep(0.05)


def test_the_embedded_worker_runs_its_periodic_tasks_at_start_on_the_background_thread(
    settings, no_embedded_worker
):
    from config.celery_tasks import embedded_worker_running, start_embedded_worker

    settings.EMBEDDED_TASKS_IN_BACKGROUND = True
    settings.EMBEDDED_PERIODIC_TASKS = {
        "record": {"task": "tests.testapp.tasks.record_periodic", "schedule": 3600}
    }
    assert not embedded_worker_running()
    start_embedded_worker()
    start_embedded_worker()  # a second call starts nothing more
    assert embedded_worker_running()
    wait_for_runs(1)
    assert [value for value, _ in tasks.runs] == ["periodic"]
    assert tasks.runs[0][1].startswith("embedded-task")


def test_with_a_broker_or_without_the_setting_there_is_no_embedded_worker(
    settings, no_embedded_worker
):
    from config.celery_tasks import embedded_worker_running, start_embedded_worker

    settings.EMBEDDED_TASKS_IN_BACKGROUND = False
    start_embedded_worker()
    assert not embedded_worker_running()
