"""Query budgets of the cart and the checkout: they grow with nothing
(cart page) or by a fixed handful per line (checkout's stock updates)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.unit.shop.conftest import add_to_cart

pytestmark = pytest.mark.django_db


def queries(callable_):
    with CaptureQueriesContext(connection) as captured:
        response = callable_()
    return response, len(captured)


def fill_cart(client, make_product, lines):
    for _ in range(lines):
        add_to_cart(client, make_product(stock_quantity=10), 2)


@pytest.mark.parametrize("path", ["/cart/", "/checkout/"])
def test_cart_and_checkout_pages_cost_the_same_for_1_or_6_lines(path, make_product):
    from django.test import Client

    counts = []
    for lines in (1, 6):
        client = Client()
        fill_cart(client, make_product, lines)
        client.get(path)  # warm: page URLs and site root are cached per process
        response, count = queries(lambda client=client: client.get(path))
        assert response.status_code == 200
        counts.append(count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 4, counts


def test_checkout_post_costs_a_fixed_handful_per_line(make_product, checkout_form):
    from django.test import Client

    counts = {}
    for lines in (1, 3):
        client = Client()
        fill_cart(client, make_product, lines)
        data = checkout_form(client)
        response, counts[lines] = queries(
            lambda client=client, data=data: client.post("/checkout/", data)
        )
        assert response.status_code == 302
    # Per line: savepoint, conditional UPDATE, read-back, ledger INSERT, release.
    assert counts[3] - counts[1] == 2 * 5, counts
    assert counts[1] <= 20, counts
