"""Shipping methods and their costs, from settings (README, "Shop")."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

STANDARD = "standard"
EXPRESS = "express"


@dataclass(frozen=True)
class ShippingMethod:
    """A way to ship an order and what it costs."""

    code: str
    label: str
    description: str
    cost: Decimal
    free_from: Decimal | None = None

    def cost_for(self, subtotal):
        """The shipping cost for goods worth `subtotal` (free past the threshold)."""
        if self.free_from is not None and subtotal >= self.free_from:
            return Decimal("0.00")
        return self.cost


def shipping_methods():
    """The methods a shopper can choose, cheapest first."""
    return [
        ShippingMethod(
            code=STANDARD,
            label="Standard delivery",
            description="3 to 5 working days",
            cost=settings.SHOP_SHIPPING_STANDARD_COST,
            free_from=settings.SHOP_FREE_SHIPPING_THRESHOLD,
        ),
        ShippingMethod(
            code=EXPRESS,
            label="Express delivery",
            description="Next working day",
            cost=settings.SHOP_SHIPPING_EXPRESS_COST,
        ),
    ]


def shipping_method(code):
    """The method with this code, or None."""
    return next((method for method in shipping_methods() if method.code == code), None)
