"""Wagtail admin for orders and the low-stock report.

Orders are created by the checkout and never edited through a form: staff
read them (list with filters, search and CSV export; an order page with its
lines, totals and history) and move them along with status actions, each a
CSRF-protected POST that goes through `shop.orders.change_status`.
"""

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from shop.models import ORDER_TRANSITIONS, Order, OrderStatus, ProductPage, StockAdjustment
from shop.orders import TransitionError, change_status
from shop.payments import payment_provider

# The button for each target status, in the order they are offered.
STATUS_ACTIONS = {
    OrderStatus.PAID: _("Mark paid"),
    OrderStatus.SHIPPED: _("Mark shipped"),
    OrderStatus.DELIVERED: _("Mark delivered"),
    OrderStatus.REFUNDED: _("Mark refunded"),
    OrderStatus.CANCELLED: _("Cancel order"),
}


class OrderPermissionPolicy(ModelPermissionPolicy):
    """No one adds, edits or deletes orders in the admin; "change_status"
    (the status actions) needs the model's change permission."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        if action == "change_status":
            action = "change"
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=OrderStatus.choices, empty_label=_("All"), widget=forms.RadioSelect
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Placed"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Order
        fields = ["status", "created_at"]


def status_actions(order):
    """(status, button label) for the changes the order's status allows."""
    allowed = ORDER_TRANSITIONS[OrderStatus(order.status)]
    return [(status, label) for status, label in STATUS_ACTIONS.items() if status in allowed]


class OrderInspectView(InspectView):
    template_name = "shop/admin/order_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(Order.objects.select_related("user"), pk=self.pk)

    def get_user_display_value(self):
        user = self.object.user
        return user.get_username() if user else _("Guest (no account)")

    def get_payment_method_display_value(self):
        provider = payment_provider(self.object.payment_method)
        return provider.label if provider else self.object.payment_method

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        may_change = self.permission_policy.user_has_permission(self.request.user, "change_status")
        context.update(
            {
                "lines": order.lines.all(),
                "history": order.status_changes.select_related("changed_by"),
                "payment_events": order.payment_events.all(),
                "actions": status_actions(order) if may_change else [],
                "status_url": reverse("orders:status", args=[order.pk]),
            }
        )
        return context


@require_POST
def order_status_view(request, pk):
    """Apply one status action (mark paid, shipped, ...) and go back to the order."""
    if not OrderPermissionPolicy(Order).user_has_permission(request.user, "change_status"):
        raise PermissionDenied
    order = get_object_or_404(Order, pk=pk)
    inspect_url = reverse("orders:inspect", args=[order.pk])
    status = request.POST.get("status", "")
    if status not in STATUS_ACTIONS:
        messages.error(request, _("Choose a status action."))
        return redirect(inspect_url)
    try:
        order = change_status(order, status, user=request.user, note="Set in the admin")
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Order {order.number} is now {order.get_status_display().lower()}."
        )
    return redirect(inspect_url)


class OrderViewSet(ModelViewSet):
    model = Order
    icon = "list-ul"
    menu_label = _("Orders")
    menu_order = 290
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    inspect_view_fields = [
        "number",
        "status",
        "created_at",
        "full_name",
        "email",
        "phone",
        "user",
        "payment_method",
        "payment_reference",
    ]
    filterset_class = OrderFilterSet
    list_display = ["number", "full_name", "email", "status", "total", "created_at"]
    search_fields = ["number", "email", "full_name"]
    ordering = ["-created_at", "-pk"]
    list_export = [
        "number",
        "created_at",
        "status",
        "full_name",
        "email",
        "country",
        "shipping_label",
        "subtotal",
        "shipping_cost",
        "tax_amount",
        "total",
        "currency",
        "payment_method",
    ]
    export_filename = "orders"
    # Nothing links to an order, and indexing every new one would add queries
    # to the checkout transaction.
    add_to_reference_index = False

    def get_urlpatterns(self):
        # Only reading and status actions: orders have no add, edit or delete.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("status/<int:pk>/", order_status_view, name="status"),
        ]


class LowStockReportView(ReportView):
    """Products at or below SHOP_LOW_STOCK_THRESHOLD, emptiest first."""

    page_title = _("Low stock")
    header_icon = "warning"
    index_url_name = "shop_low_stock"
    index_results_url_name = "shop_low_stock_results"
    model = ProductPage
    any_permission_required = ["add", "view"]
    columns = [
        TitleColumn("title", label=_("Product"), url_name="wagtailadmin_pages:edit"),
        Column("sku", label=_("SKU")),
        Column("stock_quantity", label=_("In stock")),
        Column("price", label=_("Price")),
    ]
    list_export = ["title", "sku", "stock_quantity", "price"]
    export_headings = {"stock_quantity": _("In stock"), "sku": _("SKU")}

    @property
    def permission_policy(self):
        # Whoever keeps the stock ledger sees the report.
        return ModelPermissionPolicy(StockAdjustment)

    def get_filename(self):
        return "low-stock"

    def get_queryset(self):
        return ProductPage.objects.filter(
            stock_quantity__lte=settings.SHOP_LOW_STOCK_THRESHOLD
        ).order_by("stock_quantity", "title", "pk")
