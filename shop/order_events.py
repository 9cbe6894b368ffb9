"""How an order's news leaves the shop: the one place to extend.

`order_placed` is called by the checkout once the order is committed;
`order_status_changed` by every status change (admin actions, payment
webhooks, customer cancellation), inside the transaction that made it.

Each does two things:

- the shop's own emails (confirmation; paid and shipped), rendered here and
  sent by Celery after the commit;
- the matching signal in shop/signals.py, sent after the commit, for other
  apps: notifications turns `order_status_changed` into a live notification
  for signed-in customers (notifications/receivers.py). The shop never
  imports notifications.
"""

from django.conf import settings

from core.after_commit import send_after_commit
from core.mail import queue_email
from shop import signals
from shop.models import Order, OrderStatus
from shop.order_links import absolute_url, order_link

# Status changes that also send an email (the signal covers every one).
STATUS_EMAILS = {
    OrderStatus.PAID: "shop/email/order_paid",
    OrderStatus.SHIPPED: "shop/email/order_shipped",
}


def email_context(order, payment_instructions=""):
    """What the order email templates need."""
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "order_url": absolute_url(order_link(order)),
        "payment_instructions": payment_instructions,
        "site_name": settings.WAGTAIL_SITE_NAME,
    }


def order_placed(order, payment_instructions=""):
    """Queue the order confirmation (with the signed link to the order) and
    send `signals.order_placed`, both after the commit."""
    context = email_context(order, payment_instructions)
    queue_email("shop/email/order_confirmation", [order.email], context)
    send_after_commit(signals.order_placed, Order, order=order)


def order_status_changed(order, old_status, new_status, actor=None, payment_instructions=""):
    """Queue the email for the statuses in STATUS_EMAILS and send
    `signals.order_status_changed`, both after the commit."""
    template = STATUS_EMAILS.get(new_status)
    if template:
        queue_email(template, [order.email], email_context(order, payment_instructions))
    send_after_commit(
        signals.order_status_changed,
        Order,
        order=order,
        old_status=old_status,
        new_status=new_status,
        actor=actor,
    )
