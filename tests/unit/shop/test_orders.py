"""Orders after checkout: statuses and their transitions, stock returned on
cancellation (once), customers' own order pages, signed guest links, and the
notification and emails each status change sends."""

import time
import uuid
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client

from notifications.models import Notification
from shop.checkout import place_order
from shop.models import OrderStatus, ProductPage, StockAdjustment
from shop.order_links import order_link, order_token
from shop.orders import TransitionError, change_status
from tests.factories import UserFactory, customer_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(make_product):
    def place(user=None, quantity=2, stock=5, **details):
        product = make_product(stock_quantity=stock, price=Decimal("10.00"))
        return place_order(
            requested=[(product.pk, quantity)],
            customer=customer_details(**details),
            shipping_code="standard",
            payment_method="bank_transfer",
            idempotency_key=uuid.uuid4(),
            user=user,
        ).order

    return place


def stock_of(order):
    return ProductPage.objects.get(pk=order.lines.get().product_id).stock_quantity


def test_transitions_follow_the_table(place):
    manager = UserFactory(groups=["Shop managers"])
    order = place()
    with pytest.raises(TransitionError, match="is pending payment; it cannot be marked shipped"):
        change_status(order, OrderStatus.SHIPPED, user=manager)
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order = change_status(order, status, user=manager)
    with pytest.raises(TransitionError):
        change_status(order, OrderStatus.CANCELLED, user=manager)
    order = change_status(order, OrderStatus.REFUNDED, user=manager)
    history = list(order.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert history == [
        ("", "pending", None),
        ("pending", "paid", manager.pk),
        ("paid", "shipped", manager.pk),
        ("shipped", "delivered", manager.pk),
        ("delivered", "refunded", manager.pk),
    ]
    with pytest.raises(TransitionError):
        change_status(order, OrderStatus.PAID)


def test_cancelling_a_pending_order_returns_stock_exactly_once(place):
    order = place(quantity=2, stock=5)
    assert stock_of(order) == 3
    change_status(order, OrderStatus.CANCELLED)
    assert stock_of(order) == 5
    with pytest.raises(TransitionError):
        change_status(order, OrderStatus.CANCELLED)
    assert stock_of(order) == 5
    returns = StockAdjustment.objects.filter(reason=StockAdjustment.Reason.CANCELLATION)
    assert list(returns.values_list("change", "note")) == [(2, f"Order {order.number} cancelled")]


def test_status_changes_notify_signed_in_customers_and_email_paid_and_shipped(
    place, django_capture_on_commit_callbacks
):
    customer = UserFactory(username="buyer")
    manager = UserFactory(username="manager", groups=["Shop managers"])
    order = place(user=customer, email="buyer@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(order, OrderStatus.PAID, user=manager)
        change_status(order, OrderStatus.SHIPPED, user=manager)
        change_status(order, OrderStatus.DELIVERED, user=manager)
    notes = Notification.objects.filter(recipient=customer).order_by("pk")
    assert [n.data["status"] for n in notes] == ["paid", "shipped", "delivered"]
    assert notes[0].verb == "order_status_changed"
    assert notes[0].actor == manager
    assert notes[0].target == order
    assert notes[1].data["url"] == f"/orders/{order.number}/"
    assert [m.subject for m in mail.outbox] == [
        f"Payment received for order {order.number}",
        f"Order {order.number} is on its way",
    ]
    assert all(m.to == ["buyer@example.com"] for m in mail.outbox)
    assert "has shipped (standard delivery)" in mail.outbox[1].body
    assert "<strong>" in mail.outbox[1].alternatives[0][0]


def test_guest_orders_send_no_notification(place, django_capture_on_commit_callbacks):
    order = place()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        change_status(order, OrderStatus.PAID)
    assert callbacks  # the signal went out; there is no one to tell
    assert Notification.objects.count() == 0


def test_the_hook_is_the_one_place_status_changes_go_through(place):
    order = place()
    with mock.patch("shop.order_events.order_status_changed") as hook:
        change_status(order, OrderStatus.PAID, note="bank statement 12")
    hook.assert_called_once()
    args = hook.call_args
    assert args.args[1:] == (OrderStatus.PENDING, OrderStatus.PAID)


def test_my_orders_lists_only_my_orders(place):
    me = UserFactory(username="me")
    other = UserFactory(username="other")
    mine = place(user=me)
    theirs = place(user=other)
    client = Client()
    client.force_login(me)
    html = client.get("/orders/").content.decode()
    assert mine.number in html
    assert theirs.number not in html
    assert client.get(f"/orders/{mine.number}/").status_code == 200
    assert client.get(f"/orders/{theirs.number}/").status_code == 404
    assert client.post(f"/orders/{theirs.number}/cancel/").status_code == 404
    assert theirs.status == OrderStatus.PENDING


def test_order_pages_need_a_signed_in_owner(place):
    order = place(user=UserFactory())
    client = Client()
    response = client.get("/orders/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/orders/")
    assert client.get(f"/orders/{order.number}/").status_code == 302


def test_guest_reaches_the_order_through_the_signed_link(place):
    order = place(email="guest@example.com")
    client = Client()
    response = client.get(order_link(order))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Order {order.number}" in html
    assert "guest@example.com" in html
    assert 'name="robots" content="noindex"' in html

    forged = order_token(order).rsplit(":", 1)[0] + ":forgedsignature"
    assert client.get(f"/orders/link/{forged}/").status_code == 404
    other = signing.TimestampSigner(salt="other").sign(order.number)
    assert client.get(f"/orders/link/{other}/").status_code == 404


def test_signed_links_expire(place, settings):
    order = place()
    settings.SHOP_ORDER_LINK_MAX_AGE_DAYS = 1
    two_days_ago = int(time.time() - timedelta(days=2).total_seconds())
    with mock.patch.object(
        signing.TimestampSigner, "timestamp", return_value=signing.b62_encode(two_days_ago)
    ):
        old_token = order_token(order)
    assert Client().get(f"/orders/link/{old_token}/").status_code == 404
    assert Client().get(f"/orders/link/{order_token(order)}/").status_code == 200


def test_customer_cancels_a_pending_bank_transfer_order(place):
    order = place(quantity=3, stock=3)
    client = Client()
    link = order_link(order)
    assert "Cancel this order" in client.get(link).content.decode()
    response = client.post(f"{link}cancel/")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_of(order) == 3
    html = client.get(response.url).content.decode()
    assert f"Order {order.number} is cancelled." in html
    assert "Cancel this order" not in html
    # A second cancel changes nothing.
    client.post(f"{link}cancel/")
    assert StockAdjustment.objects.filter(reason="cancellation").count() == 1


def test_a_signed_link_cancel_of_a_customers_order_notifies_them(
    place, django_capture_on_commit_callbacks
):
    owner = UserFactory(username="owner")
    order = place(user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"{order_link(order)}cancel/")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    change = order.status_changes.last()
    assert change.changed_by is None
    note = Notification.objects.get(recipient=owner)
    assert (note.actor, note.data["status"]) == (None, "cancelled")


def test_paid_orders_cannot_be_cancelled_by_the_customer(place):
    owner = UserFactory()
    order = place(user=owner)
    change_status(order, OrderStatus.PAID)
    client = Client()
    client.force_login(owner)
    assert "Cancel this order" not in client.get(f"/orders/{order.number}/").content.decode()
    client.post(f"/orders/{order.number}/cancel/")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_customer_cancel_needs_the_csrf_token(place):
    order = place()
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"{order_link(order)}cancel/").status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
