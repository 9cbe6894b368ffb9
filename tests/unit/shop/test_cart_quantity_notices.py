"""A quantity typed into the cart is never refused in silence: above the
stock it is capped and the sentence says so next to that line, with HTMX and
without JavaScript alike; a bad value is explained at the same place."""

import re

import pytest

from shop.cart import SESSION_KEY
from tests.unit.shop.conftest import add_to_cart

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def line_html(html, product):
    """The rendered <tr> of one cart line."""
    match = re.search(
        rf'<tr class="cart-line[^"]*" data-product="{product.pk}">.*?</tr>', html, re.S
    )
    assert match, f"no cart line for product {product.pk}"
    return match.group(0)


def test_cart_quantity_forms_let_the_server_explain_instead_of_the_browser(client, make_product):
    product = make_product(stock_quantity=5)
    add_to_cart(client, product, 2)
    html = line_html(client.get("/cart/").content.decode(), product)
    # Without novalidate, HTMX (and the browser) drop a value above `max`
    # without a word: the box said 9 and nothing happened.
    assert re.search(r'<form class="cart-line__quantity"[^>]* novalidate>', html)


def test_htmx_quantity_above_stock_is_capped_and_explained_on_its_line(client, make_product):
    ink = make_product(title="Ink", stock_quantity=5)
    nib = make_product(title="Nib", stock_quantity=9)
    add_to_cart(client, ink, 2)
    add_to_cart(client, nib, 1)

    response = client.post("/cart/update/", {"product": ink.pk, "quantity": 9}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    ink_line = line_html(html, ink)
    sentence = "Only 5 of Ink in stock: you asked for 9, so the quantity is now 5."
    assert f'id="quantity-{ink.pk}-notice">{sentence}</p>' in ink_line
    assert f'aria-describedby="quantity-{ink.pk}-notice"' in ink_line
    assert f'id="quantity-{ink.pk}" type="number" name="quantity" value="5"' in ink_line
    assert 'data-line-total="50.00"' in ink_line
    assert "cart-line--warning" in ink_line
    assert sentence not in line_html(html, nib)
    # The live region outside the swapped panel is refilled with the same words.
    status = '<p id="cart-status" class="visually-hidden" role="status" hx-swap-oob="innerHTML">'
    assert f"{status}{sentence}</p>" in html
    assert 'data-cart-count="6"' in html
    assert client.session[SESSION_KEY][str(ink.pk)][0] == 5


def test_no_js_quantity_above_stock_lands_on_its_line_after_the_redirect(client, make_product):
    lamp = make_product(title="Lamp", stock_quantity=3)
    vase = make_product(title="Vase", stock_quantity=3)
    add_to_cart(client, lamp, 1)
    add_to_cart(client, vase, 1)
    client.get("/cart/")  # the "added" messages are shown and gone

    response = client.post("/cart/update/", {"product": lamp.pk, "quantity": 7})
    assert response.status_code == 302 and response.url == "/cart/"
    html = client.get("/cart/").content.decode()
    sentence = "Only 3 of Lamp in stock: you asked for 7, so the quantity is now 3."
    assert f'id="quantity-{lamp.pk}-notice">{sentence}</p>' in line_html(html, lamp)
    # Once, in place: not again in the page's message list.
    assert html.count(sentence) == 1
    assert '<ul class="messages' not in html
    # Shown once: the next visit is quiet.
    assert sentence not in client.get("/cart/").content.decode()


@pytest.mark.parametrize("htmx", [True, False])
def test_a_bad_quantity_is_explained_on_its_line_and_changes_nothing(client, make_product, htmx):
    pen = make_product(title="Pen", stock_quantity=4)
    add_to_cart(client, pen, 2)
    client.get("/cart/")
    extra = HTMX if htmx else {}
    response = client.post("/cart/update/", {"product": pen.pk, "quantity": "-1"}, **extra)
    html = response.content.decode() if htmx else client.get(response.url).content.decode()
    line = line_html(html, pen)
    assert f'id="quantity-{pen.pk}-notice">Enter a whole number of items (0 or more).</p>' in line
    assert 'aria-invalid="true"' in line
    assert "cart-line--error" in line
    assert f'id="quantity-{pen.pk}" type="number" name="quantity" value="2"' in line
    assert client.session[SESSION_KEY][str(pen.pk)][0] == 2


def test_setting_zero_removes_the_line_and_says_so_above_the_cart(client, make_product):
    cup = make_product(title="Cup", stock_quantity=4)
    saucer = make_product(title="Saucer", stock_quantity=4)
    add_to_cart(client, cup, 1)
    add_to_cart(client, saucer, 1)
    response = client.post("/cart/update/", {"product": cup.pk, "quantity": 0}, **HTMX)
    html = response.content.decode()
    assert '<p class="notice notice--success">Removed Cup.</p>' in html
    assert f'data-product="{cup.pk}"' not in html
