"""Forms for the cart and the checkout. They validate what the shopper may
choose; prices and totals are never fields. `CheckoutForm.submission()`
hands the checkout service (shop/checkout.py) what was typed."""

import uuid

from django import forms

from shop.checkout import CheckoutSubmission, CustomerDetails
from shop.payments import available_providers
from shop.shipping import STANDARD, shipping_methods
from shop.templatetags.shop_tags import money


class CartLineForm(forms.Form):
    """A product and a quantity, as posted by add, update and remove buttons.

    Quantities are checked to be whole and not negative here; the cart caps
    them by the stock.
    """

    product = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=0, initial=1, required=False)

    def clean_quantity(self):
        quantity = self.cleaned_data.get("quantity")
        return 1 if quantity is None else quantity


def shipping_choice_label(method):
    label = f"{method.label} ({method.description}): {money(method.cost)}"
    if method.free_from is not None:
        label += f", free from {money(method.free_from)}"
    return label


# Browser autofill tokens (HTML's autocomplete attribute) for the address.
AUTOCOMPLETE = {
    "email": "email",
    "full_name": "name",
    "phone": "tel",
    "address_line1": "address-line1",
    "address_line2": "address-line2",
    "postal_code": "postal-code",
    "city": "address-level2",
    "country": "country-name",
}


class CheckoutForm(forms.Form):
    email = forms.EmailField(label="Email", help_text="We send the confirmation here.")
    full_name = forms.CharField(label="Full name", max_length=200)
    phone = forms.CharField(
        label="Phone", max_length=40, required=False, help_text="Optional, for the courier."
    )
    address_line1 = forms.CharField(label="Address", max_length=200)
    address_line2 = forms.CharField(label="Address (line 2)", max_length=200, required=False)
    postal_code = forms.CharField(label="Postcode", max_length=20)
    city = forms.CharField(label="City", max_length=100)
    country = forms.CharField(label="Country", max_length=100)
    shipping_method = forms.ChoiceField(
        label="Shipping", widget=forms.RadioSelect, initial=STANDARD
    )
    payment_method = forms.ChoiceField(label="Payment", widget=forms.RadioSelect)
    # Generated when the form is first shown: submitting it twice (or
    # retrying after a timeout) finds the order the first submit created.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    # The summary the shopper saw (see Quote.signature); compared, never used
    # for any amount.
    quote_signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipping_method"].choices = [
            (method.code, shipping_choice_label(method)) for method in shipping_methods()
        ]
        providers = available_providers()
        self.fields["payment_method"].choices = [
            (provider.key, f"{provider.label}: {provider.description}") for provider in providers
        ]
        self.fields["payment_method"].initial = providers[0].key
        for name, token in AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def customer_fields(self):
        return [self[name] for name in ("email", "full_name", "phone")]

    def address_fields(self):
        return [
            self[name]
            for name in ("address_line1", "address_line2", "postal_code", "city", "country")
        ]

    def submission(self):
        """The validated form as the checkout service takes it."""
        data = self.cleaned_data
        return CheckoutSubmission(
            customer=CustomerDetails(
                **{name: data[name] for name in CustomerDetails.__dataclass_fields__}
            ),
            shipping_code=data["shipping_method"],
            payment_method=data["payment_method"],
            idempotency_key=data["idempotency_key"],
            quote_signature=data["quote_signature"],
        )
