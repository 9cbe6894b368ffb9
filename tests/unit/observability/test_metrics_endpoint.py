"""/metrics: 404 while METRICS_TOKEN is unset, 401 without the right bearer
token, and after real traffic (a page view, a socket message, a task, an
LLM call, checkouts) the named series carry it."""

import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import DatabaseError, connection

from ai import jobs as ai_jobs
from ai.llm import LLMError
from ai.models import IndexJob
from config.asgi import application
from observability.llm_metrics import metered
from shop.checkout import CheckoutError, InsufficientStock, place_order
from tests.factories import (
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    customer_details,
)
from tests.metrics import TOKEN, scrape, value
from tests.testapp.tasks import record_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def test_metrics_are_404_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong-token",
        f"Basic {TOKEN}",
        TOKEN,
        f"Bearer {TOKEN}x",
    ],
)
def test_metrics_refuse_without_the_right_bearer_token(client, metrics_on, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"pressroom_" not in response.content


def test_the_token_opens_the_exposition(client, metrics_on):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"]
    assert b"# TYPE pressroom_http_requests_total counter" in response.content


def test_a_page_view_counts_by_route_and_status_with_queries_and_cache(client, metrics_on):
    before = scrape(client)
    assert client.get("/healthz").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("pressroom_http_requests_total", route="healthz", method="GET", status="200") == 1
    assert (
        delta("pressroom_http_request_duration_seconds_count", route="healthz", status="200") == 1
    )
    # Wagtail's catch-all route answered the unknown page.
    assert delta("pressroom_http_requests_total", route="wagtail_serve", status="404") == 1
    # The page lookup ran SQL and the content version came from the cache.
    assert delta("pressroom_db_queries_total", alias="default", outcome="ok") >= 1
    assert delta("pressroom_db_query_duration_seconds_count", alias="default") >= 1
    assert delta("pressroom_cache_operations_total", operation="get") >= 1


def test_made_up_methods_share_one_label(client, metrics_on):
    before = scrape(client)
    client.generic("BREW", "/healthz")
    after = scrape(client)
    assert value(after, "pressroom_http_requests_total", route="healthz", method="other") == (
        value(before, "pressroom_http_requests_total", route="healthz", method="other") + 1
    )
    assert not any(
        labels.get("method") == "BREW" for labels, _ in after["pressroom_http_requests_total"]
    )


def test_failed_statements_are_counted(client, metrics_on):
    before = scrape(client)
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    after = scrape(client)
    assert value(after, "pressroom_db_queries_total", outcome="error") == (
        value(before, "pressroom_db_queries_total", outcome="error") + 1
    )


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_socket_connections_and_frames_by_consumer(client, metrics_on):
    before = await sync_to_async(scrape)(client)
    socket = WebsocketCommunicator(
        application,
        "/ws/assistant/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    assert (await socket.connect())[0]
    during = await sync_to_async(scrape)(client)
    await socket.send_json_to({"type": "nope"})
    assert (await socket.receive_json_from())["code"] == "unknown_type"
    await socket.disconnect()
    after = await sync_to_async(scrape)(client)

    def delta(samples, name):
        return value(samples, name, consumer="AssistantConsumer") - value(
            before, name, consumer="AssistantConsumer"
        )

    assert delta(during, "pressroom_websocket_connections_open") == 1
    assert delta(after, "pressroom_websocket_connections_open") == 0
    assert delta(after, "pressroom_websocket_connections_total") == 1
    assert delta(after, "pressroom_websocket_frames_received_total") == 1
    assert delta(after, "pressroom_websocket_frames_sent_total") == 1


def test_tasks_by_name_and_state_with_run_times(client, metrics_on):
    name = record_thread.name
    before = scrape(client)
    record_thread.delay("ok")
    record_thread.delay("fail")  # eager tasks do not propagate the error
    after = scrape(client)

    def delta(metric, **labels):
        return value(after, metric, task=name, **labels) - value(
            before, metric, task=name, **labels
        )

    assert delta("pressroom_celery_tasks_total", state="started") == 2
    assert delta("pressroom_celery_tasks_total", state="succeeded") == 1
    assert delta("pressroom_celery_tasks_total", state="failed") == 1
    assert delta("pressroom_celery_task_duration_seconds_count", state="succeeded") == 1
    assert delta("pressroom_celery_task_duration_seconds_count", state="failed") == 1


def test_backlog_gauges_are_read_at_scrape_time(client, metrics_on):
    samples = scrape(client)
    # Embedded mode: no broker, so no queue gauge; the database ones are there.
    assert "pressroom_celery_queue_length" not in samples
    assert "pressroom_celery_parked_tasks" in samples
    backlog = "pressroom_ai_index_backlog"
    IndexJob.objects.update(status=IndexJob.Status.DONE)  # whatever earlier tests left
    assert value(scrape(client), backlog) == 0
    page = ShopIndexPageFactory(slug="backlog-shop")
    ai_jobs.record([(page.pk, page.live_revision_id)], ["index", "tag"])  # as a publish does
    IndexJob.objects.filter(kind="tag").update(status=IndexJob.Status.FAILED)
    samples = scrape(client)
    assert value(samples, backlog, kind="index", status="pending") == 1
    assert value(samples, backlog, kind="tag", status="failed") == 1
    assert value(samples, backlog, kind="tag", status="pending") == 0
    IndexJob.objects.update(status=IndexJob.Status.DONE)
    assert value(scrape(client), backlog) == 0


class ScriptedBackend:
    """An LLM backend double: answers with usage, or fails with `error`."""

    name = "scripted"

    def __init__(self, error=None):
        self.error = error

    # Each call is self-contained: metered() replaces these on the instance.
    def complete(self, messages, **kwargs):
        if self.error:
            raise self.error
        return SimpleNamespace(text="ok", usage={"prompt_tokens": 11, "completion_tokens": 3})

    async def acomplete(self, messages, **kwargs):
        if self.error:
            raise self.error
        return SimpleNamespace(text="ok", usage={"prompt_tokens": 11, "completion_tokens": 3})

    def stream(self, messages, result=None, **kwargs):
        yield "a"
        if self.error:
            raise self.error
        yield "b"
        result.usage = {"prompt_tokens": 5, "completion_tokens": 2}

    async def astream(self, messages, result=None, **kwargs):
        yield "a"
        if self.error:
            raise self.error
        yield "b"
        result.usage = {"prompt_tokens": 5, "completion_tokens": 2}


def test_llm_calls_latency_tokens_and_errors_by_backend(client, metrics_on):
    before = scrape(client)
    working = metered(ScriptedBackend())
    assert working.complete([]).text == "ok"
    assert "".join(working.stream([])) == "ab"
    failing = metered(ScriptedBackend(LLMError("timeout", "too slow")))
    with pytest.raises(LLMError):
        failing.complete([])
    with pytest.raises(LLMError):
        list(failing.stream([]))
    after = scrape(client)

    def delta(metric, **labels):
        labels["backend"] = "scripted"
        return value(after, metric, **labels) - value(before, metric, **labels)

    assert delta("pressroom_llm_request_duration_seconds_count", outcome="ok") == 2
    assert delta("pressroom_llm_request_duration_seconds_count", outcome="error") == 2
    assert delta("pressroom_llm_tokens_total", kind="prompt") == 16
    assert delta("pressroom_llm_tokens_total", kind="completion") == 5
    assert delta("pressroom_llm_errors_total", code="timeout") == 2


class CompletingBackend(ScriptedBackend):
    """Streams by calling its own complete(), as the offline backend does."""

    name = "completing"

    def stream(self, messages, result=None, **kwargs):
        yield from self.complete(messages).text

    async def astream(self, messages, result=None, **kwargs):
        for delta in (await self.acomplete(messages)).text:
            yield delta


@pytest.mark.asyncio
async def test_a_stream_built_on_complete_counts_once(client, metrics_on):
    before = await sync_to_async(scrape)(client)
    backend = metered(CompletingBackend())
    assert "".join(backend.stream([])) == "ok"
    assert "".join([delta async for delta in backend.astream([])]) == "ok"
    after = await sync_to_async(scrape)(client)
    name = "pressroom_llm_request_duration_seconds_count"
    for operation, expected in (("stream", 2), ("complete", 0)):
        labels = {"backend": "completing", "operation": operation}
        assert value(after, name, **labels) - value(before, name, **labels) == expected


@pytest.mark.asyncio
async def test_a_stopped_stream_counts_as_cancelled(client, metrics_on):
    before = await sync_to_async(scrape)(client)
    stream = metered(ScriptedBackend()).astream([])
    assert await anext(stream) == "a"
    await stream.aclose()
    after = await sync_to_async(scrape)(client)
    labels = {"backend": "scripted", "outcome": "cancelled"}
    name = "pressroom_llm_request_duration_seconds_count"
    assert value(after, name, **labels) == value(before, name, **labels) + 1


def test_checkout_outcomes_and_oversell_guard_hits(client, metrics_on):
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory(slug="m-shop"), slug="m")
    product = ProductPageFactory(parent=category, price=Decimal("5.00"), stock_quantity=1)

    def order(quantity, key=None, shipping="standard"):
        return place_order(
            requested=[(product.pk, quantity)],
            customer=customer_details(),
            shipping_code=shipping,
            payment_method="bank_transfer",
            idempotency_key=key or uuid.uuid4(),
        )

    before = scrape(client)
    key = uuid.uuid4()
    assert order(1, key).created
    assert not order(1, key).created  # a double submit
    with pytest.raises(InsufficientStock):
        order(1)  # the stock row is at 0 now
    with pytest.raises(CheckoutError):
        order(1, shipping="by-pigeon")
    after = scrape(client)

    def delta(metric, **labels):
        return value(after, metric, **labels) - value(before, metric, **labels)

    for outcome in ("placed", "duplicate", "insufficient_stock", "rejected"):
        assert delta("pressroom_checkout_outcomes_total", outcome=outcome) == 1, outcome
    assert delta("pressroom_oversell_guard_hits_total") == 1


def test_scrapers_reach_metrics_by_internal_name_over_plain_http(client, settings, metrics_on):
    # Production refuses unknown hosts and redirects plain HTTP; Prometheus
    # scrapes http://web:8000/metrics inside the compose network.
    settings.ALLOWED_HOSTS = ["pressroom.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="web:8000").status_code == 400
    response = client.get("/metrics", HTTP_HOST="web:8000", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"pressroom_http_requests_total" in response.content
    refused = client.get("/metrics", HTTP_HOST="web:8000")
    assert refused.status_code == 401 and b"pressroom_" not in refused.content
