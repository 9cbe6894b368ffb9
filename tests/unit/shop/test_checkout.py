"""Checkout through the pages and the place_order service: server-side
prices, one order per idempotency key, stock taken and recorded, clear
errors that keep the cart and the form."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from shop.cart import SESSION_KEY
from shop.checkout import InsufficientStock, place_order
from shop.models import Order, OrderLine, OrderStatus, ProductPage, StockAdjustment
from tests.factories import UserFactory, customer_details
from tests.unit.shop.conftest import add_to_cart, hidden_value

pytestmark = pytest.mark.django_db


def test_empty_cart_cannot_check_out(client):
    response = client.get("/checkout/")
    assert response.status_code == 302
    assert response.url == "/cart/"


def test_guest_checks_out_with_bank_transfer(
    client, make_product, checkout_form, django_capture_on_commit_callbacks
):
    ink = make_product(title="Ink", sku="INK-1", price=Decimal("4.00"), stock_quantity=10)
    nib = make_product(title="Nib", sku="NIB-1", price=Decimal("2.50"), stock_quantity=3)
    add_to_cart(client, ink, 2)
    add_to_cart(client, nib, 3)
    page = client.get("/checkout/").content.decode()
    assert "Order summary" in page
    assert 'data-total="total">€20.40<' in page  # 15.50 + 4.90 standard shipping

    data = checkout_form(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/checkout/", data)
    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url.startswith("/orders/link/")
    assert order.number == f"PR-{order.created_at.year}-{order.pk:06d}"
    assert order.user is None
    assert (order.email, order.full_name, order.city) == (
        "ada@example.com",
        "Ada Lovelace",
        "London",
    )
    assert (order.subtotal, order.shipping_cost, order.total) == (
        Decimal("15.50"),
        Decimal("4.90"),
        Decimal("20.40"),
    )
    assert order.tax_amount == Decimal("3.40")  # 20.40 * 20 / 120
    assert order.status == OrderStatus.PENDING
    assert order.payment_method == "bank_transfer"
    assert str(order.idempotency_key) == data["idempotency_key"]
    lines = list(order.lines.values_list("title", "sku", "unit_price", "quantity", "line_total"))
    assert lines == [
        ("Ink", "INK-1", Decimal("4.00"), 2, Decimal("8.00")),
        ("Nib", "NIB-1", Decimal("2.50"), 3, Decimal("7.50")),
    ]
    assert ProductPage.objects.get(pk=ink.pk).stock_quantity == 8
    assert ProductPage.objects.get(pk=nib.pk).stock_quantity == 0
    ledger = StockAdjustment.objects.filter(reason=StockAdjustment.Reason.ORDER)
    assert sorted(ledger.values_list("change", "quantity_after", "note")) == [
        (-3, 0, f"Order {order.number}"),
        (-2, 8, f"Order {order.number}"),
    ]
    assert SESSION_KEY not in client.session  # the cart is emptied

    page = client.get(response.url).content.decode()
    assert f"Thank you! Your order {order.number} is placed." in page
    assert "How to pay" in page
    assert f"with the reference {order.number}" in page

    [confirmation] = mail.outbox
    assert confirmation.to == ["ada@example.com"]
    assert confirmation.subject == f"Your order {order.number} at Pressroom"
    assert f"http://testserver{response.url}" in confirmation.body
    assert "2 \N{MULTIPLICATION SIGN} Ink (INK-1): €8.00" in confirmation.body
    assert f'href="http://testserver{response.url}"' in confirmation.alternatives[0][0]


def test_posted_prices_and_totals_are_ignored(client, make_product, checkout_form):
    product = make_product(price=Decimal("30.00"), stock_quantity=5)
    add_to_cart(client, product, 2)
    data = checkout_form(
        client,
        price="0.01",
        unit_price="0.01",
        subtotal="0.01",
        total="0.01",
        tax_amount="0",
        shipping_cost="0",
        quantity="50",
        **{f"quantity-{product.pk}": "50"},
    )
    client.post("/checkout/", data)
    order = Order.objects.get()
    assert (order.subtotal, order.shipping_cost, order.total) == (
        Decimal("60.00"),
        Decimal("4.90"),
        Decimal("64.90"),
    )
    assert order.lines.get().quantity == 2


def test_free_shipping_above_the_threshold_and_express(client, make_product, checkout_form):
    product = make_product(price=Decimal("40.00"), stock_quantity=5)
    add_to_cart(client, product, 2)
    html = client.get("/checkout/summary/", {"shipping_method": "standard"}).content.decode()
    assert 'data-total="shipping">Free<' in html
    html = client.get("/checkout/summary/", {"shipping_method": "express"}).content.decode()
    assert 'data-total="total">€92.90<' in html
    # The summary's signature follows the chosen method.
    data = checkout_form(client, shipping_method="express")
    response = client.post("/checkout/", data)
    assert response.status_code == 409
    assert Order.objects.count() == 0
    html = response.content.decode()
    assert "Your order changed since this page was shown" in html
    assert 'value="Ada Lovelace"' in html  # the form keeps what was typed
    data["quote_signature"] = hidden_value(html, "quote_signature")
    client.post("/checkout/", data)
    order = Order.objects.get()
    assert (order.shipping_method, order.shipping_cost, order.total) == (
        "express",
        Decimal("12.90"),
        Decimal("92.90"),
    )


def test_a_double_submit_places_one_order(client, make_product, checkout_form):
    product = make_product(stock_quantity=5)
    add_to_cart(client, product, 2)
    data = checkout_form(client)
    first = client.post("/checkout/", data)
    second = client.post("/checkout/", data)  # the cart is empty by now
    assert Order.objects.count() == 1
    assert first.status_code == second.status_code == 302
    # Both go to the same order (the signed links differ only in their timestamp).
    number = Order.objects.get().number
    assert first.url.startswith(f"/orders/link/{number}:")
    assert second.url.startswith(f"/orders/link/{number}:")
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 3


def test_insufficient_stock_names_the_product_and_keeps_cart_and_form(
    client, make_product, checkout_form
):
    product = make_product(title="Brass lamp", stock_quantity=3)
    add_to_cart(client, product, 3)
    data = checkout_form(client)
    # Another shopper buys two while this one fills in the form.
    place_order(
        requested=[(product.pk, 2)],
        customer=customer_details(email="quick@example.com"),
        shipping_code="standard",
        payment_method="bank_transfer",
        idempotency_key=uuid.uuid4(),
    )
    response = client.post("/checkout/", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Brass lamp: only 1 left, so your quantity went from 3 to 1." in html
    assert 'value="12 St James&#x27;s Square"' in html
    assert Order.objects.count() == 1  # only the other shopper's
    assert client.session[SESSION_KEY][str(product.pk)][0] == 1


def test_service_refuses_short_stock_and_saves_nothing(make_product):
    product = make_product(title="Last chair", stock_quantity=1)
    with pytest.raises(InsufficientStock) as error:
        place_order(
            requested=[(product.pk, 2)],
            customer=customer_details(),
            shipping_code="standard",
            payment_method="bank_transfer",
            idempotency_key=uuid.uuid4(),
        )
    assert str(error.value) == (
        "Last chair: only 1 left, and your cart asks for 2. "
        "Lower the quantity and place the order again."
    )
    assert Order.objects.count() == OrderLine.objects.count() == 0
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 1
    assert not StockAdjustment.objects.filter(product=product).exists()


def test_service_recomputes_prices_and_merges_repeated_lines(make_product):
    product = make_product(price=Decimal("9.99"), stock_quantity=10)
    placed = place_order(
        requested=[(product.pk, 1), (product.pk, 2)],
        customer=customer_details(),
        shipping_code="express",
        payment_method="bank_transfer",
        idempotency_key=uuid.uuid4(),
    )
    line = placed.order.lines.get()
    assert (line.quantity, line.line_total) == (3, Decimal("29.97"))
    assert placed.order.total == Decimal("42.87")


def test_signed_in_checkout_prefills_and_links_the_order(make_product, checkout_form):
    user = UserFactory(username="shopper", email="shopper@example.com", first_name="Sam")
    client = Client()
    client.force_login(user)
    product = make_product(stock_quantity=5)
    add_to_cart(client, product)
    page = client.get("/checkout/").content.decode()
    assert 'value="shopper@example.com"' in page
    response = client.post("/checkout/", checkout_form(client))
    order = Order.objects.get()
    assert order.user == user
    assert response.url == f"/orders/{order.number}/"
    assert not user.cart_lines.exists()
    # The next checkout starts from the last address.
    add_to_cart(client, product)
    assert 'value="12 St James&#x27;s Square"' in client.get("/checkout/").content.decode()


def test_checkout_shows_price_changes_since_adding(client, make_product):
    product = make_product(title="Desk mat", price=Decimal("20.00"))
    add_to_cart(client, product)
    ProductPage.objects.filter(pk=product.pk).update(price=Decimal("22.00"))
    html = client.get("/checkout/").content.decode()
    assert "Some prices changed since you added the products to your cart" in html
    assert "Price went up since you added it: was €20.00, now €22.00." in html


def test_invalid_details_keep_the_form(client, make_product, checkout_form):
    product = make_product()
    add_to_cart(client, product)
    data = checkout_form(client, email="not-an-email", city="")
    response = client.post("/checkout/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'value="Ada Lovelace"' in html
    assert Order.objects.count() == 0


def test_checkout_post_needs_the_csrf_token(make_product, checkout_form):
    client = Client(enforce_csrf_checks=True)
    product = make_product()
    # The product page may come from the page cache: the token comes from /csrf/.
    token = client.get("/csrf/").json()["token"]
    client.post("/cart/add/", {"product": product.pk, "quantity": 1, "csrfmiddlewaretoken": token})
    data = checkout_form(client)
    assert client.post("/checkout/", data).status_code == 403
    assert Order.objects.count() == 0
    response = client.post("/checkout/", {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Order.objects.count() == 1
