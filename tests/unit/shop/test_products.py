"""Product pages, listings and the stock ledger."""

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from shop.models import ProductPage, StockAdjustment, StockAdjustmentError
from tests.factories import (
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return ProductCategoryPageFactory(parent=ShopIndexPageFactory(slug="shop"), slug="paper")


def json_ld(html):
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )


@pytest.mark.parametrize(
    ("stock", "state", "label", "schema"),
    [
        (40, "in_stock", "In stock", "https://schema.org/InStock"),
        (3, "low_stock", "Only 3 left", "https://schema.org/LimitedAvailability"),
        (0, "sold_out", "Sold out", "https://schema.org/OutOfStock"),
    ],
)
def test_product_shows_price_and_stock_state(client, category, stock, state, label, schema):
    product = ProductPageFactory(
        parent=category, title="Field notebook", price=Decimal("12.50"), stock_quantity=stock
    )
    html = client.get(product.url).content.decode()
    assert "<strong>€12.50</strong>" in html
    # Each state has its own style (mark and outline, not colour alone: shop.css).
    assert f'<span class="stock stock--{state}" data-availability="{state}">{label}</span>' in html
    data = json_ld(html)
    assert data["@type"] == "Product"
    assert data["sku"] == product.sku
    assert data["offers"] == {
        "@type": "Offer",
        "price": "12.50",
        "priceCurrency": "EUR",
        "availability": schema,
        "url": f"http://localhost{product.url}",
    }
    # Sold-out products offer no buy button.
    assert ("Add to cart" in html) == (stock > 0)


def test_sale_price_shows_the_former_price_struck_through(client, category):
    product = ProductPageFactory(
        parent=category, price=Decimal("20.00"), compare_at_price=Decimal("25.00")
    )
    html = client.get(product.url).content.decode()
    assert "<del>€25.00</del>" in html


def test_former_price_must_exceed_price(category):
    product = ProductPageFactory.build(price=Decimal("20.00"), compare_at_price=Decimal("15.00"))
    with pytest.raises(ValidationError) as error:
        product.clean()
    assert "compare_at_price" in error.value.message_dict


def test_database_refuses_negative_stock(category):
    product = ProductPageFactory(parent=category, stock_quantity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductPage.objects.filter(pk=product.pk).update(stock_quantity=-1)


def test_publishing_an_old_revision_never_rewinds_stock(category):
    product = publish(ProductPageFactory(parent=category, title="Lamp", stock_quantity=5))
    old_revision = product.live_revision
    StockAdjustment.apply(product, 10, StockAdjustment.Reason.DELIVERY)
    product = ProductPage.objects.get(pk=product.pk)
    product.title = "Desk lamp"
    publish(product)
    old_revision.publish()
    product = ProductPage.objects.get(pk=product.pk)
    assert product.title == "Lamp"
    assert product.stock_quantity == 15


def test_stock_adjustments_are_atomic_and_recorded(category):
    manager = UserFactory(username="sam", groups=["Shop managers"])
    product = ProductPageFactory(parent=category, stock_quantity=4)
    adjustment = StockAdjustment.apply(product, -3, StockAdjustment.Reason.DAMAGED, user=manager)
    assert adjustment.quantity_after == 1
    assert adjustment.user == manager
    with pytest.raises(StockAdjustmentError):
        StockAdjustment.apply(product, -2, StockAdjustment.Reason.DAMAGED)
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 1
    assert StockAdjustment.objects.filter(product=product).count() == 1


def test_shop_manager_adjusts_stock_in_the_admin(client, category):
    manager = UserFactory(username="keeper", groups=["Shop managers"])
    product = ProductPageFactory(parent=category, stock_quantity=2)
    client.force_login(manager)
    add_url = reverse("stock_adjustments:add")
    response = client.post(
        add_url, {"product": product.pk, "change": 8, "reason": "delivery", "note": "Crate 12"}
    )
    assert response.status_code == 302
    assert response.url == reverse("stock_adjustments:index")
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 10
    entry = StockAdjustment.objects.get(product=product)
    assert (entry.change, entry.quantity_after, entry.user, entry.note) == (
        8,
        10,
        manager,
        "Crate 12",
    )

    response = client.post(add_url, {"product": product.pk, "change": -50, "reason": "damaged"})
    assert response.status_code == 200
    assert "has fewer than 50 in stock" in response.content.decode()
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 10

    # The ledger cannot be rewritten: it has no edit or delete route at all
    # (tests/unit/shop/test_stock_ledger.py covers every route).
    assert client.get(f"/admin/stock_adjustments/edit/{entry.pk}/").status_code == 404
    assert client.post(f"/admin/stock_adjustments/delete/{entry.pk}/").status_code == 404
    assert StockAdjustment.objects.filter(pk=entry.pk).exists()


def test_readers_cannot_reach_the_stock_admin(client):
    client.force_login(UserFactory(username="just-a-reader"))
    assert client.get(reverse("stock_adjustments:index")).status_code in (302, 403)


def test_category_sorts_by_price_and_name_and_filters_by_tag(client, category):
    cheap = ProductPageFactory(parent=category, title="Zinc clip", price=Decimal("3.00"))
    dear = ProductPageFactory(parent=category, title="Atlas bag", price=Decimal("300.00"))
    cheap.tags.set(["small"])
    publish(cheap)

    def order(**params):
        html = client.get(category.url, params).content.decode()
        return sorted(("Zinc clip", "Atlas bag"), key=html.find)

    assert order(sort="name") == ["Atlas bag", "Zinc clip"]
    assert order(sort="price") == ["Zinc clip", "Atlas bag"]
    assert order(sort="-price") == ["Atlas bag", "Zinc clip"]
    html = client.get(category.url, {"tag": "small"}).content.decode()
    assert "Zinc clip" in html and "Atlas bag" not in html
    del dear
