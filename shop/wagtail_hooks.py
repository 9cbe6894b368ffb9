"""Admin registrations for the shop."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from shop.admin_views import LedgerPermissionPolicy, StockAdjustmentViewSet
from shop.models import StockAdjustment

# Registered before any viewset asks for a policy (Wagtail's requirement).
register_permission_policy(
    StockAdjustment, LedgerPermissionPolicy(StockAdjustment), exact_class=True
)


@hooks.register("register_admin_viewset")
def register_stock_viewset():
    return StockAdjustmentViewSet("stock_adjustments")
