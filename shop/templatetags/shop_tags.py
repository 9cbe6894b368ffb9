"""Money formatting for shop templates."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings

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
