"""One request id per HTTP request, socket and task: answered in
X-Request-ID, present in every log line (JSON or text), and carried from
the request that queued a task into the task's log lines, through a real
broker message."""

import io
import json
import logging
import os
import subprocess
import sys
import textwrap
import threading

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from channels.testing import WebsocketCommunicator

from chat.assistant import answering
from config.asgi import application
from observability.celery_signals import REQUEST_ID_HEADER
from observability.logs import JsonLogFormatter, RedactingFilter, TextLogFormatter, redact
from observability.request_ids import RequestIdLogFilter, bound_request_id, current_request_id
from tests.servers import ROOT

KNOWN_ID = "feedc0de1234abcd5678"


@pytest.fixture
def json_log():
    """Root log records rendered as production renders them, one JSON per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter())
    handler.addFilter(RequestIdLogFilter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_every_response_has_a_fresh_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and int(first["X-Request-ID"], 16) >= 0
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_well_formed_incoming_id_is_kept(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=KNOWN_ID)["X-Request-ID"] == KNOWN_ID


@pytest.mark.parametrize("sent", ["short", "has space in it", "x" * 65, "evil\\nline", "<script>"])
def test_a_malformed_incoming_id_is_replaced(client, sent):
    answered = client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert answered != sent and len(answered) == 32


@pytest.mark.django_db
def test_request_log_lines_are_json_with_the_request_id(client, json_log):
    response = client.get("/no-such-page/?email=ada@example.com", HTTP_X_REQUEST_ID=KNOWN_ID)
    assert response.status_code == 404
    lines = json_log()
    assert lines, "nothing was logged"
    assert {line["request_id"] for line in lines} == {KNOWN_ID}
    access = next(line for line in lines if line["logger"] == "pressroom.requests")
    assert access["level"] == "INFO"
    assert (access["route"], access["status"], access["http_method"]) == (
        "wagtail_serve",
        404,
        "GET",
    )
    assert access["duration_ms"] >= 0 and access["time"]
    # Django's own "Not Found" warning: no query string, no request object.
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert "ada@example.com" not in json.dumps(lines)
    assert "request" not in not_found
    assert current_request_id() is None  # unbound after the response


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_socket_has_one_request_id_for_all_its_lines(json_log, monkeypatch):
    async def failing_answer(*args, **kwargs):
        raise RuntimeError("the answer service broke")
        yield  # an async generator, like the real one

    monkeypatch.setattr(answering, "answer_frames", failing_answer)
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    sockets = []
    for request_id in (KNOWN_ID, None):
        socket = WebsocketCommunicator(
            application,
            "/ws/assistant/",
            headers=[*headers, (b"x-request-id", request_id.encode())] if request_id else headers,
        )
        assert (await socket.connect())[0]
        sockets.append(socket)
    for socket in sockets * 2:  # two questions on each socket
        await socket.send_json_to({"type": "ask", "question": "What is new?"})
        assert (await socket.receive_json_from())["code"] == "internal_error"
    for socket in sockets:
        await socket.disconnect()
    failures = [line for line in json_log() if line["message"] == "assistant answer failed"]
    assert len(failures) == 4
    ids = [line["request_id"] for line in failures]
    # Sockets alternate: the proxy's id on the first, one fresh id on the second.
    assert ids[0] == ids[2] == KNOWN_ID
    assert ids[1] == ids[3] and len(ids[1]) == 32 and ids[1] != KNOWN_ID
    assert "the answer service broke" in failures[0]["exc_info"]


def test_redaction_of_personal_data_and_credentials():
    assert redact("mail ada.l+x@example.co.uk now") == "mail [email] now"
    assert redact("Authorization: Bearer abc.DEF-123") == "Authorization: [redacted]"
    assert redact("sent Bearer abc.DEF-123") == "sent Bearer [redacted]"
    assert (
        redact("token=s3cr3t&x=1 password: hunter2") == "token=[redacted]&x=1 password: [redacted]"
    )
    assert redact("GET /accounts/login/?next=/x&key=1 200") == "GET /accounts/login/?[query] 200"
    assert (
        redact("cache key pressroom:1:content-version") == "cache key pressroom:1:content-version"
    )


def test_redacting_filter_rewrites_the_rendered_message(json_log):
    logging.getLogger("tests.redact").warning(
        "signup by %s with token=%s", "ada@example.com", "t0k"
    )
    (line,) = json_log()
    assert line["message"] == "signup by [email] with token=[redacted]"


def test_tracebacks_are_redacted_too(json_log):
    try:
        raise ValueError("no account for ada@example.com")
    except ValueError:
        logging.getLogger("tests.redact").exception("lookup failed")
    (line,) = json_log()
    assert "ValueError: no account for [email]" in line["exc_info"]
    assert "ada@example.com" not in json.dumps(line)
    text = TextLogFormatter()
    try:
        raise ValueError("no account for ada@example.com")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    record.request_id = KNOWN_ID
    rendered = text.format(record)
    assert f"ERROR t [{KNOWN_ID}] failed" in rendered
    assert "no account for [email]" in rendered and "ada@" not in rendered


def test_json_lines_from_the_real_settings_with_a_task_under_the_request(tmp_path):
    """`manage.py shell` under LOG_FORMAT=json: the settings' own LOGGING,
    a request through the test client and an (eager) task it queues."""
    script = textwrap.dedent(
        f"""
        from django.test import Client
        from django.urls import path
        from tests.testapp.tasks import log_line
        import config.urls

        def queue_task(request):
            from django.http import HttpResponse
            log_line.delay("hello from the task")
            return HttpResponse("queued")

        config.urls.urlpatterns.insert(0, path("queue-task", queue_task))
        Client().get("/queue-task", HTTP_X_REQUEST_ID="{KNOWN_ID}")
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "LOG_FORMAT": "json",
        "PRESSROOM_VAR_DIR": str(tmp_path),
        # An empty, unmigrated database: no page cache (it reads the pages'
        # expiry times for its key).
        "PAGE_CACHE_SECONDS": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr[-2000:]
    task_line = next(line for line in lines if line["logger"] == "tests.testapp.tasks")
    assert task_line["message"] == "task says hello from the task"
    assert task_line["request_id"] == KNOWN_ID
    assert task_line["level"] == "WARNING"
    access = next(line for line in lines if line["logger"] == "pressroom.requests")
    assert access["request_id"] == KNOWN_ID and access["status"] == 200
    # Every line parses, and nothing else (no plain-text lines) was written.
    assert len(lines) == len(result.stderr.splitlines())


# A Celery app of its own on kombu's in-memory broker (the project's app is
# eager in unit tests); the request-id signals are connected for every app.
broker_app = Celery(
    "observability-tests",
    broker="memory://",
    backend="cache+memory://",
    # Not the current app: project code (delay_on_commit, the queue gauge) keeps ours.
    set_as_current=False,
)
broker_app.conf.task_always_eager = False
seen_request_ids = []


@broker_app.task(name="observability_tests.remember_request_id")
def remember_request_id():
    """Log a line and note the request id the task runs under."""
    logging.getLogger("tests.worker").warning("running")
    seen_request_ids.append(current_request_id())


@pytest.fixture
def broker_worker():
    """A real worker consuming broker_app's queue on a thread."""
    seen_request_ids.clear()
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.usefixtures("broker_worker")
def test_a_task_queued_in_a_request_runs_under_its_request_id(json_log):
    with bound_request_id(KNOWN_ID):
        result = remember_request_id.delay()
    result.get(timeout=20)
    assert seen_request_ids == [KNOWN_ID]
    assert threading.current_thread().name == "MainThread"  # the worker ran elsewhere
    worker_lines = [line for line in json_log() if line["logger"] == "tests.worker"]
    assert [line["request_id"] for line in worker_lines] == [KNOWN_ID]


@pytest.mark.usefixtures("broker_worker")
def test_a_task_queued_outside_any_request_gets_its_own_id():
    remember_request_id.delay().get(timeout=20)
    (request_id,) = seen_request_ids
    assert request_id and request_id != KNOWN_ID


def test_the_header_travels_in_the_message():
    with bound_request_id(KNOWN_ID):
        remember_request_id.delay()  # no worker: the message stays queued
    with broker_app.connection_for_read() as connection:
        message = connection.SimpleQueue("celery").get(timeout=5)
    assert message.headers["task"] == "observability_tests.remember_request_id"
    assert message.headers[REQUEST_ID_HEADER] == KNOWN_ID
    message.ack()
