"""Checkout: quote a cart and turn it into an order.

`place_order` trusts nothing from the browser but product ids, quantities,
the customer's details and the chosen methods: prices, totals and stock are
read from the database. It runs in one transaction that

1. creates the order under the checkout's idempotency key (unique: a second
   submit of the same form waits for the first and then finds its order),
   bound to the shopper's session: the same key from another session finds
   nothing and is refused (`CheckoutKeyTaken`), so a key is never a way into
   someone else's order,
2. snapshots the lines (title, SKU, unit price),
3. takes stock for every line with a conditional update
   (`stock_quantity >= quantity`), in product-id order so two checkouts lock
   rows in the same order and cannot deadlock, each recorded in the ledger,

and rolls back entirely when any product is short: nothing is charged (the
payment starts only after the commit) and the cart stays as it was.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from shop import order_events
from shop.cart import products_for_sale
from shop.models import (
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    ProductPage,
    StockAdjustment,
    StockAdjustmentError,
)
from shop.payments import payment_provider
from shop.pricing import compute_totals, line_total
from shop.shipping import shipping_method


class CheckoutError(Exception):
    """The order cannot be placed; the message says why, for the shopper."""


class CheckoutKeyTaken(CheckoutError):
    """The form's idempotency key already placed an order for another shopper."""

    def __init__(self):
        super().__init__(
            "This checkout form was already used. Check the summary, then place the order again."
        )


class InsufficientStock(CheckoutError):
    """A product has fewer units left than the cart asks for."""

    def __init__(self, product_title, available, requested):
        self.product_title = product_title
        self.available = available
        self.requested = requested
        if available < 1:
            message = f"Sorry, {product_title} has just sold out (0 available)."
        else:
            message = (
                f"{product_title}: only {available} left, and your cart asks for "
                f"{requested}. Lower the quantity and place the order again."
            )
        super().__init__(message)


@dataclass(frozen=True)
class QuoteLine:
    product: ProductPage
    quantity: int

    @property
    def unit_price(self):
        return self.product.price

    @property
    def line_total(self):
        return line_total(self.product.price, self.quantity)


@dataclass(frozen=True)
class Quote:
    """What an order of these lines would cost, shipped this way."""

    lines: tuple[QuoteLine, ...]
    shipping: object  # shop.shipping.ShippingMethod
    totals: object  # shop.pricing.Totals

    @property
    def signature(self):
        """A digest of every line, price and total. The checkout form carries
        the one the shopper saw; a different one at submit time means prices,
        stock or shipping changed, and the shopper reviews again."""
        text = "|".join(
            [
                *(f"{line.product.pk}:{line.quantity}:{line.unit_price}" for line in self.lines),
                self.shipping.code,
                str(self.totals.total),
            ]
        )
        return salted_hmac("shop.checkout-quote", text).hexdigest()[:32]


def build_quote(products_and_quantities, method):
    """A Quote for (product, quantity) pairs shipped with `method`."""
    lines = tuple(
        QuoteLine(product, quantity)
        for product, quantity in sorted(products_and_quantities, key=lambda pair: pair[0].pk)
    )
    subtotal = sum((line.line_total for line in lines), start=line_total(0, 0))
    return Quote(
        lines=lines,
        shipping=method,
        totals=compute_totals(subtotal, method.cost_for(subtotal)),
    )


@dataclass(frozen=True)
class CustomerDetails:
    email: str
    full_name: str
    address_line1: str
    postal_code: str
    city: str
    country: str
    address_line2: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    created: bool


OWNER_SESSION_KEY = "shop_checkout_owner"


def session_owner(session):
    """The owner digest for checkouts from this session (see Order.checkout_owner).

    Its secret is made on first use and kept in the session, which a login
    keeps (Django cycles the key, not the data) and a logout ends. Only the
    digest is stored with orders.
    """
    secret = session.get(OWNER_SESSION_KEY)
    if not secret:
        secret = secrets.token_urlsafe(32)
        session[OWNER_SESSION_KEY] = secret
    return salted_hmac("shop.checkout-owner", secret, algorithm="sha256").hexdigest()


def order_for_key(idempotency_key, owner="", user=None):
    """The order this shopper's checkout form already placed, or None.

    The shopper is `owner` (a `session_owner` digest; "" for callers outside
    a web session), or the signed-in `user` the order belongs to. Raises
    CheckoutKeyTaken when the key placed someone else's order.
    """
    order = Order.objects.filter(idempotency_key=idempotency_key).first()
    if order is None or _placed_by(order, owner, user):
        return order
    raise CheckoutKeyTaken()


def _placed_by(order, owner, user):
    if constant_time_compare(order.checkout_owner, owner):
        return True
    return bool(user is not None and user.is_authenticated and order.user_id == user.pk)


def place_order(
    *, requested, customer, shipping_code, payment_method, idempotency_key, user=None, owner=""
):
    """Create the order for `requested` (product id, quantity) pairs, or
    return the one this idempotency key already created for this shopper
    (`owner`, `user`: see order_for_key).

    Raises CheckoutError (InsufficientStock for short stock, CheckoutKeyTaken
    for another shopper's key) with a message for the shopper; then nothing
    was saved.
    """
    existing = order_for_key(idempotency_key, owner, user)
    if existing is not None:
        return PlacedOrder(existing, created=False)
    method = shipping_method(shipping_code)
    if method is None:
        raise CheckoutError("Choose a shipping method.")
    provider = payment_provider(payment_method)
    if provider is None or not provider.is_available():
        raise CheckoutError("Choose a payment method.")
    quantities = {}
    for product_id, quantity in requested:
        if int(quantity) < 1:
            raise CheckoutError("Every quantity must be at least 1.")
        quantities[int(product_id)] = quantities.get(int(product_id), 0) + int(quantity)
    if not quantities:
        raise CheckoutError("Your cart is empty.")
    try:
        with transaction.atomic():
            order = _create_order(
                quantities, customer, method, provider, idempotency_key, user, owner
            )
    except IntegrityError:
        # The same checkout was submitted twice at once: the other request
        # created the order while this one waited on the key's unique index.
        existing = order_for_key(idempotency_key, owner, user)
        if existing is None:
            raise
        return PlacedOrder(existing, created=False)
    # After the commit, so rendering the email never holds the stock rows.
    order_events.order_placed(order, payment_instructions=provider.instructions(order))
    return PlacedOrder(order, created=True)


def _create_order(quantities, customer, method, provider, idempotency_key, user, owner):
    products = products_for_sale().in_bulk(list(quantities))
    gone = [pk for pk in quantities if pk not in products]
    if gone:
        titles = ", ".join(ProductPage.objects.filter(pk__in=gone).values_list("title", flat=True))
        raise CheckoutError(
            f"{titles or 'A product in your cart'} is no longer for sale; "
            "it has been taken out of your cart."
        )
    quote = build_quote([(products[pk], quantity) for pk, quantity in quantities.items()], method)
    totals = quote.totals
    customer_user = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    # Inserted first: a concurrent submit of the same key blocks here, before
    # touching stock, and then finds this order.
    order = Order.objects.create(
        user=customer_user,
        email=customer.email,
        full_name=customer.full_name,
        phone=customer.phone,
        address_line1=customer.address_line1,
        address_line2=customer.address_line2,
        postal_code=customer.postal_code,
        city=customer.city,
        country=customer.country,
        shipping_method=method.code,
        shipping_label=method.label,
        shipping_cost=totals.shipping,
        subtotal=totals.subtotal,
        tax_rate=totals.tax_rate,
        prices_include_tax=totals.prices_include_tax,
        tax_amount=totals.tax,
        total=totals.total,
        currency=settings.SHOP_CURRENCY,
        payment_method=provider.key,
        idempotency_key=idempotency_key,
        checkout_owner=owner,
        created_at=now,
    )
    order.number = Order.number_for(order.pk, now)
    order.save(update_fields=["number"])
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=line.product,
            title=line.product.title,
            sku=line.product.sku,
            unit_price=line.unit_price,
            quantity=line.quantity,
            line_total=line.line_total,
        )
        for line in quote.lines
    )
    OrderStatusChange.objects.create(
        order=order, to_status=OrderStatus.PENDING, changed_by=customer_user, note="Order placed"
    )
    # Stock last: the product rows stay locked only from here to the commit.
    for line in quote.lines:  # product-id order: see the module docstring
        try:
            StockAdjustment.apply(
                line.product,
                -line.quantity,
                StockAdjustment.Reason.ORDER,
                user=customer_user,
                note=f"Order {order.number}",
            )
        except StockAdjustmentError:
            available = ProductPage.objects.values_list("stock_quantity", flat=True).get(
                pk=line.product.pk
            )
            raise InsufficientStock(line.product.title, available, line.quantity) from None
    return order
