"""Order status changes: the allowed transitions (ORDER_TRANSITIONS in
shop/models.py) are enforced here, every change is recorded with who and
when and announced through shop/order_events.py, and cancelling a pending
order puts its stock back exactly once. What a customer may cancel
themselves is decided here too."""

from django.db import transaction

from shop import order_events
from shop.models import ORDER_TRANSITIONS, Order, OrderStatus, OrderStatusChange, StockAdjustment
from shop.payments import payment_instructions, payment_provider


class TransitionError(Exception):
    """The order's current status does not allow the requested change."""


def change_status(order, new_status, user=None, note=""):
    """Move `order` to `new_status` if allowed; returns the updated order.

    The order row is locked for the change, so two concurrent requests (an
    admin click and a payment webhook, a double click) apply it once: the
    second sees the new status and is refused.
    """
    new_status = OrderStatus(new_status)
    # Visitors (a guest cancelling through a signed link) act anonymously.
    actor = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        old_status = OrderStatus(locked.status)
        if new_status not in ORDER_TRANSITIONS[old_status]:
            raise TransitionError(
                f"Order {locked.number} is {old_status.label.lower()}; "
                f"it cannot be marked {new_status.label.lower()}."
            )
        locked.status = new_status
        locked.save(update_fields=["status", "updated_at"])
        OrderStatusChange.objects.create(
            order=locked,
            from_status=old_status,
            to_status=new_status,
            changed_by=actor,
            note=note[:250],
        )
        if new_status == OrderStatus.CANCELLED:
            return_stock(locked, actor)
        order_events.order_status_changed(
            locked,
            old_status,
            new_status,
            actor=actor,
            payment_instructions=payment_instructions(locked),
        )
    return locked


def return_stock(order, user=None):
    """Put a cancelled order's units back on the shelf, recorded in the ledger.

    Runs once per order because only the pending -> cancelled transition calls it.
    """
    lines = order.lines.filter(product__isnull=False).select_related("product")
    for line in sorted(lines, key=lambda line: line.product_id):
        StockAdjustment.apply(
            line.product,
            line.quantity,
            StockAdjustment.Reason.CANCELLATION,
            user=user,
            note=f"Order {order.number} cancelled",
        )


def cancel_for_customer(order, user=None):
    """Cancel `order` for its customer (`user`, or a guest with its signed
    link); returns the updated order. Raises TransitionError, with a message
    for the customer, when they may not cancel it (any more)."""
    if not customer_can_cancel(order):
        raise TransitionError(f"Order {order.number} can no longer be cancelled here.")
    return change_status(order, OrderStatus.CANCELLED, user=user, note="Cancelled by customer")


def customer_can_cancel(order):
    """A customer may cancel an order that is still pending and paid offline
    (an online payment could complete while the order is being cancelled)."""
    provider = payment_provider(order.payment_method)
    return (
        order.status == OrderStatus.PENDING
        and provider is not None
        and provider.customer_can_cancel
    )
