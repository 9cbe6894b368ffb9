"""Order news leaves the shop as signals (shop.signals), sent once and only
after the commit: never for a rolled-back order or status change, never twice
for a repeated checkout, and a failing receiver undoes nothing."""

import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from shop import signals
from shop.checkout import place_order
from shop.models import Order, OrderStatus
from shop.orders import change_status
from tests.factories import UserFactory, customer_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """The (signal name, arguments) each order signal delivered, in order."""
    calls = []

    def listener(name):
        def receive(sender, **kwargs):
            kwargs.pop("signal")
            calls.append((name, sender, kwargs))

        return receive

    receivers = {
        signals.order_placed: listener("placed"),
        signals.order_status_changed: listener("status"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    yield calls
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


@pytest.fixture
def submit(make_product):
    product = make_product(price=Decimal("10.00"), stock_quantity=5)

    def submit(key=None, user=None):
        return place_order(
            requested=[(product.pk, 1)],
            customer=customer_details(),
            shipping_code="standard",
            payment_method="bank_transfer",
            idempotency_key=key or uuid.uuid4(),
            user=user,
        )

    return submit


def test_order_placed_goes_out_after_the_commit_once_per_order(
    submit, heard, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        placed = submit(key)
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert heard == [("placed", Order, {"order": placed.order})]
    with django_capture_on_commit_callbacks(execute=True):
        again = submit(key)  # a double submit finds the order: no news
    assert not again.created
    assert [name for name, _, _ in heard] == ["placed"]


def test_status_changes_go_out_after_the_commit_with_who_and_what(
    submit, heard, django_capture_on_commit_callbacks
):
    manager = UserFactory(username="manager", groups=["Shop managers"])
    order = submit().order
    heard.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        paid = change_status(order, OrderStatus.PAID, user=manager)
    assert heard == []
    for callback in callbacks:
        callback()
    [(name, sender, arguments)] = heard
    assert (name, sender) == ("status", Order)
    assert arguments == {
        "order": paid,
        "old_status": OrderStatus.PENDING,
        "new_status": OrderStatus.PAID,
        "actor": manager,
    }
    assert arguments["order"].status == OrderStatus.PAID


def test_a_rolled_back_status_change_sends_nothing(
    submit, heard, django_capture_on_commit_callbacks
):
    order = submit().order
    heard.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        change_status(order, OrderStatus.CANCELLED)
        raise RuntimeError("the surrounding work failed")
    assert callbacks == []
    assert heard == []
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_failing_receiver_undoes_nothing_and_the_others_still_hear(
    submit, heard, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, **kwargs):
        raise ValueError("receiver bug")

    order = submit().order
    heard.clear()
    signals.order_status_changed.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            changed = change_status(order, OrderStatus.PAID)
    finally:
        signals.order_status_changed.disconnect(broken)
    assert changed.status == OrderStatus.PAID
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert [name for name, _, _ in heard] == ["status"]
    assert "receiver bug" in caplog.text
