"""Checkout: the one conductor from a cart to a placed, paid-for order.

The view only parses the form, calls this module and renders or redirects on
what it returns. The rules live here:

- `open_checkout`: whether there is anything to check out, what the form
  starts with, and the session's checkout owner (made before the form is
  shown, so two submits of it at once share it);
- `submit_checkout`: a repeated submit of a form that already placed its
  order goes back to that order; the same key from another shopper is
  refused; an emptied cart goes back to the cart; a summary that changed
  since the page was shown (prices, stock, shipping: see Quote.signature)
  is shown again instead of placed; then `place_order`, the payment start,
  and the cart emptied once the order exists;
- `quote_cart`: totals, shipping and tax for a cart.

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
payment starts only after the commit) and the cart stays as it was. A
payment that cannot start cancels the new order (its stock goes back).
"""

import secrets
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from observability.metrics import CHECKOUT_OUTCOMES, OVERSELL_GUARD_HITS
from shop import order_events
from shop.cart import CartContents, products_for_sale
from shop.models import (
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    ProductPage,
    StockAdjustment,
    StockAdjustmentError,
)
from shop.order_links import order_link
from shop.orders import change_status
from shop.payments import PaymentError, payment_provider
from shop.pricing import compute_totals, line_total
from shop.shipping import STANDARD, shipping_method


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
    """One product of a quote, at its current price."""

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


def quote_cart(contents, shipping_code=STANDARD):
    """The Quote for a cart's items shipped by `shipping_code` (standard when unknown)."""
    method = shipping_method(shipping_code) or shipping_method(STANDARD)
    return build_quote([(item.product, item.quantity) for item in contents.items], method)


@dataclass(frozen=True)
class CustomerDetails:
    """Who orders and where it goes, as the shopper typed it."""

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
    """The order of a checkout; `created` is False when an earlier submit made it."""

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


def place_order(**submission):
    """`_place_order`, counted by outcome (pressroom_checkout_outcomes_total)."""
    try:
        placed = _place_order(**submission)
    except InsufficientStock:
        CHECKOUT_OUTCOMES.labels("insufficient_stock").inc()
        raise
    except CheckoutError:
        CHECKOUT_OUTCOMES.labels("rejected").inc()
        raise
    except Exception:
        CHECKOUT_OUTCOMES.labels("error").inc()
        raise
    CHECKOUT_OUTCOMES.labels("placed" if placed.created else "duplicate").inc()
    return placed


def _place_order(
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
            OVERSELL_GUARD_HITS.inc()  # the locked row refused: no oversell
            raise InsufficientStock(line.product.title, available, line.quantity) from None
    return order


# The checkout pages ------------------------------------------------------------

EMPTY_CART = "Your cart is empty: add something before checking out."
ORDER_CHANGED = (
    "Your order changed since this page was shown (prices, stock or shipping). "
    "Check the summary, then place the order again."
)
# What the form is prefilled with from a customer's last order.
ADDRESS_FIELDS = (
    "full_name", "phone", "address_line1", "address_line2", "postal_code", "city", "country",
)  # fmt: skip


@dataclass(frozen=True)
class CheckoutSubmission:
    """A checkout form as the shopper submitted it (already validated)."""

    customer: CustomerDetails
    shipping_code: str
    payment_method: str
    idempotency_key: uuid.UUID
    quote_signature: str = ""


@dataclass(frozen=True)
class CheckoutReady:
    """There is something to check out: show the form with `initial` values."""

    contents: CartContents
    initial: dict


@dataclass(frozen=True)
class CartEmpty:
    """Nothing to check out: back to the cart, with the cart's `notices`."""

    notices: list = field(default_factory=list)
    message: str = EMPTY_CART


class Refusal(StrEnum):
    """Why a submit placed nothing and the form is shown again."""

    CHANGED = "changed"  # the summary differs from the one the shopper saw
    KEY_TAKEN = "key_taken"  # the form's key placed another shopper's order
    NOT_PLACED = "not_placed"  # place_order refused (short stock, a choice gone)
    PAYMENT_NOT_STARTED = "payment_not_started"  # the provider failed; order cancelled


@dataclass(frozen=True)
class CheckoutRefused:
    """Show the form again with `message` and the cart as it is now."""

    reason: Refusal
    message: str
    contents: CartContents

    @property
    def needs_new_key(self):
        """True when the form's key must not be submitted again (it names an
        order this shopper may not reach, or one that was cancelled)."""
        return self.reason in (Refusal.KEY_TAKEN, Refusal.PAYMENT_NOT_STARTED)


@dataclass(frozen=True)
class CheckoutDone:
    """The submit reached its order: send the shopper to `url` (the payment
    page or the order page) with `message`, an error when `is_error`."""

    order: Order
    created: bool
    url: str
    message: str = ""
    is_error: bool = False


def prefill(user):
    """The checkout form's initial values for `user`: email and name, and
    the address of their last order ({} for a visitor)."""
    if not user.is_authenticated:
        return {}
    initial = {"email": user.email, "full_name": user.get_full_name()}
    last = Order.objects.filter(user=user).order_by("-created_at").first()
    if last is not None:
        for name in ADDRESS_FIELDS:
            initial[name] = getattr(last, name)
    return initial


def open_checkout(cart, session, user):
    """CheckoutReady when `cart` has items (and the session's checkout owner
    is made), else CartEmpty."""
    contents = cart.contents()
    if not contents.items:
        return CartEmpty(notices=contents.notices)
    # Made now, so two submits of this form at once share the session's owner.
    session_owner(session)
    return CheckoutReady(contents, prefill(user))


def order_page_url(order, user):
    """The path of the order's page for `user`: their own order page when
    it is theirs and they are signed in, else the signed link."""
    if user.is_authenticated and order.user_id == user.pk:
        return order.get_absolute_url()
    return order_link(order)


def submit_checkout(cart, submission, *, session, user, absolute_uri):
    """Place (or find again) the order of a submitted checkout and start its
    payment: CheckoutDone, CartEmpty or CheckoutRefused. `absolute_uri`
    turns a path into the URL the payment provider sends the shopper back to."""
    owner = session_owner(session)
    # A second submit of a form that already placed its order (double click,
    # retry after a timeout) goes to that order, whatever the cart holds now;
    # from another session the key finds nothing of the order.
    try:
        existing = order_for_key(submission.idempotency_key, owner, user)
    except CheckoutKeyTaken as error:
        return CheckoutRefused(Refusal.KEY_TAKEN, str(error), cart.contents())
    if existing is not None:
        return start_payment(cart, existing, False, user=user, absolute_uri=absolute_uri)
    contents = cart.contents()
    if not contents.items:
        return CartEmpty(notices=contents.notices)
    quote = quote_cart(contents, submission.shipping_code)
    if contents.notices or quote.signature != submission.quote_signature:
        # The page shows the new summary (and carries its signature).
        message = " ".join([*contents.notices, ORDER_CHANGED])
        return CheckoutRefused(Refusal.CHANGED, message, contents)
    try:
        placed = place_order(
            requested=contents.requested(),
            customer=submission.customer,
            shipping_code=submission.shipping_code,
            payment_method=submission.payment_method,
            idempotency_key=submission.idempotency_key,
            user=user,
            owner=owner,
        )
    except CheckoutKeyTaken as error:  # the other session's submit won the race
        return CheckoutRefused(Refusal.KEY_TAKEN, str(error), cart.contents())
    except CheckoutError as error:
        return CheckoutRefused(Refusal.NOT_PLACED, str(error), cart.contents())
    return start_payment(cart, placed.order, placed.created, user=user, absolute_uri=absolute_uri)


def start_payment(cart, order, created, *, user, absolute_uri):
    """After the order is saved: start its payment and empty the cart if this
    submit created the order; CheckoutDone, or CheckoutRefused when the
    payment of a new order cannot start (the order is cancelled)."""
    order_url = order_page_url(order, user)
    if order.status == OrderStatus.PENDING:
        provider = payment_provider(order.payment_method)
        try:
            payment_url = provider.start(
                order,
                success_url=absolute_uri(f"{order_url}?payment=done"),
                cancel_url=absolute_uri(order_url),
            )
        except PaymentError as error:
            if not created:
                # A repeat submit: the first one may have opened a payment
                # that is still under way, so the order stays as it is.
                message = f"{error} Your order {order.number} is kept."
                return CheckoutDone(order, created, order_url, message, is_error=True)
            # Nothing was charged: release the stock and let the shopper retry
            # with a fresh form (the old key now names a cancelled order).
            change_status(order, OrderStatus.CANCELLED, note=f"Payment did not start: {error}")
            message = f"{error} Nothing was charged; your cart is unchanged. Please try again."
            return CheckoutRefused(Refusal.PAYMENT_NOT_STARTED, message, cart.contents())
        if payment_url:
            if created:
                cart.clear()
            return CheckoutDone(order, created, payment_url)
    # A repeat submit (say, the back button) leaves whatever is in the cart now.
    if created:
        cart.clear()
    return CheckoutDone(
        order, created, order_url, f"Thank you! Your order {order.number} is placed."
    )
