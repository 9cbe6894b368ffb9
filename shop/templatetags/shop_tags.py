"""Money formatting and the header cart link for shop templates."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings

from shop.cart import cart_count

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


@register.filter
def money(amount, currency=None):
    """Format a Decimal price with its currency symbol: €24.00."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(amount).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    code = currency or settings.SHOP_CURRENCY
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{value:,}" if symbol else f"{value:,} {code}"


@register.filter
def percent(rate):
    """A tax rate without trailing zeros: 20.00 → 20, 7.50 → 7.5."""
    try:
        return f"{Decimal(rate).normalize():f}"
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.inclusion_tag("shop/includes/cart_link.html", takes_context=True)
def cart_link(context):
    """The header's cart link with the item count (no query for a visitor
    without a session, one for a signed-in customer)."""
    request = context.get("request")
    if request is None:
        return {"cart_count": 0}
    return {"cart_count": cart_count(request)}
