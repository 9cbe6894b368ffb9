"""Fixtures for the shop's unit tests: a shop with products, and a checkout
driven through the real pages (the form's hidden fields come from the HTML)."""

import re
from decimal import Decimal

import pytest

from tests.factories import (
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
)


@pytest.fixture
def category():
    return ProductCategoryPageFactory(parent=ShopIndexPageFactory(slug="shop"), slug="paper")


@pytest.fixture
def make_product(category):
    def make(**kwargs):
        kwargs.setdefault("price", Decimal("10.00"))
        return ProductPageFactory(parent=category, **kwargs)

    return make


ADDRESS = {
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "phone": "",
    "address_line1": "12 St James's Square",
    "address_line2": "",
    "postal_code": "SW1Y 4JH",
    "city": "London",
    "country": "United Kingdom",
    "shipping_method": "standard",
    "payment_method": "bank_transfer",
}


def hidden_value(html, name):
    """The value of the hidden input `name` in a rendered form."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name} field in the page"
    return match.group(1)


@pytest.fixture
def checkout_form():
    """POST data for the checkout as the page renders it, plus overrides."""

    def build(client, **overrides):
        response = client.get("/checkout/")
        assert response.status_code == 200, response
        html = response.content.decode()
        data = {
            **ADDRESS,
            "idempotency_key": hidden_value(html, "idempotency_key"),
            "quote_signature": hidden_value(html, "quote_signature"),
        }
        data.update(overrides)
        return data

    return build


def add_to_cart(client, product, quantity=1, **extra):
    return client.post("/cart/add/", {"product": product.pk, "quantity": quantity}, **extra)
