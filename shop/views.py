"""Cart, checkout, orders and the Stripe webhook: thin views over the
services in cart.py, checkout.py, orders.py and payments.py.

Cart changes answer HTMX requests with the updated fragment (and the header
count, swapped out of band); without JavaScript the same POSTs redirect.
Every POST but the webhook goes through Django's CSRF check.
"""

import uuid

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
from shop.cart import Cart, CartError, products_for_sale
from shop.checkout import (
    CheckoutError,
    CheckoutKeyTaken,
    CustomerDetails,
    build_quote,
    order_for_key,
    place_order,
    session_owner,
)
from shop.forms import CartLineForm, CheckoutForm
from shop.models import Order, OrderStatus
from shop.order_links import order_from_token, order_link
from shop.orders import TransitionError, change_status, customer_can_cancel
from shop.payments import PaymentError, payment_provider, stripe_provider
from shop.shipping import STANDARD, shipping_method
from shop.webhooks import InvalidWebhook, handle_stripe_webhook

# Cart -------------------------------------------------------------------------


def cart_quote(contents, method_code=STANDARD):
    """The quote for the cart's items shipped with `method_code` (standard if unknown)."""
    method = shipping_method(method_code) or shipping_method(STANDARD)
    return build_quote([(item.product, item.quantity) for item in contents.items], method)


def cart_context(request, contents, feedback=None, error=None):
    return {
        "contents": contents,
        "quote": cart_quote(contents),
        "feedback": feedback,
        "error": error,
        "cart_count": contents.count,
    }


def cart_detail(request):
    contents = Cart.for_request(request).contents()
    return render(request, "shop/cart.html", cart_context(request, contents))


def respond_to_cart_change(request, feedback=None, error=None):
    """The cart panel for HTMX, else a redirect to the cart with a message."""
    if request.htmx:
        contents = Cart.for_request(request).contents()
        context = cart_context(request, contents, feedback=feedback, error=error)
        return render(request, "shop/includes/cart_panel_response.html", context)
    if error:
        messages.error(request, error)
    elif feedback:
        messages.success(request, feedback)
    return redirect("shop:cart")


def posted_line(request):
    """(product, quantity) from a cart POST; raises CartError for bad values."""
    form = CartLineForm(request.POST)
    if not form.is_valid():
        raise CartError("Enter a whole number of items (0 or more).")
    product = products_for_sale().filter(pk=form.cleaned_data["product"]).first()
    if product is None:
        raise CartError("That product is not for sale.")
    return product, form.cleaned_data["quantity"]


@require_POST
def cart_add(request):
    cart = Cart.for_request(request)
    try:
        product, quantity = posted_line(request)
        new_quantity = cart.add(product, quantity)
    except CartError as error:
        if request.htmx:
            return render(request, "shop/includes/added_to_cart.html", {"error": str(error)})
        messages.error(request, str(error))
        return redirect("shop:cart")
    feedback = f"Added to your cart: {product.title}. You have {new_quantity}."
    if new_quantity < quantity:
        feedback = (
            f"{product.title}: only {product.stock_quantity} in stock, "
            f"so your cart has {new_quantity}."
        )
    if request.htmx:
        context = {"feedback": feedback, "cart_count": cart.count()}
        return render(request, "shop/includes/added_to_cart.html", context)
    messages.success(request, feedback)
    return redirect("shop:cart")


@require_POST
def cart_update(request):
    try:
        product, quantity = posted_line(request)
        new_quantity = Cart.for_request(request).set_quantity(product, quantity)
    except CartError as error:
        return respond_to_cart_change(request, error=str(error))
    if new_quantity == 0:
        feedback = f"Removed {product.title}."
    elif new_quantity < quantity:
        feedback = f"{product.title}: only {new_quantity} in stock, quantity set to {new_quantity}."
    else:
        feedback = f"{product.title}: quantity {new_quantity}."
    return respond_to_cart_change(request, feedback=feedback)


@require_POST
def cart_remove(request):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        return respond_to_cart_change(request, error="That product is not in your cart.")
    Cart.for_request(request).remove(form.cleaned_data["product"])
    return respond_to_cart_change(request, feedback="Removed from your cart.")


# Checkout ---------------------------------------------------------------------


ADDRESS_FIELDS = (
    "full_name", "phone", "address_line1", "address_line2", "postal_code", "city", "country",
)  # fmt: skip


def initial_details(user):
    """Prefill the checkout for a signed-in customer from their last order."""
    if not user.is_authenticated:
        return {}
    initial = {"email": user.email, "full_name": user.get_full_name()}
    last = Order.objects.filter(user=user).order_by("-created_at").first()
    if last is not None:
        for name in ADDRESS_FIELDS:
            initial[name] = getattr(last, name)
    return initial


def render_checkout(request, form, contents, error=None, status=200):
    method_code = form["shipping_method"].value() or STANDARD
    quote = cart_quote(contents, method_code)
    context = {
        "form": form,
        "contents": contents,
        "quote": quote,
        "error": error,
        "login_url": resolve_url(settings.LOGIN_URL),
    }
    return render(request, "shop/checkout.html", context, status=status)


def with_new_key(form):
    """A copy of a submitted form with a fresh idempotency key."""
    data = form.data.copy()
    data["idempotency_key"] = str(uuid.uuid4())
    return CheckoutForm(data)


def checkout(request):
    cart = Cart.for_request(request)
    if request.method != "POST":
        contents = cart.contents()
        if not contents.items:
            for notice in contents.notices:
                messages.warning(request, notice)
            messages.info(request, "Your cart is empty: add something before checking out.")
            return redirect("shop:cart")
        form = CheckoutForm(initial=initial_details(request.user))
        # Made now, so two submits of this form at once share the session's owner.
        session_owner(request.session)
        return render_checkout(request, form, contents)

    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return render_checkout(request, form, cart.contents(), status=400)
    data = form.cleaned_data
    owner = session_owner(request.session)
    # A second submit of a form that already placed its order (double click,
    # retry after a timeout) goes to that order, whatever the cart holds now;
    # from another session the key finds nothing of the order.
    try:
        existing = order_for_key(data["idempotency_key"], owner, request.user)
    except CheckoutKeyTaken as error:
        return render_checkout(request, with_new_key(form), cart.contents(), str(error), 409)
    if existing is not None:
        return start_payment(request, cart, form, existing, created=False)
    contents = cart.contents()
    if not contents.items:
        messages.info(request, "Your cart is empty: add something before checking out.")
        return redirect("shop:cart")
    quote = cart_quote(contents, data["shipping_method"])
    if contents.notices or quote.signature != data["quote_signature"]:
        error = " ".join(
            [
                *contents.notices,
                "Your order changed since this page was shown (prices, stock or shipping). "
                "Check the summary, then place the order again.",
            ]
        )
        # The page shows the new summary (and carries its signature).
        return render_checkout(request, form, contents, error, status=409)
    try:
        placed = place_order(
            requested=contents.requested(),
            customer=CustomerDetails(
                **{name: data[name] for name in CustomerDetails.__dataclass_fields__}
            ),
            shipping_code=data["shipping_method"],
            payment_method=data["payment_method"],
            idempotency_key=data["idempotency_key"],
            user=request.user,
            owner=owner,
        )
    except CheckoutKeyTaken as error:  # the other session's submit won the race
        return render_checkout(request, with_new_key(form), cart.contents(), str(error), 409)
    except CheckoutError as error:
        return render_checkout(request, form, cart.contents(), str(error), status=409)
    return start_payment(request, cart, form, placed.order, created=placed.created)


def start_payment(request, cart, form, order, created):
    """After the order is saved: start its payment, empty the cart, show the order."""
    order_url = order_page_url(request, order)
    if order.status == OrderStatus.PENDING:
        provider = payment_provider(order.payment_method)
        try:
            payment_url = provider.start(
                order,
                success_url=request.build_absolute_uri(f"{order_url}?payment=done"),
                cancel_url=request.build_absolute_uri(order_url),
            )
        except PaymentError as error:
            if not created:
                # A repeat submit: the first one may have opened a payment
                # that is still under way, so the order stays as it is.
                messages.error(request, f"{error} Your order {order.number} is kept.")
                return redirect(order_url)
            # Nothing was charged: release the stock and let the shopper retry
            # with a fresh form (the old key now names a cancelled order).
            change_status(order, OrderStatus.CANCELLED, note=f"Payment did not start: {error}")
            message = f"{error} Nothing was charged; your cart is unchanged. Please try again."
            return render_checkout(request, with_new_key(form), cart.contents(), message, 502)
        if payment_url:
            if created:
                cart.clear()
            return redirect(payment_url)
    # A repeat submit (say, the back button) leaves whatever is in the cart now.
    if created:
        cart.clear()
    messages.success(request, f"Thank you! Your order {order.number} is placed.")
    return redirect(order_url)


def order_page_url(request, order):
    """The customer's own order page when signed in, else the signed link."""
    if request.user.is_authenticated and order.user_id == request.user.pk:
        return reverse("shop:order_detail", args=[order.number])
    return order_link(order)


@require_GET
def checkout_summary(request):
    """The order summary for another shipping method (HTMX, on change)."""
    contents = Cart.for_request(request).contents()
    quote = cart_quote(contents, request.GET.get("shipping_method", STANDARD))
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
    if not customer_can_cancel(order):
        messages.error(request, f"Order {order.number} can no longer be cancelled here.")
        return redirect(redirect_to)
    try:
        change_status(order, OrderStatus.CANCELLED, user=request.user, note="Cancelled by customer")
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
