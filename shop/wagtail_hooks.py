"""Admin registrations for the shop."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from shop.admin_views import LedgerPermissionPolicy, StockAdjustmentViewSet
from shop.models import Order, StockAdjustment
from shop.order_admin import LowStockReportView, OrderPermissionPolicy, OrderViewSet

# Registered before any viewset asks for a policy (Wagtail's requirement).
register_permission_policy(
    StockAdjustment, LedgerPermissionPolicy(StockAdjustment), exact_class=True
)
register_permission_policy(Order, OrderPermissionPolicy(Order), exact_class=True)


@hooks.register("register_admin_viewset")
def register_stock_viewset():
    return StockAdjustmentViewSet("stock_adjustments")


@hooks.register("register_admin_viewset")
def register_order_viewset():
    return OrderViewSet("orders")


@hooks.register("register_admin_urls")
def register_low_stock_report_urls():
    return [
        path("reports/low-stock/", LowStockReportView.as_view(), name="shop_low_stock"),
        path(
            "reports/low-stock/results/",
            LowStockReportView.as_view(results_only=True),
            name="shop_low_stock_results",
        ),
    ]


class LowStockMenuItem(MenuItem):
    def is_shown(self, request):
        return ModelPermissionPolicy(StockAdjustment).user_has_any_permission(
            request.user, ["add", "view"]
        )


@hooks.register("register_reports_menu_item")
def register_low_stock_menu_item():
    return LowStockMenuItem(
        "Low stock", reverse("shop_low_stock"), name="low-stock", icon_name="warning", order=800
    )
