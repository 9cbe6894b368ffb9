"""Demo content for the shop: 4 categories and 20 products from
shop/demo_data/products.json, with pictures, stock and editorial history,
and one shipped order for the demo reader."""

import json
import uuid
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model

from blog.demo import body_blocks
from home.demo import demo_image, publish_through_review
from home.models import HomePage
from shop.checkout import CustomerDetails, place_order
from shop.models import (
    Order,
    OrderStatus,
    ProductCategoryPage,
    ProductImage,
    ProductPage,
    ShopIndexPage,
    StockAdjustment,
)
from shop.orders import change_status

DATA_DIR = Path(__file__).parent / "demo_data"
# A fixed checkout key makes the demo order idempotent across runs.
DEMO_ORDER_KEY = uuid.uuid5(uuid.NAMESPACE_URL, "https://pressroom.example/demo-order")


def product_body(entry):
    """Features, specifications, FAQ and description blocks for a product."""
    stream = body_blocks(entry["body"])
    stream.append(("features", {"title": "Features", "features": entry["features"]}))
    stream.append(
        (
            "specifications",
            {
                "title": "Specifications",
                "rows": [{"name": name, "value": value} for name, value in entry["specifications"]],
            },
        )
    )
    stream.append(
        (
            "faq",
            {
                "title": "Questions and answers",
                "items": [
                    {"question": item["question"], "answer": f"<p>{item['answer']}</p>"}
                    for item in entry["faq"]
                ],
            },
        )
    )
    return stream


def seed(stdout):
    """Create the shop's demo content once; returns a summary of what was new."""
    home = HomePage.objects.first()
    if home is None or ShopIndexPage.objects.child_of(home).filter(slug="shop").exists():
        return ""
    data = json.loads((DATA_DIR / "products.json").read_text())
    User = get_user_model()
    manager = User.objects.get(username="shopmanager")
    editor = User.objects.get(username="editor")

    shop = home.add_child(
        instance=ShopIndexPage(
            title="Shop",
            slug="shop",
            intro="Things we use every day at the Pressroom desk, chosen to last.",
            show_in_menus=True,
        )
    )
    publish_through_review(shop, editor, editor)
    categories = {}
    for entry in data["categories"]:
        category = shop.add_child(
            instance=ProductCategoryPage(
                title=entry["title"],
                slug=entry["slug"],
                description=entry["description"],
                image=demo_image(entry["title"], f"category-{entry['slug']}"),
            )
        )
        publish_through_review(category, manager, editor)
        categories[entry["slug"]] = category

    for entry in data["products"]:
        product = ProductPage(
            title=entry["title"],
            slug=entry["slug"],
            sku=entry["sku"],
            price=Decimal(entry["price"]),
            compare_at_price=Decimal(entry["compare_at_price"])
            if entry.get("compare_at_price")
            else None,
            short_description=entry["short_description"],
            body=product_body(entry),
            owner=manager,
        )
        categories[entry["category"]].add_child(instance=product)
        for order, view in enumerate(("front", "detail")):
            ProductImage(
                product=product,
                image=demo_image(
                    f"{entry['title']} ({view})", f"product-{entry['slug']}-{view}", (1200, 1200)
                ),
                alt_text=f"{entry['title']}, {view} view",
                sort_order=order,
            ).save()
        product = ProductPage.objects.get(pk=product.pk)
        product.tags.set(entry["tags"])
        publish_through_review(product, manager, editor)
        if entry["stock"]:
            StockAdjustment.apply(
                product,
                entry["stock"],
                StockAdjustment.Reason.DELIVERY,
                user=manager,
                note="Opening stock",
            )
    return f"{len(categories)} categories, {len(data['products'])} products"


def finish(stdout):
    """Once the products exist: a paid and shipped order for the demo reader,
    so "Your orders" and the orders admin have something to show."""
    User = get_user_model()
    reader = User.objects.filter(username="reader").first()
    manager = User.objects.filter(username="shopmanager").first()
    if reader is None or manager is None or Order.objects.filter(idempotency_key=DEMO_ORDER_KEY):
        return ""
    products = list(ProductPage.objects.live().filter(stock_quantity__gte=5).order_by("path")[:2])
    if len(products) < 2:
        return ""
    order = place_order(
        requested=[(products[0].pk, 1), (products[1].pk, 2)],
        customer=CustomerDetails(
            email=reader.email,
            full_name=reader.get_full_name(),
            address_line1="7 Printing House Yard",
            postal_code="E2 7PR",
            city="London",
            country="United Kingdom",
        ),
        shipping_code="standard",
        payment_method="bank_transfer",
        idempotency_key=DEMO_ORDER_KEY,
        user=reader,
    ).order
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED):
        order = change_status(order, status, user=manager, note="Demo order")
    return f"order {order.number} for reader (shipped)"
