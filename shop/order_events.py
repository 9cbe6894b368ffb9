"""How an order's news reaches its customer: the one place to extend.

`order_placed` is called by the checkout once the order is committed;
`order_status_changed` by every status change (admin actions, payment
webhooks, customer cancellation), inside the transaction that made it.
Emails are rendered here and sent by Celery after commit; signed-in
customers also get a live notification through `notifications.notify()`
(verb ``order_status_changed``, target the order, data: number, status,
previous status, status label and the order's path). Preferences (on-site
and email toggles per event) plug in here, nowhere else.
"""

from django.conf import settings
from django.urls import reverse

from core.mail import queue_email
from notifications.services import notify
from shop.models import OrderStatus
from shop.order_links import absolute_url, order_link

NOTIFICATION_VERB = "order_status_changed"

# Status changes that also send an email (the notification covers every one).
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
    """Send the order confirmation, with the signed link to the order."""
    context = email_context(order, payment_instructions)
    queue_email("shop/email/order_confirmation", [order.email], context)


def order_status_changed(order, old_status, new_status, actor=None, payment_instructions=""):
    """Tell the customer: a notification when signed in, an email for the
    statuses in STATUS_EMAILS."""
    if order.user_id is not None:
        notify(
            [order.user],
            NOTIFICATION_VERB,
            actor=actor,
            target=order,
            data={
                "number": order.number,
                "status": new_status,
                "previous_status": old_status,
                "status_label": OrderStatus(new_status).label,
                "url": reverse("shop:order_detail", args=[order.number]),
            },
        )
    template = STATUS_EMAILS.get(new_status)
    if template:
        queue_email(template, [order.email], email_context(order, payment_instructions))
