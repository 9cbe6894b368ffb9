"""Payment webhooks: signed deliveries from Stripe that move orders along.

This module sits above shop/orders.py (it changes an order's status through
`change_status`) and shop/payments.py (it asks the Stripe provider whether
it is configured and how Stripe counts the amount); neither imports it, so
the dependency runs one way: views → webhooks → orders → payments → models.

Each event id is applied once: a replayed or concurrent duplicate is
recorded as such and changes nothing.
"""

import logging

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from shop.models import Order, OrderStatus, PaymentEvent
from shop.orders import TransitionError, change_status
from shop.payments import StripePaymentProvider, minor_units

logger = logging.getLogger(__name__)

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
EXPIRED_EVENT = "checkout.session.expired"


class InvalidWebhook(Exception):
    """A webhook whose signature or body does not verify."""


def handle_stripe_webhook(payload, signature):
    """Verify and apply one Stripe delivery (`payload` bytes, the
    Stripe-Signature header); returns what it did, in words.

    Raises InvalidWebhook for a bad signature or body.
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
                    provider=StripePaymentProvider.key,
                    event_id=data["id"],
                    event_type=data["type"],
                )
        except IntegrityError:
            return "duplicate event: ignored"
        record.outcome, record.order = apply_stripe_event(data)
        record.save(update_fields=["outcome", "order"])
    return record.outcome


def apply_stripe_event(event):
    """(outcome in words, order or None) for a verified Stripe event (a dict)."""
    kind = event["type"]
    session = event.get("data", {}).get("object") or {}
    if not kind.startswith("checkout.session."):
        return "ignored event type", None
    order = order_for_session(session)
    if order is None:
        logger.warning("Stripe event %s names no known order", event["id"])
        return "no matching order", None
    note = f"Stripe {kind} {event['id']}"
    if kind in PAID_EVENTS:
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
        return move_order(order, OrderStatus.PAID, note)
    if kind == EXPIRED_EVENT:
        return move_order(order, OrderStatus.CANCELLED, note)
    return "ignored event type", order


def order_for_session(session):
    """The Stripe-paid order a Checkout Session names (id and number must
    both match), or None."""
    order_id = (session.get("metadata") or {}).get("order_id")
    if not order_id or not str(order_id).isdigit():
        return None
    return Order.objects.filter(
        pk=int(order_id),
        number=session.get("client_reference_id"),
        payment_method=StripePaymentProvider.key,
    ).first()


def move_order(order, status, note):
    """(outcome, order) after moving `order` to `status`; a transition the
    order's status does not allow is an outcome, not an error."""
    try:
        order = change_status(order, status, note=note)
    except TransitionError as error:
        return f"unchanged: {error}", order
    return f"order marked {order.get_status_display().lower()}", order
