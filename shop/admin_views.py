"""Wagtail admin views for the stock ledger: record adjustments, never edit them."""

from django import forms
from django.contrib.admin.utils import quote
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
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

    inspect_url_name = None  # set by the viewset

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

    def get_edit_url(self):
        """Entries have no edit view: where Wagtail links to the new entry
        (success JSON), it gets the entry's read-only page."""
        return reverse(self.inspect_url_name, args=(quote(self.object.pk),))

    def get_success_buttons(self):
        return [messages.button(self.get_edit_url(), _("View"))]


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
    # Append-only: entries are added (through StockAdjustment.apply) and
    # read. Wagtail's copy view saved its form onto the copied entry, which
    # rewrote it; no copy, edit, delete, history or usage route exists now.
    copy_view_enabled = False
    # Checkout records an adjustment per line while it holds the stock rows;
    # indexing each one's reference to its product cost three more queries
    # there, for a "usage" view nobody needs on a ledger entry.
    add_to_reference_index = False

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        # The views must not link to (or reverse) routes the ledger lacks.
        return super().get_common_view_kwargs(
            **{
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    @property
    def url_finder_class(self):
        # Wagtail's "edit URL" of an entry (search results, log entries) is
        # its read-only page.
        return type(
            "StockAdjustmentURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )
