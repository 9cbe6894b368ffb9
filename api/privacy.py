"""What the API may show: the same rule as feeds, search and the sitemap.

Pages are live, under no view restriction and not past their expiry time
(`core.privacy.public_pages`), whoever asks: a signed-in reader who could
open a restricted page on the site still never gets it through the API, so
a response never depends on who sent it (except the staff-only stock).
Documents and images are listed only outside view-restricted collections.
"""

from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.api.validators import SiteFilterValidator
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import CollectionViewRestriction, Page

from core.privacy import public_pages


def public_page_queryset(request):
    """Live, public, unexpired pages of the requested site (?site=, else the
    request's own site). ValueError for an unknown ?site=."""
    pages = public_pages(Page.objects.live())
    site = SiteFilterValidator(site=request.GET.get("site"), request=request).site_obj
    if site is None:
        return pages.none()
    return pages.descendant_of(site.root_page, inclusive=True)


def restricted_collection_q():
    """An Exists() true for rows whose collection (or an ancestor) has a view restriction."""
    return Exists(
        CollectionViewRestriction.objects.filter(
            collection__path=Substr(OuterRef("collection__path"), 1, Length(F("collection__path")))
        )
    )


def public_documents():
    """Documents outside view-restricted collections."""
    return get_document_model().objects.exclude(restricted_collection_q())


def public_images():
    """Images outside view-restricted collections."""
    return get_image_model().objects.exclude(restricted_collection_q())


def is_public_page(page_id):
    """True when the page with this id is live, public and unexpired now."""
    return public_pages(Page.objects.live().filter(pk=page_id)).exists()
