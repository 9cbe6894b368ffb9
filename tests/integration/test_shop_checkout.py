"""Checkout under concurrency on PostgreSQL (SQLite ignores row locks):
stock is never oversold, an idempotency key never makes two orders, and
checkouts that take the same rows in opposite cart orders never deadlock.

Each thread is a separate shopper with its own database connection,
calling the same service the checkout view calls.
"""

import threading
import uuid
from decimal import Decimal

from django.db import connection

from shop.checkout import InsufficientStock, place_order
from shop.models import Order, OrderLine, ProductPage, StockAdjustment
from tests.factories import (
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    customer_details,
)


def new_product(stock, title=None):
    tag = uuid.uuid4().hex[:8]
    category = ProductCategoryPageFactory(
        parent=ShopIndexPageFactory(slug=f"shop-{tag}"), slug=f"cat-{tag}"
    )
    return ProductPageFactory(
        parent=category,
        title=title or f"Limited print {tag}",
        slug=f"print-{tag}",
        sku=f"PG-{tag}",
        price=Decimal("15.00"),
        stock_quantity=stock,
    )


def run_shoppers(count, shop):
    """Start `count` threads at once (a barrier), each calling shop(i);
    returns [(outcome, detail)] in thread order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def shopper(index):
        try:
            barrier.wait(timeout=30)
            results[index] = ("ordered", shop(index))
        except InsufficientStock as error:
            results[index] = ("sold out", str(error))
        except Exception as error:  # anything else is reported, never swallowed
            results[index] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=shopper, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def checkout(requested, key=None, email="buyer@example.com"):
    return place_order(
        requested=requested,
        customer=customer_details(email=email),
        shipping_code="standard",
        payment_method="bank_transfer",
        idempotency_key=key or uuid.uuid4(),
    ).order.pk


def test_fifty_concurrent_checkouts_for_ten_in_stock(live_db):
    product = new_product(stock=10)
    results = run_shoppers(50, lambda i: checkout([(product.pk, 1)], email=f"buyer{i}@example.com"))
    outcomes = [outcome for outcome, _ in results]
    assert outcomes.count("error") == 0, [r for r in results if r[0] == "error"]
    assert outcomes.count("ordered") == 10
    assert outcomes.count("sold out") == 40
    assert {detail for outcome, detail in results if outcome == "sold out"} == {
        f"Sorry, {product.title} has just sold out (0 available)."
    }
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 0
    ordered = {detail for outcome, detail in results if outcome == "ordered"}
    assert len(ordered) == 10
    assert OrderLine.objects.filter(product=product).count() == 10
    assert Order.objects.filter(lines__product=product).count() == 10
    ledger = StockAdjustment.objects.filter(product=product, reason="order")
    assert ledger.count() == 10
    assert sorted(ledger.values_list("quantity_after", flat=True)) == list(range(10))


def test_a_double_submit_with_one_key_gives_one_order(live_db):
    product = new_product(stock=5)
    key = uuid.uuid4()
    results = run_shoppers(6, lambda i: checkout([(product.pk, 2)], key=key))
    assert [outcome for outcome, _ in results] == ["ordered"] * 6, results
    assert len({order_pk for _, order_pk in results}) == 1
    assert Order.objects.filter(idempotency_key=key).count() == 1
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 3
    assert StockAdjustment.objects.filter(product=product, reason="order").count() == 1


def test_a_double_submit_for_the_last_units_still_returns_the_order(live_db):
    """The key is claimed before stock is taken: the second submit waits for
    the first and gets its order, not a sold-out error."""
    product = new_product(stock=2)
    key = uuid.uuid4()
    results = run_shoppers(2, lambda i: checkout([(product.pk, 2)], key=key))
    assert [outcome for outcome, _ in results] == ["ordered", "ordered"], results
    assert results[0][1] == results[1][1]
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 0


def test_opposite_cart_orders_do_not_deadlock(live_db):
    first = new_product(stock=100)
    second = new_product(stock=100)

    def shop(index):
        lines = [(first.pk, 1), (second.pk, 1)]
        return checkout(lines if index % 2 else list(reversed(lines)))

    results = run_shoppers(20, shop)
    assert [outcome for outcome, _ in results] == ["ordered"] * 20, results
    assert ProductPage.objects.get(pk=first.pk).stock_quantity == 80
    assert ProductPage.objects.get(pk=second.pk).stock_quantity == 80
