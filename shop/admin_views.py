"""Wagtail admin views for the stock ledger: record adjustments, never edit them."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from shop.models import StockAdjustment, StockAdjustmentError


class StockAdjustmentForm(WagtailAdminModelForm):
    def clean_change(self):
        change = self.cleaned_data["change"]
        if change == 0:
            raise forms.ValidationError("Enter how many items to add (positive) or remove.")
        return change


class StockAdjustmentCreateView(CreateView):
    """Applies the adjustment to the product's stock in the same transaction."""

    def form_valid(self, form):
        self.form = form
        data = form.cleaned_data
        try:
            self.object = StockAdjustment.apply(
                product=data["product"],
                change=data["change"],
                reason=data["reason"],
                note=data.get("note", ""),
                user=self.request.user,
            )
        except StockAdjustmentError as error:
            form.add_error("change", str(error))
            self.produced_error_code = "validation_error"
            self.produced_error_message = str(error)
            return self.form_invalid(form)
        return self.save_action()

    def get_success_message(self, instance):
        return (
            f"Stock of {instance.product.title} is now {instance.quantity_after} "
            f"({instance.change:+d})."
        )


class LedgerPermissionPolicy(ModelPermissionPolicy):
    """Adjustments are a ledger: they can be added and viewed, never changed."""

    def user_has_permission(self, user, action):
        if action in ("change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class StockAdjustmentViewSet(ModelViewSet):
    model = StockAdjustment
    icon = "tasks"
    menu_label = _("Stock")
    menu_order = 300
    add_to_admin_menu = True
    add_view_class = StockAdjustmentCreateView
    edit_handler = ObjectList(
        [FieldPanel("product"), FieldPanel("change"), FieldPanel("reason"), FieldPanel("note")],
        base_form_class=StockAdjustmentForm,
    )
    list_display = ["product", "change", "quantity_after", "reason", "user", "created_at"]
    list_filter = ["reason"]
    search_fields = ["product__title", "note"]
    inspect_view_enabled = True
    # Checkout records an adjustment per line while it holds the stock rows;
    # indexing each one's reference to its product cost three more queries
    # there, for a "usage" view nobody needs on a ledger entry.
    add_to_reference_index = False
