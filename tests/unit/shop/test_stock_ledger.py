"""The stock ledger is append-only: the admin can add entries (through
StockAdjustment.apply) and read them, and has no route that copies, edits,
deletes or otherwise rewrites one, not even for a superuser."""

import pytest
from django.urls import NoReverseMatch, reverse
from wagtail.admin.admin_url_finder import AdminURLFinder

from shop.models import ProductPage, StockAdjustment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TAMPERING = {"product": "", "change": "999", "reason": "count", "note": "TAMPERED"}

# Every per-entry route a Wagtail ModelViewSet or snippet viewset can have.
REMOVED_ROUTES = [
    "copy",
    "edit",
    "delete",
    "delete_multiple",
    "history",
    "history_results",
    "usage",
    "reorder",
    "revisions_compare",
    "revisions_revert",
    "revisions_unschedule",
    "unpublish",
    "lock",
    "unlock",
    "workflow_history",
    "preview_on_edit",
]


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def entry(make_product):
    product = make_product(stock_quantity=5)
    return StockAdjustment.apply(product, 3, StockAdjustment.Reason.DELIVERY, note="Crate 7")


def ledger_snapshot():
    return list(
        StockAdjustment.objects.order_by("pk").values_list(
            "pk", "product_id", "change", "quantity_after", "reason", "note", "user_id"
        )
    )


@pytest.mark.parametrize("name", REMOVED_ROUTES)
def test_the_ledger_has_no_rewriting_route(name):
    with pytest.raises(NoReverseMatch):
        reverse(f"stock_adjustments:{name}", args=(1,))
    with pytest.raises(NoReverseMatch):
        reverse(f"stock_adjustments:{name}")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/stock_adjustments/copy/{pk}/",
        "/admin/stock_adjustments/edit/{pk}/",
        "/admin/stock_adjustments/delete/{pk}/",
        "/admin/stock_adjustments/history/{pk}/",
        "/admin/stock_adjustments/history-results/{pk}/",
        "/admin/stock_adjustments/usage/{pk}/",
        "/admin/stock_adjustments/reorder/{pk}/",
        "/admin/stock_adjustments/inspect/{pk}/edit/",
        "/admin/bulk/shop/stockadjustment/delete/?id={pk}",
        "/admin/snippets/shop/stockadjustment/edit/{pk}/",
        "/admin/snippets/shop/stockadjustment/copy/{pk}/",
    ],
)
def test_a_superuser_cannot_rewrite_an_entry(superuser_client, entry, url):
    url = url.format(pk=entry.pk)
    before = ledger_snapshot()
    stock_before = ProductPage.objects.get(pk=entry.product_id).stock_quantity
    assert superuser_client.get(url).status_code == 404
    tampering = {**TAMPERING, "product": entry.product_id}
    assert superuser_client.post(url, tampering).status_code == 404
    assert ledger_snapshot() == before
    assert ProductPage.objects.get(pk=entry.product_id).stock_quantity == stock_before


def test_a_saved_entry_is_never_rewritten_in_code(entry):
    entry.change = 999
    entry.note = "TAMPERED"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    entry.refresh_from_db()
    assert (entry.change, entry.note) == (3, "Crate 7")


def test_the_listing_and_entry_page_offer_no_rewriting_links(superuser_client, superuser, entry):
    listing = superuser_client.get(reverse("stock_adjustments:index"))
    assert listing.status_code == 200
    html = listing.content.decode()
    inspect_url = reverse("stock_adjustments:inspect", args=(entry.pk,))
    assert inspect_url in html
    page = superuser_client.get(inspect_url)
    assert page.status_code == 200
    for html in (listing.content.decode(), page.content.decode()):
        for verb in ("edit", "copy", "delete", "history", "usage"):
            assert f"/admin/stock_adjustments/{verb}/" not in html
    assert "Crate 7" in page.content.decode()
    assert AdminURLFinder().get_edit_url(entry) == inspect_url
    # Wagtail's search and history link an entry to its read-only page; a
    # user (even a superuser) is never offered an edit link.
    assert AdminURLFinder(superuser).get_edit_url(entry) is None


def test_adding_goes_through_the_adjustment_service(superuser_client, make_product):
    product = make_product(stock_quantity=2)
    response = superuser_client.post(
        reverse("stock_adjustments:add"),
        {"product": product.pk, "change": 4, "reason": "delivery", "note": "Van 3"},
        follow=True,
    )
    assert response.status_code == 200
    entry = StockAdjustment.objects.get(product=product)
    assert (entry.change, entry.quantity_after, entry.note) == (4, 6, "Van 3")
    assert ProductPage.objects.get(pk=product.pk).stock_quantity == 6
    html = response.content.decode()
    assert f"Stock of {product.title} is now 6 (+4)." in html
    assert reverse("stock_adjustments:inspect", args=(entry.pk,)) in html
