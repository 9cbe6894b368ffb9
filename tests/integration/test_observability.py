"""Observability against real processes: Daphne's /metrics after a page view
and a socket message, a real Celery worker's own metrics endpoint after
tasks sent through Redis, the request id carried into the worker's JSON log
lines, and Sentry envelopes from a failing task arriving at a local HTTP
server standing in for Sentry, tagged with that request id."""

import gzip
import json
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from websockets.sync.client import connect

from observability.request_ids import bound_request_id
from tests import servers
from tests.live import wait_until
from tests.metrics import TOKEN, scrape_url, value
from tests.testapp.tasks import log_line, record_thread


class SentryStandIn:
    """A local HTTP server that accepts Sentry envelopes and keeps their events."""

    def __init__(self):
        self.events = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                stand_in.events.extend(envelope_events(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_address[1]}/7"

    def stop(self):
        self.server.shutdown()


def envelope_events(body):
    """The event payloads of one envelope (a header line, then item header and
    payload lines)."""
    lines = body.split(b"\n")
    events = []
    index = 1
    while index + 1 < len(lines):
        header = json.loads(lines[index])
        payload = lines[index + 1]
        if header.get("type") == "event":
            events.append(json.loads(payload))
        index += 2
    return events


def status_without_token(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def sentry():
    stand_in = SentryStandIn()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="module")
def observed_env(service_settings_env, sentry):
    return {
        **service_settings_env,
        "METRICS_TOKEN": TOKEN,
        "LOG_FORMAT": "json",
        "SENTRY_DSN": sentry.dsn,
        "SENTRY_ENVIRONMENT": "integration",
    }


@pytest.fixture(scope="module")
def observed_daphne(django_db_setup, observed_env):
    server = servers.Daphne(extra_env=observed_env, name="daphne-observed")
    yield server
    server.stop()


OBSERVED_QUEUE = "observed"


@pytest.fixture(scope="module")
def observed_worker(django_db_setup, observed_env):
    port = servers.free_port()
    directory = tempfile.mkdtemp(prefix="pressroom-metrics-")
    worker = servers.CeleryWorker(
        extra_env={
            **observed_env,
            "WORKER_METRICS_PORT": str(port),
            "PROMETHEUS_MULTIPROC_DIR": directory,
        },
        name="celery-observed",
        # A queue of its own: the session's shared worker consumes the same
        # broker and would take these tasks (and count them) instead.
        queues=OBSERVED_QUEUE,
    )
    worker.metrics_url = f"http://127.0.0.1:{port}/metrics"
    yield worker
    worker.stop()


def test_daphne_metrics_after_a_page_view_and_a_socket_message(live_db, observed_daphne):
    metrics_url = f"{observed_daphne.url}/metrics"
    assert status_without_token(metrics_url) == 401
    before = scrape_url(metrics_url)
    with urllib.request.urlopen(f"{observed_daphne.url}/", timeout=30) as response:
        assert response.status == 200
        request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    with connect(
        f"{observed_daphne.ws_url}/ws/assistant/",
        additional_headers={"Origin": observed_daphne.url},
        open_timeout=10,
    ) as socket:
        socket.send(json.dumps({"type": "nope"}))
        assert json.loads(socket.recv(timeout=10))["code"] == "unknown_type"
        during = scrape_url(metrics_url)
    after = wait_until(
        lambda: (
            (samples := scrape_url(metrics_url))
            and value(samples, "pressroom_websocket_connections_open", consumer="AssistantConsumer")
            == value(before, "pressroom_websocket_connections_open", consumer="AssistantConsumer")
            and samples
        ),
        message="the socket to be counted closed",
    )

    def delta(samples, name, **labels):
        return value(samples, name, **labels) - value(before, name, **labels)

    assert delta(after, "pressroom_http_requests_total", route="wagtail_serve", status="200") == 1
    assert delta(after, "pressroom_http_request_duration_seconds_count", route="wagtail_serve") == 1
    assert delta(after, "pressroom_db_queries_total", outcome="ok") >= 1
    assert delta(after, "pressroom_cache_operations_total", operation="get") >= 1
    consumer = {"consumer": "AssistantConsumer"}
    assert delta(during, "pressroom_websocket_connections_open", **consumer) == 1
    assert delta(after, "pressroom_websocket_frames_received_total", **consumer) == 1
    assert delta(after, "pressroom_websocket_frames_sent_total", **consumer) == 1
    # Read at scrape time from the broker and the database.
    assert "celery" in {labels["queue"] for labels, _ in after["pressroom_celery_queue_length"]}
    backlog = {
        (labels["kind"], labels["status"]) for labels, _ in after["pressroom_ai_index_backlog"]
    }
    assert {("index", "pending"), ("tag", "failed")} <= backlog
    # Daphne's own log lines are JSON with the page view's request id.
    lines = [
        json.loads(line) for line in observed_daphne.proc.log().splitlines() if line.startswith("{")
    ]
    access = [line for line in lines if line.get("logger") == "pressroom.requests"]
    assert any(
        line["request_id"] == request_id and line["route"] == "wagtail_serve" for line in access
    )


def test_tasks_through_the_real_worker_metrics_logs_and_sentry(live_db, observed_worker, sentry):
    assert status_without_token(observed_worker.metrics_url) == 401
    request_id = uuid.uuid4().hex
    marker = f"hello {request_id[:8]}"
    with bound_request_id(request_id):
        log_line.apply_async((marker,), queue=OBSERVED_QUEUE)
        record_thread.apply_async(("ok",), queue=OBSERVED_QUEUE)
        record_thread.apply_async(("fail",), queue=OBSERVED_QUEUE)

    def worker_samples():
        samples = scrape_url(observed_worker.metrics_url)
        done = value(
            samples, "pressroom_celery_tasks_total", task=record_thread.name, state="failed"
        )
        return samples if done else None

    samples = wait_until(worker_samples, timeout=60, message="the worker to run the tasks")
    for task, state in ((log_line.name, "succeeded"), (record_thread.name, "succeeded")):
        assert value(samples, "pressroom_celery_tasks_total", task=task, state=state) >= 1
        assert (
            value(samples, "pressroom_celery_task_duration_seconds_count", task=task, state=state)
            >= 1
        )
    assert (
        value(samples, "pressroom_celery_tasks_total", task=record_thread.name, state="failed") >= 1
    )

    # The worker's log lines are JSON, and the task's carry the request id.
    lines = [
        json.loads(line) for line in observed_worker.proc.log().splitlines() if line.startswith("{")
    ]
    task_line = next(line for line in lines if line.get("message") == f"task says {marker}")
    assert task_line["request_id"] == request_id

    # The failing task reached "Sentry" with the request id that queued it.
    event = wait_until(
        lambda: next(
            (
                event
                for event in sentry.events
                if event.get("tags", {}).get("request_id") == request_id
                and "fails on purpose" in json.dumps(event.get("exception", {}))
            ),
            None,
        ),
        timeout=30,
        message="the task's Sentry envelope",
    )
    assert event["environment"] == "integration"
