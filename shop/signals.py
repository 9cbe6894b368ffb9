"""Order news for other apps (live notifications listen to it). Each signal
is sent only after the transaction that caused it commits, so a receiver
never sees an order or a status change that was rolled back, and a failing
receiver is logged: it never undoes the order nor keeps the others from
running. The shop's own emails do not go through these signals (see
shop/order_events.py).

order_placed
    sender: Order. Arguments: order (the new Order, pending). Once per
    order, when the checkout that created it commits; not for a repeated
    submit of the same checkout form, which finds the order again.

order_status_changed
    sender: Order. Arguments: order (with its new status), old_status and
    new_status (OrderStatus), actor (the signed-in user who made the change,
    or None for a guest, a payment webhook or the system). Once per change
    recorded in the order's history.
"""

from django.dispatch import Signal

order_placed = Signal()
order_status_changed = Signal()
