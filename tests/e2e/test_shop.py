"""Buying in a real browser: a shopper adds two products (HTMX), checks out
with a bank transfer and sees the confirmation; a shop manager marks the
order paid and shipped in the admin; the shopper's emails arrive through the
Celery worker."""

import re
import uuid

from shop.models import Order, OrderStatus, ProductPage
from tests.e2e.conftest import collect_page_errors
from tests.live import read_emails, wait_until


def add_to_cart(page, product, quantity):
    page.goto(product.url)
    page.fill("#buy-quantity", str(quantity))
    page.click("button:has-text('Add to cart')")
    # HTMX answers in place: the status line and the header count change.
    page.wait_for_selector("#buy-status .notice--success")


def test_shopper_buys_and_staff_ships(
    live_db, demo_site, celery_worker, email_dir, new_context, screenshot
):
    first, second = ProductPage.objects.live().filter(stock_quantity__gte=5).order_by("path")[:2]
    stock_before = {first.pk: first.stock_quantity, second.pk: second.stock_quantity}
    email = f"shopper-{uuid.uuid4().hex[:8]}@example.com"

    shopper = new_context().new_page()
    errors = collect_page_errors(shopper)
    add_to_cart(shopper, first, 2)
    assert shopper.locator("#cart-link .cart-link__count").inner_text() == "2"
    add_to_cart(shopper, second, 1)
    assert shopper.locator("#cart-link .cart-link__count").inner_text() == "3"
    screenshot(shopper, "shop-1-added-to-cart")

    shopper.click("#cart-link")
    shopper.wait_for_url("**/cart/")
    assert shopper.locator(".cart-line").count() == 2
    # Changing a quantity updates the totals in place.
    quantity = shopper.locator(f"#quantity-{second.pk}")
    quantity.fill("2")
    quantity.dispatch_event("change")
    expected = first.price * 2 + second.price * 2
    shopper.wait_for_function(
        "count => document.querySelector('#cart-link .cart-link__count').textContent === count",
        arg="4",
    )
    subtotal = shopper.locator("#cart-panel [data-total=subtotal]").inner_text()
    assert subtotal == f"€{expected:,.2f}"
    screenshot(shopper, "shop-2-cart")
    assert errors == []

    shopper.click("a:has-text('Check out')")
    shopper.wait_for_url("**/checkout/")
    shopper.fill("#id_email", email)
    shopper.fill("#id_full_name", "Grace Hopper")
    shopper.fill("#id_address_line1", "1 Harbour Road")
    shopper.fill("#id_postal_code", "1012 AB")
    shopper.fill("#id_city", "Amsterdam")
    shopper.fill("#id_country", "Netherlands")
    shopper.check("input[name=shipping_method][value=express]")
    shopper.wait_for_function(
        "() => document.querySelector('#order-summary dt:nth-of-type(2)')"
        ".textContent.includes('Express')"
    )
    screenshot(shopper, "shop-3-checkout")
    shopper.click("button:has-text('Place order')")
    shopper.wait_for_url(re.compile(r"/orders/link/"))
    assert "Thank you! Your order PR-" in shopper.locator(".messages").inner_text()
    order = Order.objects.get(email=email)
    assert shopper.locator("h1").inner_text() == f"Order {order.number}"
    assert "How to pay" in shopper.locator("main").inner_text()
    assert shopper.locator("#cart-link .cart-link__count").inner_text() == "0"
    screenshot(shopper, "shop-4-confirmation")
    assert errors == []
    assert order.shipping_method == "express"
    assert [(line.product_id, line.quantity) for line in order.lines.order_by("product_id")] == [
        (first.pk, 2),
        (second.pk, 2),
    ]
    for product in (first, second):
        assert ProductPage.objects.get(pk=product.pk).stock_quantity == stock_before[product.pk] - 2

    staff = new_context().new_page()
    staff.goto("/admin/login/")
    staff.fill("input[name=username]", "shopmanager")
    staff.fill("input[name=password]", "pressroom")
    staff.click("button[type=submit]")
    staff.wait_for_url("**/admin/")
    staff.goto(f"/admin/orders/?q={order.number}")
    staff.click(f"a:has-text('{order.number}')")
    staff.wait_for_url(f"**/admin/orders/inspect/{order.pk}/")
    staff.click("button[data-status-action=paid]")
    staff.wait_for_selector("button[data-status-action=shipped]")
    staff.click("button[data-status-action=shipped]")
    staff.wait_for_selector("button[data-status-action=delivered]")
    assert f"Order {order.number} is now shipped." in staff.content()
    screenshot(staff, "shop-5-admin-shipped")
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.status_changes.last().changed_by.username == "shopmanager"

    def shopper_emails():
        messages = [m for m in read_emails(email_dir) if f"To: {email}" in m]
        return messages if len(messages) >= 3 else None

    messages = wait_until(shopper_emails, timeout=30, message="the shopper's three emails")
    subjects = [re.search(r"^Subject: (.*)$", m, re.M).group(1) for m in messages]
    assert subjects == [
        f"Your order {order.number} at Pressroom",
        f"Payment received for order {order.number}",
        f"Order {order.number} is on its way",
    ]
    assert "/orders/link/" in messages[0]

    # The signed link in the confirmation opens the order for the guest.
    link = re.search(r"https?://\S+/orders/link/\S+/", messages[0]).group(0)
    path = link[link.index("/orders/") :]
    guest = new_context().new_page()
    guest.goto(path)
    assert guest.locator(".order-status").inner_text() == "Shipped"
    screenshot(guest, "shop-6-guest-order-link")
