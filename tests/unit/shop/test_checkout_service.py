"""The checkout service called directly, without the pages: what a checkout
opens with, and every outcome of a submit (placed, found again, refused for
another shopper's key, for a changed summary, for a choice the shop refuses,
for a payment that cannot start, and the emptied cart)."""

import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser

from shop.cart import Cart, SessionCartStore, UserCartStore
from shop.checkout import (
    EMPTY_CART,
    ORDER_CHANGED,
    OWNER_SESSION_KEY,
    CartEmpty,
    CheckoutDone,
    CheckoutReady,
    CheckoutRefused,
    CheckoutSubmission,
    Refusal,
    open_checkout,
    prefill,
    quote_cart,
    submit_checkout,
)
from shop.models import Order, OrderStatus, ProductPage
from shop.payments import ManualPaymentProvider, PaymentError
from tests.factories import UserFactory, customer_details

pytestmark = pytest.mark.django_db

VISITOR = AnonymousUser()


def absolute(path):
    return f"https://shop.example{path}"


class Shopper:
    """A session (a plain dict will do), its cart and its user."""

    def __init__(self, user=VISITOR):
        self.session = {}
        self.user = user
        store = UserCartStore(user) if user.is_authenticated else SessionCartStore(self.session)
        self.cart = Cart(store)

    def submission(self, key=None, signature=None, shipping_code="standard", **details):
        if signature is None:
            signature = quote_cart(self.cart.contents(), shipping_code).signature
        return CheckoutSubmission(
            customer=customer_details(**details),
            shipping_code=shipping_code,
            payment_method="bank_transfer",
            idempotency_key=key or uuid.uuid4(),
            quote_signature=signature,
        )

    def submit(self, submission):
        return submit_checkout(
            self.cart, submission, session=self.session, user=self.user, absolute_uri=absolute
        )


def stock(product):
    return ProductPage.objects.get(pk=product.pk).stock_quantity


def test_an_empty_cart_opens_no_checkout_and_says_what_it_removed(make_product):
    shopper = Shopper()
    assert open_checkout(shopper.cart, shopper.session, VISITOR) == CartEmpty()
    gone = make_product(title="Gone lamp", stock_quantity=1)
    shopper.cart.add(gone, 1)
    ProductPage.objects.filter(pk=gone.pk).update(stock_quantity=0)
    opened = open_checkout(shopper.cart, shopper.session, VISITOR)
    assert opened == CartEmpty(notices=["Gone lamp sold out: removed from your cart."])
    assert opened.message == EMPTY_CART
    assert OWNER_SESSION_KEY not in shopper.session


def test_a_checkout_opens_with_the_cart_and_binds_the_session(make_product):
    shopper = Shopper()
    shopper.cart.add(make_product(title="Ink"), 2)
    opened = open_checkout(shopper.cart, shopper.session, VISITOR)
    assert isinstance(opened, CheckoutReady)
    assert [(item.product.title, item.quantity) for item in opened.contents.items] == [("Ink", 2)]
    assert opened.initial == {}
    assert shopper.session[OWNER_SESSION_KEY]  # made before the form is shown


def test_a_customer_is_prefilled_from_the_last_order(make_product):
    customer = UserFactory(username="sam", email="sam@example.com", first_name="Sam")
    assert prefill(customer) == {"email": "sam@example.com", "full_name": customer.get_full_name()}
    shopper = Shopper(customer)
    shopper.cart.add(make_product(), 1)
    shopper.submit(shopper.submission(city="Leeds", phone="0113 496 0000"))
    initial = prefill(customer)
    assert (initial["email"], initial["city"], initial["phone"]) == (
        "sam@example.com",
        "Leeds",
        "0113 496 0000",
    )
    assert prefill(VISITOR) == {}


def test_quote_falls_back_to_standard_shipping_for_an_unknown_code(make_product):
    shopper = Shopper()
    shopper.cart.add(make_product(price=Decimal("10.00")), 1)
    contents = shopper.cart.contents()
    quote = quote_cart(contents, "teleport")
    assert quote.shipping.code == "standard"
    assert quote.totals.total == Decimal("14.90")
    assert quote.signature == quote_cart(contents, "standard").signature
    assert quote.signature != quote_cart(contents, "express").signature


def test_a_guest_submit_places_the_order_and_empties_the_cart(make_product):
    product = make_product(price=Decimal("4.00"), stock_quantity=5)
    shopper = Shopper()
    shopper.cart.add(product, 2)
    outcome = shopper.submit(shopper.submission())
    order = Order.objects.get()
    assert isinstance(outcome, CheckoutDone)
    assert (outcome.order, outcome.created, outcome.is_error) == (order, True, False)
    assert outcome.url.startswith(f"/orders/link/{order.number}:")
    assert outcome.message == f"Thank you! Your order {order.number} is placed."
    assert order.total == Decimal("12.90")
    assert stock(product) == 3
    assert shopper.cart.contents().items == []


def test_a_customer_goes_to_their_own_order_page(make_product):
    shopper = Shopper(UserFactory(username="sam"))
    shopper.cart.add(make_product(), 1)
    outcome = shopper.submit(shopper.submission())
    assert outcome.url == f"/orders/{outcome.order.number}/"


def test_a_repeated_submit_finds_the_order_and_leaves_the_new_cart(make_product):
    first, second = make_product(stock_quantity=5), make_product(stock_quantity=5)
    shopper = Shopper()
    shopper.cart.add(first, 1)
    submission = shopper.submission()
    placed = shopper.submit(submission)
    shopper.cart.add(second, 1)  # shopping on, then the back button and submit again
    again = shopper.submit(submission)
    assert isinstance(again, CheckoutDone)
    assert (again.order, again.created) == (placed.order, False)
    assert Order.objects.count() == 1
    assert [item.product.pk for item in shopper.cart.contents().items] == [second.pk]
    assert (stock(first), stock(second)) == (4, 5)


def test_another_shoppers_key_is_refused_with_a_new_key(make_product):
    product = make_product(stock_quantity=5)
    vera, mallory = Shopper(), Shopper()
    vera.cart.add(product, 1)
    submission = vera.submission(full_name="Vera Victim")
    order = vera.submit(submission).order
    mallory.cart.add(product, 1)
    refused = mallory.submit(submission)
    assert isinstance(refused, CheckoutRefused)
    assert refused.reason == Refusal.KEY_TAKEN
    assert refused.needs_new_key
    assert order.number not in refused.message
    assert [item.quantity for item in refused.contents.items] == [1]
    assert Order.objects.count() == 1


def test_a_changed_summary_is_shown_again_not_placed(make_product):
    product = make_product(title="Desk mat", price=Decimal("20.00"), stock_quantity=5)
    shopper = Shopper()
    shopper.cart.add(product, 1)
    submission = shopper.submission()  # the summary the page showed
    ProductPage.objects.filter(pk=product.pk).update(price=Decimal("22.00"))
    refused = shopper.submit(submission)
    assert isinstance(refused, CheckoutRefused)
    assert (refused.reason, refused.message, refused.needs_new_key) == (
        Refusal.CHANGED,
        ORDER_CHANGED,
        False,
    )
    assert refused.contents.items[0].unit_price == Decimal("22.00")
    # What the cart had to correct since is named first.
    shopper.cart.add(make_product(title="Lamp", stock_quantity=1), 1)
    submission = shopper.submission()
    ProductPage.objects.filter(pk=product.pk).update(stock_quantity=0)
    refused = shopper.submit(submission)
    assert refused.message == f"Desk mat sold out: removed from your cart. {ORDER_CHANGED}"
    assert Order.objects.count() == 0


def test_an_emptied_cart_goes_back_to_the_cart(make_product):
    shopper = Shopper()
    product = make_product(title="Gone lamp", stock_quantity=1)
    shopper.cart.add(product, 1)
    submission = shopper.submission()
    ProductPage.objects.filter(pk=product.pk).update(live=False)
    outcome = shopper.submit(submission)
    assert outcome == CartEmpty(notices=["A product in your cart is no longer for sale: removed."])
    assert Order.objects.count() == 0


def test_a_choice_the_shop_refuses_places_nothing_and_keeps_the_cart(make_product, settings):
    settings.STRIPE_SECRET_KEY = ""  # card payments are off
    shopper = Shopper()
    shopper.cart.add(make_product(stock_quantity=5), 2)
    submission = shopper.submission()
    refused = shopper.submit(
        CheckoutSubmission(**{**submission.__dict__, "payment_method": "stripe"})
    )
    assert isinstance(refused, CheckoutRefused)
    assert (refused.reason, refused.message) == (Refusal.NOT_PLACED, "Choose a payment method.")
    assert not refused.needs_new_key
    assert [item.quantity for item in shopper.cart.contents().items] == [2]
    assert Order.objects.count() == 0


def test_a_payment_that_cannot_start_cancels_the_new_order(make_product):
    product = make_product(stock_quantity=5)
    shopper = Shopper()
    shopper.cart.add(product, 2)
    with mock.patch.object(
        ManualPaymentProvider, "start", side_effect=PaymentError("The bank is closed.")
    ):
        refused = shopper.submit(shopper.submission())
    assert isinstance(refused, CheckoutRefused)
    assert refused.reason == Refusal.PAYMENT_NOT_STARTED
    assert refused.needs_new_key
    assert refused.message == (
        "The bank is closed. Nothing was charged; your cart is unchanged. Please try again."
    )
    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED
    assert order.status_changes.last().note == "Payment did not start: The bank is closed."
    assert stock(product) == 5
    assert [item.quantity for item in refused.contents.items] == [2]


def test_a_repeat_submit_whose_payment_cannot_start_keeps_the_order(make_product):
    shopper = Shopper()
    shopper.cart.add(make_product(stock_quantity=5), 1)
    submission = shopper.submission()
    placed = shopper.submit(submission)
    with mock.patch.object(
        ManualPaymentProvider, "start", side_effect=PaymentError("The bank is closed.")
    ):
        again = shopper.submit(submission)
    assert isinstance(again, CheckoutDone)
    assert (again.order, again.created, again.is_error) == (placed.order, False, True)
    assert again.message == f"The bank is closed. Your order {placed.order.number} is kept."
    assert again.url == placed.url
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PENDING


def test_an_online_payment_sends_the_shopper_to_the_provider(make_product):
    shopper = Shopper()
    shopper.cart.add(make_product(stock_quantity=5), 1)
    with mock.patch.object(
        ManualPaymentProvider, "start", return_value="https://pay.example/session/1"
    ) as start:
        outcome = shopper.submit(shopper.submission())
    order = Order.objects.get()
    assert (outcome.url, outcome.message, outcome.created) == (
        "https://pay.example/session/1",
        "",
        True,
    )
    order_url = start.call_args.kwargs["cancel_url"]
    assert order_url.startswith(f"https://shop.example/orders/link/{order.number}:")
    assert start.call_args.kwargs["success_url"] == f"{order_url}?payment=done"
    assert shopper.cart.contents().items == []
