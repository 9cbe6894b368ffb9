"""Payment providers: how an order gets paid.

A provider has a `key` (stored on the order), a label, and
`start(order, success_url, cancel_url)`, which returns the URL to send the
shopper to, or None when payment happens outside the site. Two ship with
Pressroom:

- `ManualPaymentProvider` (bank transfer), always on: the order stays pending
  until staff mark it paid in the admin.
- `StripePaymentProvider`, on when STRIPE_SECRET_KEY and
  STRIPE_WEBHOOK_SECRET are set: a Stripe Checkout Session, confirmed by the
  signed `checkout.session.completed` webhook. Nothing reaches Stripe unless
  the keys are set.
"""

import logging
from datetime import timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.models import Order, OrderStatus, PaymentEvent
from shop.orders import TransitionError, change_status
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


class InvalidWebhook(Exception):
    """A webhook whose signature or body does not verify."""


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

    def handle_webhook(self, payload, signature):
        """Verify and apply one webhook delivery; returns what it did, in words.

        Raises InvalidWebhook for a bad signature or body. Each event id is
        applied once: a replayed or concurrent duplicate is recorded as such
        and changes nothing.
        """
        try:
            event = stripe.Webhook.construct_event(
                payload.decode("utf-8"),
                signature,
                settings.STRIPE_WEBHOOK_SECRET,
                api_key=settings.STRIPE_SECRET_KEY,
            )
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise InvalidWebhook(str(error)) from error
        data = event.to_dict()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = PaymentEvent.objects.create(
                        provider=self.key, event_id=data["id"], event_type=data["type"]
                    )
            except IntegrityError:
                return "duplicate event: ignored"
            record.outcome, record.order = self.apply_event(data)
            record.save(update_fields=["outcome", "order"])
        return record.outcome

    def apply_event(self, event):
        """(outcome, order) for a verified event."""
        kind = event["type"]
        session = event.get("data", {}).get("object") or {}
        if not kind.startswith("checkout.session."):
            return "ignored event type", None
        order = self.order_for_session(session)
        if order is None:
            logger.warning("Stripe event %s names no known order", event["id"])
            return "no matching order", None
        note = f"Stripe {kind} {event['id']}"
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            if session.get("payment_status") != "paid":
                return "payment not completed yet", order
            expected = minor_units(order.total, order.currency)
            paid = session.get("amount_total")
            currency = (session.get("currency") or "").upper()
            if paid != expected or currency != order.currency.upper():
                logger.error(
                    "Stripe paid %s %s for %s, which costs %s %s",
                    paid, currency, order.number, expected, order.currency,
                )  # fmt: skip
                return f"amount mismatch: paid {paid} {currency}, expected {expected}", order
            return self.transition(order, OrderStatus.PAID, note)
        if kind == "checkout.session.expired":
            return self.transition(order, OrderStatus.CANCELLED, note)
        return "ignored event type", order

    def order_for_session(self, session):
        order_id = (session.get("metadata") or {}).get("order_id")
        if not order_id or not str(order_id).isdigit():
            return None
        return Order.objects.filter(
            pk=int(order_id), number=session.get("client_reference_id"), payment_method=self.key
        ).first()

    @staticmethod
    def transition(order, status, note):
        try:
            order = change_status(order, status, note=note)
        except TransitionError as error:
            return f"unchanged: {error}", order
        return f"order marked {order.get_status_display().lower()}", order


PROVIDERS = (ManualPaymentProvider(), StripePaymentProvider())


def payment_provider(key):
    """The provider stored on an order as `key` (configured or not), or None."""
    return next((provider for provider in PROVIDERS if provider.key == key), None)


def available_providers():
    """The providers a shopper can choose now."""
    return [provider for provider in PROVIDERS if provider.is_available()]


def stripe_provider():
    """The Stripe provider (webhooks address it directly)."""
    return payment_provider(StripePaymentProvider.key)
