"""Money arithmetic for carts and orders: line totals, shipping and tax.

Every amount is a Decimal. Tax is computed once on the order, not per line,
and rounded half-up to cents, so the figures a shopper sees add up:

- prices include tax (`SHOP_PRICES_INCLUDE_TAX` on): the total is goods plus
  shipping, and the tax shown is the share of it: total * rate / (100 + rate);
- prices exclude tax: the tax is (goods + shipping) * rate / 100, added on top.

Shipping is taxed like the goods and its cost is given on the same basis.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round_money(amount):
    """`amount` rounded half-up to cents: 0.125 → 0.13."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(unit_price, quantity):
    """The price of `quantity` units."""
    return round_money(Decimal(unit_price) * int(quantity))


@dataclass(frozen=True)
class Totals:
    """What an order costs. `total` is what the customer pays."""

    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    tax_rate: Decimal
    prices_include_tax: bool
    currency: str


def compute_totals(subtotal, shipping, tax_rate=None, prices_include_tax=None):
    """Totals for goods worth `subtotal` and a shipping cost, under the tax
    settings (or the rate and basis given)."""
    rate = Decimal(settings.SHOP_TAX_RATE if tax_rate is None else tax_rate)
    inclusive = prices_include_tax
    if inclusive is None:
        inclusive = settings.SHOP_PRICES_INCLUDE_TAX
    subtotal = round_money(subtotal)
    shipping = round_money(shipping)
    taxable = subtotal + shipping
    if inclusive:
        tax = round_money(taxable * rate / (HUNDRED + rate))
        total = taxable
    else:
        tax = round_money(taxable * rate / HUNDRED)
        total = taxable + tax
    return Totals(
        subtotal=subtotal,
        shipping=shipping,
        tax=tax,
        total=total,
        tax_rate=rate,
        prices_include_tax=bool(inclusive),
        currency=settings.SHOP_CURRENCY,
    )
