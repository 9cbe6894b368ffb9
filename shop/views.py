"""Cart, checkout, orders and the Stripe webhook pages. Each view parses its
input, calls one service (shop/cart.py, shop/checkout.py, shop/orders.py,
shop/webhooks.py) and renders or redirects on what it returns; the rules
(stock caps, quotes, idempotency, payment start, cancellation) live there.

Cart changes answer HTMX requests with the updated fragment (and the header
count, swapped out of band); without JavaScript the same POSTs redirect.
Every POST but the webhook goes through Django's CSRF check.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.listing import paginate
from shop.cart import Cart, CartError, add_to_cart, change_quantity
from shop.checkout import (
    CartEmpty,
    CheckoutDone,
    CheckoutRefused,
    Refusal,
    open_checkout,
    quote_cart,
    submit_checkout,
)
from shop.forms import CartLineForm, CheckoutForm
from shop.models import Order
from shop.order_links import order_from_token
from shop.orders import TransitionError, cancel_for_customer, customer_can_cancel
from shop.payments import payment_provider, stripe_provider
from shop.shipping import STANDARD
from shop.webhooks import InvalidWebhook, handle_stripe_webhook

# Cart -------------------------------------------------------------------------

# A no-JS change leaves its sentence as a message tagged with the line's
# product, so the cart page can show it next to that line.
LINE_TAG = "cart-line:"


@dataclass(frozen=True)
class LineNotice:
    """A sentence about one cart line, shown next to it (or above the cart
    when the line is gone); level is success, warning or error."""

    product_id: int | None
    text: str
    level: str


def cart_context(request, contents, notice=None):
    """The cart panel's context: each line with its notice, the quote, and
    a notice about no line still in the cart (a removal, a refusal)."""
    in_cart = {item.product.pk for item in contents.items}
    on_line = notice if notice is not None and notice.product_id in in_cart else None
    return {
        "contents": contents,
        "rows": [
            (item, on_line if on_line and on_line.product_id == item.product.pk else None)
            for item in contents.items
        ],
        "panel_notice": notice if notice is not None and on_line is None else None,
        # What the live region (#cart-status) announces after an HTMX change.
        "status_text": " ".join(([notice.text] if notice else []) + contents.notices),
        "quote": quote_cart(contents),
        "cart_count": contents.count,
    }


def line_notice_from_messages(request):
    """The line notice a no-JS change left, and the page's other messages."""
    notice, others = None, []
    for message in messages.get_messages(request):
        tag = message.extra_tags or ""
        if tag.startswith(LINE_TAG) and tag[len(LINE_TAG) :].isdigit():
            product_id = int(tag[len(LINE_TAG) :])
            notice = LineNotice(product_id, message.message, message.level_tag)
        else:
            others.append(message)
    return notice, others


def cart_detail(request):
    notice, others = line_notice_from_messages(request)
    contents = Cart.for_request(request).contents()
    context = {**cart_context(request, contents, notice), "messages": others}
    return render(request, "shop/cart.html", context)


MESSAGE_LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "error": messages.ERROR}


def respond_to_cart_change(request, notice):
    """The cart panel with the notice in place for HTMX; without JavaScript,
    a redirect to the cart, which shows the notice at the same place."""
    if request.htmx:
        contents = Cart.for_request(request).contents()
        context = cart_context(request, contents, notice)
        return render(request, "shop/includes/cart_panel_response.html", context)
    tag = f"{LINE_TAG}{notice.product_id}" if notice.product_id else ""
    messages.add_message(request, MESSAGE_LEVELS[notice.level], notice.text, extra_tags=tag)
    return redirect("shop:cart")


def posted_line(request):
    """(product id, quantity) from a cart POST; raises CartError for bad values."""
    form = CartLineForm(request.POST)
    if not form.is_valid():
        raise CartError("Enter a whole number of items (0 or more).")
    return form.cleaned_data["product"], form.cleaned_data["quantity"]


def posted_product_id(request):
    """The product id a cart POST names, or None when it names none."""
    raw = request.POST.get("product", "")
    return int(raw) if raw.isdigit() else None


@require_POST
def cart_add(request):
    cart = Cart.for_request(request)
    try:
        change = add_to_cart(cart, *posted_line(request))
    except CartError as error:
        if request.htmx:
            return render(request, "shop/includes/added_to_cart.html", {"error": str(error)})
        messages.error(request, str(error))
        return redirect("shop:cart")
    if request.htmx:
        context = {"feedback": change.message, "cart_count": cart.count()}
        return render(request, "shop/includes/added_to_cart.html", context)
    messages.success(request, change.message)
    return redirect("shop:cart")


@require_POST
def cart_update(request):
    product_id = posted_product_id(request)
    try:
        change = change_quantity(Cart.for_request(request), *posted_line(request))
    except CartError as error:
        return respond_to_cart_change(request, LineNotice(product_id, str(error), "error"))
    level = "warning" if change.capped else "success"
    return respond_to_cart_change(request, LineNotice(product_id, change.message, level))


@require_POST
def cart_remove(request):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        notice = LineNotice(None, "That product is not in your cart.", "error")
        return respond_to_cart_change(request, notice)
    Cart.for_request(request).remove(form.cleaned_data["product"])
    return respond_to_cart_change(request, LineNotice(None, "Removed from your cart.", "success"))


# Checkout ---------------------------------------------------------------------

# The HTTP status of a refused submit: a conflict with what the page showed,
# or the payment service that did not answer.
REFUSAL_STATUS = {
    Refusal.CHANGED: 409,
    Refusal.KEY_TAKEN: 409,
    Refusal.NOT_PLACED: 409,
    Refusal.PAYMENT_NOT_STARTED: 502,
}


def render_checkout(request, form, contents, error=None, status=200):
    method_code = form["shipping_method"].value() or STANDARD
    context = {
        "form": form,
        "contents": contents,
        "quote": quote_cart(contents, method_code),
        "error": error,
        "login_url": resolve_url(settings.LOGIN_URL),
    }
    return render(request, "shop/checkout.html", context, status=status)


def with_new_key(form):
    """A copy of a submitted form with a fresh idempotency key."""
    data = form.data.copy()
    data["idempotency_key"] = str(uuid.uuid4())
    return CheckoutForm(data)


def back_to_cart(request, empty):
    for notice in empty.notices:
        messages.warning(request, notice)
    messages.info(request, empty.message)
    return redirect("shop:cart")


def show_checkout(request, cart):
    """The checkout page (GET), or back to the cart when it is empty."""
    opened = open_checkout(cart, request.session, request.user)
    if isinstance(opened, CartEmpty):
        return back_to_cart(request, opened)
    return render_checkout(request, CheckoutForm(initial=opened.initial), opened.contents)


def checkout(request):
    cart = Cart.for_request(request)
    if request.method != "POST":
        return show_checkout(request, cart)
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return render_checkout(request, form, cart.contents(), status=400)
    outcome = submit_checkout(
        cart,
        form.submission(),
        session=request.session,
        user=request.user,
        absolute_uri=request.build_absolute_uri,
    )
    match outcome:
        case CartEmpty():
            return back_to_cart(request, outcome)
        case CheckoutRefused():
            shown = with_new_key(form) if outcome.needs_new_key else form
            status = REFUSAL_STATUS[outcome.reason]
            return render_checkout(request, shown, outcome.contents, outcome.message, status)
        case CheckoutDone():
            if outcome.message:
                show = messages.error if outcome.is_error else messages.success
                show(request, outcome.message)
            return redirect(outcome.url)
    raise TypeError(f"unexpected checkout outcome {outcome!r}")  # a new kind, unhandled


@require_GET
def checkout_summary(request):
    """The order summary for another shipping method (HTMX, on change)."""
    contents = Cart.for_request(request).contents()
    quote = quote_cart(contents, request.GET.get("shipping_method", STANDARD))
    return render(
        request, "shop/includes/order_summary.html", {"contents": contents, "quote": quote}
    )


# Orders -----------------------------------------------------------------------


@login_required
def order_list(request):
    orders = Order.objects.filter(user=request.user).prefetch_related("lines")
    return render(request, "shop/order_list.html", {"orders": paginate(request, orders)})


def render_order(request, order, cancel_url):
    provider = payment_provider(order.payment_method)
    context = {
        "order": order,
        "lines": order.lines.all(),
        "history": order.status_changes.all(),
        "payment_label": provider.label if provider else order.payment_method,
        "payment_instructions": provider.instructions(order) if provider else "",
        "cancel_url": cancel_url if customer_can_cancel(order) else None,
        "payment_returned": request.GET.get("payment") == "done",
    }
    return render(request, "shop/order_detail.html", context)


def own_order(request, number):
    return get_object_or_404(Order, number=number, user=request.user)


@login_required
def order_detail(request, number):
    order = own_order(request, number)
    return render_order(request, order, reverse("shop:order_cancel", args=[number]))


def linked_order(token):
    """The order of a signed link; 404 when forged, unknown or expired."""
    try:
        return order_from_token(token)
    except (signing.BadSignature, Order.DoesNotExist) as error:
        # SignatureExpired is a BadSignature: an old link is as good as none.
        raise Http404("This order link is not valid or has expired.") from error


def order_by_link(request, token):
    order = linked_order(token)
    return render_order(request, order, reverse("shop:order_cancel_by_link", args=[token]))


def cancel(request, order, redirect_to):
    try:
        cancel_for_customer(order, request.user)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Order {order.number} is cancelled.")
    return redirect(redirect_to)


@login_required
@require_POST
def order_cancel(request, number):
    order = own_order(request, number)
    return cancel(request, order, reverse("shop:order_detail", args=[number]))


@require_POST
def order_cancel_by_link(request, token):
    order = linked_order(token)
    return cancel(request, order, reverse("shop:order_by_link", args=[token]))


# Payment webhooks -------------------------------------------------------------


@csrf_exempt  # Stripe cannot send a CSRF token; the signature authenticates it.
@require_POST
def stripe_webhook(request):
    if not stripe_provider().is_available():
        raise Http404("Stripe is not configured.")
    try:
        outcome = handle_stripe_webhook(request.body, request.headers.get("Stripe-Signature"))
    except InvalidWebhook:
        return HttpResponseBadRequest("invalid signature or payload")
    return JsonResponse({"outcome": outcome})
