"""The checkout's idempotency key is bound to the session that placed the
order: replayed from another browser it is refused (with a fresh form) and
never leads to, or shows anything of, the other shopper's order; from the
same session it still finds the same order."""

import uuid

import pytest
from django.test import Client

from shop.checkout import CheckoutKeyTaken, place_order
from shop.models import Order, ProductPage
from tests.factories import UserFactory, customer_details
from tests.unit.shop.conftest import ADDRESS, add_to_cart, hidden_value

pytestmark = pytest.mark.django_db

VICTIM = {**ADDRESS, "full_name": "Vera Victim", "email": "vera@example.com", "city": "Leeds"}
MALLORY = {**ADDRESS, "full_name": "Mallory", "email": "mallory@example.com", "city": "Bristol"}
REFUSAL = "This checkout form was already used. Check the summary, then place the order again."


@pytest.fixture
def victims_checkout(make_product, checkout_form):
    """Vera checks out as a guest; returns the form she posted and her order."""
    vera = Client()
    product = make_product(title="Fountain pen", stock_quantity=5)
    add_to_cart(vera, product, 2)
    data = checkout_form(vera, **VICTIM)
    response = vera.post("/checkout/", data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert response.url.startswith(f"/orders/link/{order.number}:")
    return vera, data, order, product


def replay(data):
    """Mallory's own details with the key (and summary) of Vera's form."""
    return {
        **MALLORY,
        "idempotency_key": data["idempotency_key"],
        "quote_signature": data["quote_signature"],
    }


def assert_reveals_nothing(response, order):
    html = response.content.decode()
    assert response.status_code == 409
    assert REFUSAL in html
    for secret in (order.number, "Vera Victim", "vera@example.com", "Leeds", "/orders/link/"):
        assert secret not in html, secret
    assert "Location" not in response


def test_another_session_with_the_key_is_refused_and_sees_nothing(victims_checkout):
    _, data, order, product = victims_checkout
    mallory = Client()
    mallory.get("/cart/")  # a session of her own, an empty cart
    response = mallory.post("/checkout/", replay(data))
    assert_reveals_nothing(response, order)
    # A new form with a new key, nothing placed, Vera's order untouched.
    assert hidden_value(response.content.decode(), "idempotency_key") != data["idempotency_key"]
    assert Order.objects.count() == 1
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 3


def test_a_client_without_any_session_is_refused_too(victims_checkout):
    _, data, order, _ = victims_checkout
    assert_reveals_nothing(Client().post("/checkout/", replay(data)), order)


def test_a_signed_in_stranger_is_refused(victims_checkout):
    _, data, order, _ = victims_checkout
    stranger = Client()
    stranger.force_login(UserFactory(username="stranger"))
    assert_reveals_nothing(stranger.post("/checkout/", replay(data)), order)


def test_the_refused_shopper_places_her_own_order_with_the_fresh_form(victims_checkout):
    _, data, vera_order, product = victims_checkout
    mallory = Client()
    add_to_cart(mallory, product, 1)
    refused = mallory.post("/checkout/", replay(data))
    assert_reveals_nothing(refused, vera_order)
    html = refused.content.decode()
    fresh = {
        **MALLORY,
        "idempotency_key": hidden_value(html, "idempotency_key"),
        "quote_signature": hidden_value(html, "quote_signature"),
    }
    response = mallory.post("/checkout/", fresh)
    assert response.status_code == 302
    mine = Order.objects.exclude(pk=vera_order.pk).get()
    assert response.url.startswith(f"/orders/link/{mine.number}:")
    assert (mine.full_name, mine.lines.get().quantity) == ("Mallory", 1)
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 2


def test_the_same_session_still_gets_its_order_back(victims_checkout):
    vera, data, order, product = victims_checkout
    again = vera.post("/checkout/", data)  # a double submit, or a retry
    assert again.status_code == 302
    assert again.url.startswith(f"/orders/link/{order.number}:")
    assert Order.objects.count() == 1
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 3


def test_a_customer_finds_her_own_order_from_another_session(make_product, checkout_form):
    customer = UserFactory(username="sam", email="sam@example.com")
    laptop, phone = Client(), Client()
    laptop.force_login(customer)
    phone.force_login(customer)
    add_to_cart(laptop, make_product(stock_quantity=5))
    data = checkout_form(laptop)
    first = laptop.post("/checkout/", data)
    order = Order.objects.get()
    assert first.url == f"/orders/{order.number}/"
    again = phone.post("/checkout/", data)
    assert again.url == f"/orders/{order.number}/"
    assert Order.objects.count() == 1


def test_the_service_binds_the_key_to_its_owner(make_product):
    product = make_product(stock_quantity=5)
    key = uuid.uuid4()

    def submit(owner):
        return place_order(
            requested=[(product.pk, 1)],
            customer=customer_details(),
            shipping_code="standard",
            payment_method="bank_transfer",
            idempotency_key=key,
            owner=owner,
        )

    first = submit("a" * 64)
    assert first.created and first.order.checkout_owner == "a" * 64
    assert submit("a" * 64).order == first.order
    with pytest.raises(CheckoutKeyTaken):
        submit("b" * 64)
    with pytest.raises(CheckoutKeyTaken):
        submit("")
    assert Order.objects.count() == 1
