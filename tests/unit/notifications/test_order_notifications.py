"""Order status news reaches notifications through shop.signals: a signed-in
customer gets the same notification as before (verb, target, data), only
once the change is committed; guests and seeding get none."""

import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from core.switches import bulk_load
from notifications.models import Notification
from shop.checkout import place_order
from shop.models import OrderStatus
from shop.orders import change_status
from tests.factories import (
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    UserFactory,
    customer_details,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_for():
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory(slug="shop"), slug="ink")
    product = ProductPageFactory(parent=category, price=Decimal("10.00"), stock_quantity=5)

    def place(user):
        return place_order(
            requested=[(product.pk, 1)],
            customer=customer_details(),
            shipping_code="standard",
            payment_method="bank_transfer",
            idempotency_key=uuid.uuid4(),
            user=user,
        ).order

    return place


def test_the_customer_is_notified_after_the_commit(order_for, django_capture_on_commit_callbacks):
    customer = UserFactory(username="buyer")
    manager = UserFactory(username="manager", groups=["Shop managers"])
    order = order_for(customer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_status(order, OrderStatus.PAID, user=manager)
    assert not Notification.objects.exists()  # the change is not committed yet
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    note = Notification.objects.get(recipient=customer)
    assert (note.verb, note.actor, note.target) == ("order_status_changed", manager, order)
    order_data = {key: value for key, value in note.data.items() if key != "actor_name"}
    assert order_data == {
        "number": order.number,
        "status": "paid",
        "previous_status": "pending",
        "status_label": "Paid",
        "url": f"/orders/{order.number}/",
    }
    assert note.text == f"Order {order.number} is now paid"


def test_a_rolled_back_change_notifies_no_one(order_for, django_capture_on_commit_callbacks):
    customer = UserFactory(username="buyer")
    order = order_for(customer)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        change_status(order, OrderStatus.CANCELLED)
        raise RuntimeError("rolled back")
    assert not Notification.objects.exists()


def test_guests_and_seeding_get_no_notification(order_for, django_capture_on_commit_callbacks):
    guest_order = order_for(None)
    customer = UserFactory(username="demo-reader")
    seeded = order_for(customer)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(guest_order, OrderStatus.PAID)
    # seed_demo commits inside the suspension: demo data is not news.
    with bulk_load.suspended(), django_capture_on_commit_callbacks(execute=True):
        change_status(seeded, OrderStatus.PAID)
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(seeded, OrderStatus.SHIPPED)
    assert [n.data["status"] for n in Notification.objects.filter(recipient=customer)] == [
        "shipped"
    ]
