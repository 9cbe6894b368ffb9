"""The cart's rules called directly: only products for sale, quantities
capped by the stock, and the sentence that tells the shopper what happened."""

import pytest

from shop.cart import Cart, CartError, SessionCartStore, add_to_cart, change_quantity

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart():
    return Cart(SessionCartStore({}))


def test_adding_says_how_many_are_in_the_cart(cart, make_product):
    ink = make_product(title="Ink", stock_quantity=10)
    change = add_to_cart(cart, ink.pk, 2)
    assert (change.product, change.quantity) == (ink, 2)
    assert change.message == "Added to your cart: Ink. You have 2."
    assert add_to_cart(cart, ink.pk, 3).message == "Added to your cart: Ink. You have 5."


def test_adding_past_the_stock_caps_and_says_so_even_for_a_second_add(cart, make_product):
    notebook = make_product(title="Field notebook", stock_quantity=3)
    add_to_cart(cart, notebook.pk, 2)
    # 2 in the cart + 2 asked for: only 3 exist.
    change = add_to_cart(cart, notebook.pk, 2)
    assert change.quantity == 3
    assert change.message == "Field notebook: only 3 in stock, so your cart has 3."


def test_only_products_for_sale_can_be_added_or_changed(cart, make_product):
    draft = make_product(title="Secret lamp", stock_quantity=5, live=False)
    sold_out = make_product(title="Gone lamp", stock_quantity=0)
    with pytest.raises(CartError, match=r"^That product is not for sale\.$"):
        add_to_cart(cart, draft.pk, 1)
    with pytest.raises(CartError, match=r"^That product is not for sale\.$"):
        change_quantity(cart, 999999, 1)
    with pytest.raises(CartError, match=r"^Gone lamp is sold out\.$"):
        add_to_cart(cart, sold_out.pk, 1)
    assert cart.contents().items == []


def test_changing_a_quantity_caps_removes_and_says_so(cart, make_product):
    lamp = make_product(title="Lamp", stock_quantity=4)
    with pytest.raises(CartError, match=r"^Lamp is not in your cart\.$"):
        change_quantity(cart, lamp.pk, 1)
    add_to_cart(cart, lamp.pk, 1)
    assert change_quantity(cart, lamp.pk, 3).message == "Lamp: quantity 3."
    capped = change_quantity(cart, lamp.pk, 9)
    assert (capped.quantity, capped.capped) == (4, True)
    assert capped.message == "Only 4 of Lamp in stock: you asked for 9, so the quantity is now 4."
    removed = change_quantity(cart, lamp.pk, 0)
    assert (removed.quantity, removed.message) == (0, "Removed Lamp.")
    assert cart.contents().items == []
