"""The cart: session and saved carts, stock caps, HTMX updates with live
totals, the plain-POST fallback, the merge at login and the header count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shop.cart import SESSION_KEY
from shop.models import CartLine, ProductPage
from tests.factories import UserFactory
from tests.unit.shop.conftest import add_to_cart

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_product_page_offers_a_quantity_capped_by_stock(client, make_product):
    product = make_product(stock_quantity=7)
    html = client.get(product.url).content.decode()
    assert 'action="/cart/add/"' in html
    assert 'name="quantity" value="1" min="1" max="7"' in html
    assert "Add to cart" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_sold_out_product_has_no_buy_button(client, make_product):
    product = make_product(stock_quantity=0)
    html = client.get(product.url).content.decode()
    assert "Add to cart" not in html
    assert "Sold out: this product cannot be ordered right now." in html


def test_visitor_adds_to_a_session_cart_capped_by_stock(client, make_product):
    product = make_product(title="Field notebook", stock_quantity=3, price=Decimal("12.50"))
    response = add_to_cart(client, product, 2)
    assert response.status_code == 302
    assert response.url == "/cart/"
    assert client.session[SESSION_KEY] == {str(product.pk): [2, "12.50"]}

    response = add_to_cart(client, product, 5)
    assert client.session[SESSION_KEY] == {str(product.pk): [3, "12.50"]}
    html = client.get(response.url).content.decode()
    assert "Field notebook: only 3 in stock, so your cart has 3." in html
    assert 'data-line-total="37.50"' in html
    assert CartLine.objects.count() == 0  # visitors' carts stay in the session


def test_tampered_quantities_are_refused_or_capped(client, make_product):
    product = make_product(stock_quantity=4)
    for bad in ("-3", "abc", "1.5", "0"):
        response = add_to_cart(client, product, bad)
        assert response.status_code == 302
        assert SESSION_KEY not in client.session, bad
    add_to_cart(client, product, "99999999999999999999")
    assert client.session[SESSION_KEY][str(product.pk)][0] == 4
    response = client.post("/cart/update/", {"product": product.pk, "quantity": "10**9"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY][str(product.pk)][0] == 4


def test_sold_out_and_unpublished_products_cannot_be_added(client, make_product):
    sold_out = make_product(title="Gone lamp", stock_quantity=0)
    draft = make_product(title="Secret lamp", stock_quantity=5, live=False)
    add_to_cart(client, sold_out)
    add_to_cart(client, draft)
    assert SESSION_KEY not in client.session
    response = add_to_cart(client, sold_out, **HTMX)
    assert "Gone lamp is sold out." in response.content.decode()


def test_htmx_changes_return_the_panel_with_live_totals_and_header_count(client, make_product):
    first = make_product(title="Ink", price=Decimal("4.00"), stock_quantity=10)
    second = make_product(title="Nib", price=Decimal("2.50"), stock_quantity=10)
    response = add_to_cart(client, first, 2, **HTMX)
    html = response.content.decode()
    assert "Added to your cart: Ink. You have 2." in html
    assert 'id="cart-link" class="cart-link" href="/cart/" hx-swap-oob="true"' in html
    assert 'data-cart-count="2"' in html
    add_to_cart(client, second, 1)

    response = client.post("/cart/update/", {"product": first.pk, "quantity": 3}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="cart-panel"')
    assert 'data-line-total="12.00"' in html
    assert 'data-total="subtotal">€14.50<' in html
    assert 'data-cart-count="4"' in html

    response = client.post("/cart/remove/", {"product": second.pk}, **HTMX)
    html = response.content.decode()
    assert "Nib" not in html
    assert 'data-total="subtotal">€12.00<' in html
    assert 'data-cart-count="3"' in html

    response = client.post("/cart/update/", {"product": first.pk, "quantity": 0}, **HTMX)
    assert "Your cart is empty." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_signed_in_cart_is_saved_in_the_database(client, make_product):
    user = UserFactory()
    product = make_product(price=Decimal("8.00"))
    client.force_login(user)
    add_to_cart(client, product, 2)
    line = CartLine.objects.get(user=user)
    assert (line.product_id, line.quantity, line.added_price) == (product.pk, 2, Decimal("8.00"))
    # Another device of the same customer sees it.
    other = Client()
    other.force_login(user)
    assert 'data-line-total="16.00"' in other.get("/cart/").content.decode()


def test_session_cart_merges_into_the_saved_cart_at_login(client, make_product):
    user = UserFactory(username="merger")
    both = make_product(title="Both", stock_quantity=5, price=Decimal("3.00"))
    only_session = make_product(title="Session only", stock_quantity=9)
    CartLine.objects.create(user=user, product=both, quantity=3, added_price=Decimal("2.00"))
    add_to_cart(client, both, 4)
    add_to_cart(client, only_session, 2)

    # force_login runs Django's login() on this session: user_logged_in fires.
    client.force_login(user)
    lines = {line.product_id: line for line in CartLine.objects.filter(user=user)}
    # 3 saved + 4 from the session, capped by the 5 in stock; the saved
    # line keeps the price it was added at.
    assert (lines[both.pk].quantity, lines[both.pk].added_price) == (5, Decimal("2.00"))
    assert lines[only_session.pk].quantity == 2
    assert SESSION_KEY not in client.session


def test_cart_lowers_quantities_above_stock_and_drops_sold_out_lines(client, make_product):
    lamp = make_product(title="Lamp", stock_quantity=5)
    vase = make_product(title="Vase", stock_quantity=5)
    add_to_cart(client, lamp, 4)
    add_to_cart(client, vase, 1)
    ProductPage.objects.filter(pk=lamp.pk).update(stock_quantity=2)
    ProductPage.objects.filter(pk=vase.pk).update(stock_quantity=0)
    html = client.get("/cart/").content.decode()
    assert "Lamp: only 2 left, so your quantity went from 4 to 2." in html
    assert "Vase sold out: removed from your cart." in html
    assert client.session[SESSION_KEY] == {str(lamp.pk): [2, "10.00"]}


def test_cart_shows_a_price_change_since_adding(client, make_product):
    product = make_product(price=Decimal("10.00"))
    add_to_cart(client, product)
    ProductPage.objects.filter(pk=product.pk).update(price=Decimal("11.00"))
    html = client.get("/cart/").content.decode()
    assert "€11.00" in html
    assert "was €10.00 when added" in html


@pytest.mark.parametrize("url", ["/cart/add/", "/cart/update/", "/cart/remove/"])
def test_cart_posts_need_the_csrf_token(make_product, url):
    product = make_product()
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"product": product.pk, "quantity": 1})
    assert response.status_code == 403
    response = client.post(url, {"product": product.pk, "quantity": 1}, **HTMX)
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_cart_posts_with_the_token_pass_the_csrf_check(make_product):
    product = make_product()
    client = Client(enforce_csrf_checks=True)
    client.get(product.url)
    # The page may come from the anonymous page cache, so it carries no
    # token; the browser fetches the reader's own from /csrf/ (core.csrf).
    token = client.get("/csrf/").json()["token"]
    response = client.post(
        "/cart/add/", {"product": product.pk, "quantity": 1, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == {str(product.pk): [1, "10.00"]}


def test_cart_endpoints_refuse_get():
    client = Client()
    assert client.get("/cart/add/").status_code == 405


def header_count_queries(client, url="/search/"):
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    cart_queries = [q for q in captured.captured_queries if "shop_cartline" in q["sql"]]
    return html, cart_queries


def test_header_count_costs_no_query_for_visitors_and_one_for_customers(client, make_product):
    html, queries = header_count_queries(Client())
    assert 'data-cart-count="0"' in html
    assert queries == []

    product = make_product()
    add_to_cart(client, product, 2)
    html, queries = header_count_queries(client)
    assert 'data-cart-count="2"' in html
    assert queries == []  # read from the session

    customer = Client()
    customer.force_login(UserFactory())
    add_to_cart(customer, product, 3)
    html, queries = header_count_queries(customer)
    assert 'data-cart-count="3"' in html
    assert len(queries) == 1


def test_visitor_without_a_session_causes_no_session_query():
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        client.get("/cart/")
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]


def test_reader_signs_in_from_the_cart_and_keeps_it(client, make_product):
    """Until the accounts work adds a public sign-in, customers sign in through
    the LOGIN_URL (Wagtail's login form), which sends them back."""
    reader = UserFactory(username="rita")
    product = make_product(stock_quantity=4)
    add_to_cart(client, product, 2)
    response = client.post(
        "/admin/login/?next=/cart/", {"username": "rita", "password": "pw", "next": "/cart/"}
    )
    assert response.status_code == 302
    assert response.url == "/cart/"
    assert CartLine.objects.get(user=reader).quantity == 2
    assert 'data-cart-count="2"' in client.get("/cart/").content.decode()


def test_a_second_add_past_the_stock_says_the_cart_was_capped(client, make_product):
    product = make_product(title="Field notebook", stock_quantity=3)
    add_to_cart(client, product, 2)
    response = add_to_cart(client, product, 2, **HTMX)
    assert "Field notebook: only 3 in stock, so your cart has 3." in response.content.decode()
    assert client.session[SESSION_KEY][str(product.pk)][0] == 3
