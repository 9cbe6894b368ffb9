"""Demo content for the shop: 4 categories and 20 products from
shop/demo_data/products.json, with pictures, stock and editorial history."""

import json
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model

from blog.demo import body_blocks
from home.demo import demo_image, publish_through_review
from home.models import HomePage
from shop.models import (
    ProductCategoryPage,
    ProductImage,
    ProductPage,
    ShopIndexPage,
    StockAdjustment,
)

DATA_DIR = Path(__file__).parent / "demo_data"


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
    if home is None or ShopIndexPage.objects.exists():
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
