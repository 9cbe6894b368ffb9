"""The orders admin (list, filters, search, CSV export, order page, status
actions) and the low-stock report, with their permission checks."""

import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from shop.checkout import place_order
from shop.models import OrderStatus
from tests.factories import UserFactory, customer_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client():
    client = Client()
    client.force_login(UserFactory(username="keeper", groups=["Shop managers"]))
    return client


@pytest.fixture
def orders(make_product):
    lamp = make_product(title="Brass lamp", sku="LAMP-1", price=Decimal("30.00"), stock_quantity=9)

    def place(email, quantity=1):
        return place_order(
            requested=[(lamp.pk, quantity)],
            customer=customer_details(email=email, full_name=email.split("@")[0].title()),
            shipping_code="standard",
            payment_method="bank_transfer",
            idempotency_key=uuid.uuid4(),
        ).order

    return [place("grace@example.com", 2), place("alan@example.com")]


def test_shop_managers_list_search_and_filter_orders(manager_client, orders):
    grace, alan = orders
    index = reverse("orders:index")
    html = manager_client.get(index).content.decode()
    assert grace.number in html and alan.number in html
    assert "Pending payment" in html
    assert reverse("orders:inspect", args=[grace.pk]) in html
    assert "/admin/orders/new/" not in html

    html = manager_client.get(index, {"q": "alan@"}).content.decode()
    assert alan.number in html and grace.number not in html
    html = manager_client.get(index, {"q": grace.number}).content.decode()
    assert grace.number in html and alan.number not in html

    manager_client.post(reverse("orders:status", args=[alan.pk]), {"status": OrderStatus.PAID})
    html = manager_client.get(index, {"status": "paid"}).content.decode()
    assert alan.number in html and grace.number not in html
    today = alan.created_at.date().isoformat()
    html = manager_client.get(
        index, {"created_at_from": today, "created_at_to": today}
    ).content.decode()
    assert alan.number in html and grace.number in html
    html = manager_client.get(
        index, {"created_at_from": "2001-01-01", "created_at_to": "2001-01-02"}
    ).content.decode()
    assert alan.number not in html


def test_orders_export_as_csv(manager_client, orders):
    grace, _ = orders
    response = manager_client.get(reverse("orders:index"), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="orders.csv"'
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[0].startswith("Number,Created at,Status,Full name,Email")
    assert any(row.startswith(f"{grace.number},") and ",64.90," in row for row in rows[1:])


def test_order_page_shows_lines_totals_and_actions(manager_client, orders):
    grace, _ = orders
    html = manager_client.get(reverse("orders:inspect", args=[grace.pk])).content.decode()
    assert "Brass lamp" in html and "LAMP-1" in html
    assert "€64.90" in html  # 2 * 30.00 + 4.90
    assert "Mark paid" in html and "Cancel order" in html
    assert "Mark shipped" not in html  # not from pending
    assert 'name="csrfmiddlewaretoken"' in html


def test_status_actions_apply_and_record_who(manager_client, orders):
    grace, _ = orders
    url = reverse("orders:status", args=[grace.pk])
    for status in ("paid", "shipped"):
        response = manager_client.post(url, {"status": status})
        assert response.status_code == 302
    grace.refresh_from_db()
    assert grace.status == OrderStatus.SHIPPED
    change = grace.status_changes.last()
    assert (change.to_status, change.changed_by.username) == ("shipped", "keeper")
    html = manager_client.get(response.url).content.decode()
    assert f"Order {grace.number} is now shipped." in html
    assert "keeper" in html  # the history names who

    response = manager_client.post(url, {"status": "paid"})
    html = manager_client.get(response.url).content.decode()
    assert "is shipped; it cannot be marked paid" in html
    assert manager_client.post(url, {"status": "bogus"}).status_code == 302
    grace.refresh_from_db()
    assert grace.status == OrderStatus.SHIPPED


def test_status_actions_need_post_and_csrf(orders):
    grace, _ = orders
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="careful", groups=["Shop managers"]))
    url = reverse("orders:status", args=[grace.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"status": "paid"}).status_code == 403
    grace.refresh_from_db()
    assert grace.status == OrderStatus.PENDING


@pytest.mark.parametrize("groups", [[], ["Editors"], ["Authors"]])
def test_others_cannot_reach_or_change_orders(orders, groups):
    grace, _ = orders
    client = Client()
    client.force_login(UserFactory(groups=groups))
    assert client.get(reverse("orders:index")).status_code in (302, 403)
    assert client.get(reverse("orders:inspect", args=[grace.pk])).status_code in (302, 403)
    response = client.post(reverse("orders:status", args=[grace.pk]), {"status": "paid"})
    assert response.status_code in (302, 403)
    grace.refresh_from_db()
    assert grace.status == OrderStatus.PENDING


def test_view_only_staff_see_orders_but_cannot_change_them(orders):
    from django.contrib.auth.models import Group, Permission

    grace, _ = orders
    readers = Group.objects.create(name="Order readers")
    readers.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_order"),
    )
    client = Client()
    client.force_login(UserFactory(groups=["Order readers"]))
    html = client.get(reverse("orders:inspect", args=[grace.pk])).content.decode()
    assert grace.number in html
    assert "Mark paid" not in html
    response = client.post(reverse("orders:status", args=[grace.pk]), {"status": "paid"})
    assert response.status_code in (302, 403)
    grace.refresh_from_db()
    assert grace.status == OrderStatus.PENDING


def test_low_stock_report_lists_products_at_or_below_the_threshold(
    manager_client, make_product, settings
):
    settings.SHOP_LOW_STOCK_THRESHOLD = 3
    make_product(title="Nearly gone", sku="LOW-1", stock_quantity=3)
    make_product(title="Gone", sku="LOW-0", stock_quantity=0)
    make_product(title="Plenty", sku="MANY-1", stock_quantity=4)
    response = manager_client.get(reverse("shop_low_stock"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nearly gone" in html and "Gone" in html
    assert "Plenty" not in html
    assert html.index("LOW-0") < html.index("LOW-1")  # emptiest first
    csv = manager_client.get(reverse("shop_low_stock"), {"export": "csv"})
    rows = b"".join(csv.streaming_content).decode().splitlines()
    assert rows[1:] == ["Gone,LOW-0,0,10.00", "Nearly gone,LOW-1,3,10.00"]


def test_low_stock_report_is_for_shop_managers(make_product):
    client = Client()
    client.force_login(UserFactory(groups=["Editors"]))
    assert client.get(reverse("shop_low_stock")).status_code in (302, 403)
