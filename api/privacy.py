"""What the API may show: the same rule as feeds, search and the sitemap.

Pages are live, under no view restriction and not past their expiry time
(`core.privacy.public_pages`), whoever asks: a signed-in reader who could
open a restricted page on the site still never gets it through the API, so
a response never depends on who sent it (except the staff-only stock).
Documents and images are listed only outside view-restricted collections.
"""

from django.http import Http404
from wagtail.api.validators import SiteFilterValidator
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from core.privacy import outside_restricted_collections, public_pages


def public_page_queryset(request):
    """Live, public, unexpired pages of the requested site (?site=, else the
    request's own site). ValueError for an unknown ?site=."""
    pages = public_pages(Page.objects.live())
    try:
        site = SiteFilterValidator(site=request.GET.get("site"), request=request).site_obj
    except Http404 as error:
        raise ValueError("no site has this hostname") from error
    if site is None:
        return pages.none()
    return pages.descendant_of(site.root_page, inclusive=True)


def public_documents():
    """Documents outside view-restricted collections (core.privacy)."""
    return outside_restricted_collections(get_document_model().objects.all())


def public_images():
    """Images outside view-restricted collections (core.privacy)."""
    return outside_restricted_collections(get_image_model().objects.all())
