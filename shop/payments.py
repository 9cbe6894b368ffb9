"""Payment providers: how an order gets paid.

A provider has a `key` (stored on the order), a label, and
`start(order, success_url, cancel_url)`, which returns the URL to send the
shopper to, or None when payment happens outside the site. Two ship with
Pressroom:

- `ManualPaymentProvider` (bank transfer), always on: the order stays pending
  until staff mark it paid in the admin.
- `StripePaymentProvider`, on when STRIPE_SECRET_KEY and
  STRIPE_WEBHOOK_SECRET are set: a Stripe Checkout Session, confirmed by the
  signed `checkout.session.completed` webhook (applied by shop/webhooks.py).
  Nothing reaches Stripe unless the keys are set.

Providers only start payments and describe them: they never change an
order's status, so this module does not depend on shop/orders.py.
"""

import logging
from datetime import timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.utils import timezone

from shop.models import Order, OrderStatus
from shop.templatetags.shop_tags import money, percent

logger = logging.getLogger(__name__)

# ISO currencies without minor units (Stripe takes whole units for these).
ZERO_DECIMAL_CURRENCIES = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip

# How long the shopper has to pay on Stripe's page (Stripe's minimum is 30
# minutes); when the session expires the pending order is cancelled and its
# stock returned.
CHECKOUT_SESSION_LIFETIME = timedelta(hours=1)


class PaymentError(Exception):
    """The provider could not start the payment; nothing was charged."""


class PaymentProvider:
    """The interface every provider implements."""

    key = ""
    label = ""
    description = ""
    # Whether a customer may cancel a pending order paid this way.
    customer_can_cancel = False

    def is_available(self):
        """True when the provider is configured and can be offered."""
        return True

    def start(self, order, success_url, cancel_url):
        """Begin paying `order`: the URL to send the shopper to, or None."""
        raise NotImplementedError

    def instructions(self, order):
        """What the customer still has to do to pay, in words ("" for nothing)."""
        return ""


class ManualPaymentProvider(PaymentProvider):
    """Bank transfer: staff mark the order paid when the money arrives."""

    key = "bank_transfer"
    label = "Bank transfer"
    description = "Pay by bank transfer; we ship as soon as the money arrives."
    customer_can_cancel = True

    def start(self, order, success_url, cancel_url):
        return None

    def instructions(self, order):
        if order.status != OrderStatus.PENDING:
            return ""
        return (
            f"Please transfer {money(order.total, order.currency)} to "
            f"{settings.SHOP_BANK_TRANSFER_DETAILS}, with the reference {order.number}. "
            "We ship as soon as it arrives."
        )


def minor_units(amount, currency):
    """`amount` in the currency's smallest unit, as Stripe counts it."""
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return int(Decimal(amount).to_integral_value())
    return int((Decimal(amount) * 100).to_integral_value())


class StripePaymentProvider(PaymentProvider):
    """Card payments on a Stripe Checkout page."""

    key = "stripe"
    label = "Card (Stripe)"
    description = "Pay by card on Stripe's secure page."

    def is_available(self):
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)

    def client(self):
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2
        )

    def line_items(self, order):
        """The order as Stripe line items; they add up to `order.total`."""
        currency = order.currency.lower()

        def item(name, amount, quantity=1):
            return {
                "price_data": {
                    "currency": currency,
                    "unit_amount": minor_units(amount, currency),
                    "product_data": {"name": name},
                },
                "quantity": quantity,
            }

        items = [item(line.title, line.unit_price, line.quantity) for line in order.lines.all()]
        if order.shipping_cost:
            items.append(item(order.shipping_label, order.shipping_cost))
        if not order.prices_include_tax and order.tax_amount:
            items.append(item(f"Tax ({percent(order.tax_rate)} %)", order.tax_amount))
        return items

    def start(self, order, success_url, cancel_url):
        client = self.client()
        try:
            if order.payment_reference:
                # A retried checkout: back to the session it opened, if still open.
                session = client.v1.checkout.sessions.retrieve(order.payment_reference)
                return session.url if session.status == "open" else None
            session = client.v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "line_items": self.line_items(order),
                    "customer_email": order.email,
                    "client_reference_id": order.number,
                    "metadata": {"order_id": str(order.pk), "order_number": order.number},
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                    "expires_at": int((timezone.now() + CHECKOUT_SESSION_LIFETIME).timestamp()),
                },
                # Two submits at once still open one session.
                options={"idempotency_key": f"pressroom-order-{order.idempotency_key}"},
            )
        except stripe.StripeError as error:
            logger.warning("Stripe Checkout Session for %s failed: %s", order.number, error)
            raise PaymentError("The card payment service could not be reached.") from error
        Order.objects.filter(pk=order.pk).update(payment_reference=session.id)
        order.payment_reference = session.id
        return session.url

    def instructions(self, order):
        if order.status != OrderStatus.PENDING:
            return ""
        return "We are waiting for Stripe to confirm your card payment."


PROVIDERS = (ManualPaymentProvider(), StripePaymentProvider())


def payment_provider(key):
    """The provider stored on an order as `key` (configured or not), or None."""
    return next((provider for provider in PROVIDERS if provider.key == key), None)


def available_providers():
    """The providers a shopper can choose now."""
    return [provider for provider in PROVIDERS if provider.is_available()]


def payment_instructions(order):
    """What the customer still has to do to pay `order`, in words ("" for nothing)."""
    provider = payment_provider(order.payment_method)
    return provider.instructions(order) if provider else ""


def stripe_provider():
    """The Stripe provider (the webhook view asks it whether Stripe is configured)."""
    return payment_provider(StripePaymentProvider.key)
