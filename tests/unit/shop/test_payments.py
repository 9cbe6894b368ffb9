"""Payments: the provider interface, Stripe Checkout through the real stripe
SDK against a local HTTP server, and webhooks signed the way Stripe signs
them (HMAC-SHA256 over "{timestamp}.{payload}")."""

import hashlib
import hmac
import json
import threading
import time
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.test import Client

from shop.checkout import place_order
from shop.models import OrderStatus, PaymentEvent, ProductPage, StockAdjustment
from shop.payments import available_providers, minor_units, stripe_provider
from tests.factories import customer_details
from tests.unit.shop.conftest import add_to_cart

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "whsec_test_pressroom"
WEBHOOK_URL = "/checkout/webhooks/stripe/"


class FakeStripeAPI(BaseHTTPRequestHandler):
    """Answers POST /v1/checkout/sessions like Stripe's API, and records it."""

    requests = []
    fail = False

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).requests.append(
            {"path": self.path, "form": parse_qs(body), "headers": dict(self.headers)}
        )
        if type(self).fail:
            status, payload = 500, {"error": {"type": "api_error", "message": "down"}}
        else:
            session_id = f"cs_test_{len(type(self).requests)}"
            status, payload = (
                200,
                {
                    "id": session_id,
                    "object": "checkout.session",
                    "url": f"https://checkout.stripe.test/pay/{session_id}",
                },
            )
        self.reply(status, payload)

    def do_GET(self):
        session_id = self.path.rsplit("/", 1)[-1]
        type(self).requests.append({"path": self.path, "form": {}, "headers": dict(self.headers)})
        self.reply(
            200,
            {
                "id": session_id,
                "object": "checkout.session",
                "status": "open",
                "url": f"https://checkout.stripe.test/pay/{session_id}",
            },
        )

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def stripe_api(settings):
    FakeStripeAPI.requests = []
    FakeStripeAPI.fail = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStripeAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_SECRET_KEY = "sk_test_pressroom"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_port}"
    yield FakeStripeAPI
    server.shutdown()
    server.server_close()


def signed(payload, secret=WEBHOOK_SECRET, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def event(order, kind="checkout.session.completed", event_id="evt_1", **session):
    body = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": minor_units(order.total, order.currency),
        "currency": order.currency.lower(),
        "client_reference_id": order.number,
        "metadata": {"order_id": str(order.pk), "order_number": order.number},
        **session,
    }
    return json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": body}})


def post_webhook(payload, signature):
    return Client(enforce_csrf_checks=True).post(
        WEBHOOK_URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


@pytest.fixture
def stripe_order(make_product, stripe_api):
    product = make_product(price=Decimal("12.50"), stock_quantity=4)
    return place_order(
        requested=[(product.pk, 2)],
        customer=customer_details(),
        shipping_code="standard",
        payment_method="stripe",
        idempotency_key=uuid.uuid4(),
    ).order


def test_only_the_manual_provider_without_stripe_keys(settings, client, make_product):
    settings.STRIPE_SECRET_KEY = ""
    assert [provider.key for provider in available_providers()] == ["bank_transfer"]
    add_to_cart(client, make_product())
    html = client.get("/checkout/").content.decode()
    assert 'value="bank_transfer"' in html
    assert 'value="stripe"' not in html
    assert client.post(WEBHOOK_URL, "{}", content_type="application/json").status_code == 404


def test_stripe_checkout_opens_a_session_and_redirects(
    client, make_product, checkout_form, stripe_api
):
    product = make_product(title="Ink", price=Decimal("4.00"), stock_quantity=5)
    add_to_cart(client, product, 3)
    html = client.get("/checkout/").content.decode()
    assert 'value="stripe"' in html
    response = client.post("/checkout/", checkout_form(client, payment_method="stripe"))
    assert response.status_code == 302
    assert response.url == "https://checkout.stripe.test/pay/cs_test_1"
    [request] = stripe_api.requests
    assert request["path"] == "/v1/checkout/sessions"
    assert request["headers"]["Authorization"] == "Bearer sk_test_pressroom"
    form = request["form"]
    order = ProductPage.objects.get(pk=product.pk).order_lines.get().order
    assert request["headers"]["Idempotency-Key"] == f"pressroom-order-{order.idempotency_key}"
    assert form["client_reference_id"] == [order.number]
    assert form["metadata[order_id]"] == [str(order.pk)]
    assert form["line_items[0][price_data][unit_amount]"] == ["400"]
    assert form["line_items[0][quantity]"] == ["3"]
    assert form["line_items[1][price_data][unit_amount]"] == ["490"]  # shipping
    assert form["success_url"][0].startswith("http://testserver/orders/link/")
    assert order.payment_reference == "cs_test_1"
    assert order.status == OrderStatus.PENDING
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 2


def test_a_repeated_stripe_checkout_returns_to_the_same_session(
    client, make_product, checkout_form, stripe_api
):
    product = make_product(stock_quantity=5)
    add_to_cart(client, product, 1)
    data = checkout_form(client, payment_method="stripe")
    first = client.post("/checkout/", data)
    second = client.post("/checkout/", data)
    assert first.url == second.url == "https://checkout.stripe.test/pay/cs_test_1"
    assert [r["path"] for r in stripe_api.requests] == [
        "/v1/checkout/sessions",
        "/v1/checkout/sessions/cs_test_1",
    ]
    assert ProductPage.objects.get(pk=product.pk).order_lines.count() == 1


def test_exclusive_tax_is_sent_as_its_own_line(settings, make_product, stripe_api):
    settings.SHOP_PRICES_INCLUDE_TAX = False
    product = make_product(price=Decimal("10.00"), stock_quantity=5)
    order = place_order(
        requested=[(product.pk, 1)],
        customer=customer_details(),
        shipping_code="express",
        payment_method="stripe",
        idempotency_key=uuid.uuid4(),
    ).order
    items = stripe_provider().line_items(order)
    amounts = [item["price_data"]["unit_amount"] * item["quantity"] for item in items]
    assert [item["price_data"]["product_data"]["name"] for item in items][-1] == "Tax (20 %)"
    assert sum(amounts) == minor_units(order.total, "EUR") == 2748  # 10 + 12.90 + 4.58


def test_stripe_outage_charges_nothing_and_keeps_the_cart(
    client, make_product, checkout_form, stripe_api
):
    stripe_api.fail = True
    product = make_product(title="Ink", stock_quantity=5)
    add_to_cart(client, product, 2)
    data = checkout_form(client, payment_method="stripe")
    response = client.post("/checkout/", data)
    assert response.status_code == 502
    html = response.content.decode()
    assert "The card payment service could not be reached." in html
    assert "Nothing was charged; your cart is unchanged." in html
    order = ProductPage.objects.get(pk=product.pk).order_lines.get().order
    assert order.status == OrderStatus.CANCELLED
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 5
    assert client.session["shop_cart"][str(product.pk)][0] == 2
    # The page carries a fresh key, so the retry is a new order.
    assert data["idempotency_key"] not in html


def test_a_bad_signature_is_refused(stripe_order):
    payload = event(stripe_order)
    assert post_webhook(payload, signed(payload, secret="whsec_wrong")).status_code == 400
    assert post_webhook(payload, "t=1,v1=deadbeef").status_code == 400
    assert post_webhook(payload, "").status_code == 400
    old = int(time.time()) - 3600  # outside Stripe's 5-minute tolerance
    assert post_webhook(payload, signed(payload, timestamp=old)).status_code == 400
    tampered = payload.replace('"paid"', '"paid" ')
    assert post_webhook(tampered, signed(payload)).status_code == 400
    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.PENDING
    assert PaymentEvent.objects.count() == 0


def test_completed_session_marks_the_order_paid_once(
    stripe_order, django_capture_on_commit_callbacks
):
    payload = event(stripe_order)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(payload, signed(payload))
    assert response.status_code == 200
    assert response.json() == {"outcome": "order marked paid"}
    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.PAID
    assert [m.subject for m in mail.outbox] == [f"Payment received for order {stripe_order.number}"]

    replay = post_webhook(payload, signed(payload))
    assert replay.status_code == 200
    assert replay.json() == {"outcome": "duplicate event: ignored"}
    assert PaymentEvent.objects.filter(event_id="evt_1").count() == 1
    assert stripe_order.status_changes.filter(to_status=OrderStatus.PAID).count() == 1
    assert len(mail.outbox) == 1

    # A different event for the same, already paid session changes nothing.
    again = event(stripe_order, event_id="evt_2")
    assert post_webhook(again, signed(again)).json()["outcome"].startswith("unchanged:")


def test_an_amount_mismatch_does_not_mark_paid(stripe_order):
    payload = event(stripe_order, amount_total=100)
    response = post_webhook(payload, signed(payload))
    assert response.json()["outcome"].startswith("amount mismatch")
    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.PENDING


def test_unpaid_completion_waits(stripe_order):
    payload = event(stripe_order, payment_status="unpaid")
    assert post_webhook(payload, signed(payload)).json() == {"outcome": "payment not completed yet"}
    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.PENDING


def test_expired_session_cancels_the_order_and_returns_stock(stripe_order):
    product = stripe_order.lines.get().product
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 2
    payload = event(stripe_order, kind="checkout.session.expired", event_id="evt_x")
    assert post_webhook(payload, signed(payload)).json() == {"outcome": "order marked cancelled"}
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 4
    assert StockAdjustment.objects.filter(product=product, reason="cancellation").count() == 1


def test_events_for_unknown_orders_or_types_are_recorded_and_ignored(stripe_order):
    other = json.dumps(
        {"id": "evt_3", "object": "event", "type": "customer.created", "data": {"object": {}}}
    )
    assert post_webhook(other, signed(other)).json() == {"outcome": "ignored event type"}
    stranger = event(stripe_order, event_id="evt_4", client_reference_id="PR-1999-000001")
    assert post_webhook(stranger, signed(stranger)).json() == {"outcome": "no matching order"}
    assert PaymentEvent.objects.count() == 2
    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.PENDING
