"""The content endpoints under /api/v2/: Wagtail's API v2 viewsets, narrowed
to what readers may see (api/privacy.py), with JSON errors, the shared rate
limits, tag and hybrid-search filters, and the shop catalogue.

Each page type declares the fields it shows in its own `api_fields`
(Wagtail's convention); `?type=app.Model&fields=*` lists them all.
"""

import logging

from django.core.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView
from wagtail.api import APIField
from wagtail.api.v2.filters import (
    AncestorOfFilter,
    ChildOfFilter,
    DescendantOfFilter,
    FieldsFilter,
    OrderingFilter,
    SearchFilter,
)
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import BaseAPIViewSet, PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.api.v2.views import ImagesAPIViewSet

from api import errors
from api.authentication import SessionCookieAuthentication
from api.fields import CARD_RENDITION, LARGE_RENDITION
from api.filters import HybridSearchFilter, TagFilter
from api.pagination import BoundedPagination
from api.privacy import public_documents, public_images, public_page_queryset
from api.schema import DOCUMENT, IMAGE, PAGE, PAGE_FILTERS, PRODUCT, ContentEndpointSchema, query
from api.throttling import SharedCacheThrottle
from shop.models import ProductPage

logger = logging.getLogger(__name__)

SIMPLE_FILTERS = [
    query("search", "Search titles and tags."),
    query("order", "A field to order by."),
]


class PublicAPIMixin:
    """What every Pressroom endpoint shares: JSON only, session cookies (no
    HTTP Basic), the shared rate limit, bounded pagination, and every error
    as `api.errors.error_body`, including the ones Wagtail's viewsets answer
    in their own shape and unexpected failures (logged, then a JSON 500)."""

    renderer_classes = [JSONRenderer]
    authentication_classes = [SessionCookieAuthentication]
    throttle_classes = [SharedCacheThrottle]
    pagination_class = BoundedPagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Before any query is built (?site= is read with the base queryset):
        # PostgreSQL cannot compare a NUL, and no real query contains one.
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise BadRequestError("parameters must not contain NUL characters")

    def get_exception_handler(self):
        return errors.json_exception_handler

    def handle_exception(self, exc):
        # Skips Wagtail's BaseAPIViewSet.handle_exception ({"message": ...}).
        if isinstance(exc, (ValidationError, OverflowError)):
            # A filter value the database cannot compare (a malformed date,
            # an integer past 64 bits) is the client's mistake.
            exc = errors.BadRequest("A filter value is not valid for its field.")
        try:
            return APIView.handle_exception(self, errors.as_api_exception(exc))
        except Exception:
            logger.exception("API request failed")
            return errors.server_error_response()


def with_listing_prefetches(queryset):
    """A queryset of one page type with what its cards read (authors,
    pictures, editors' tags) fetched for the whole page of results at once."""
    prefetches = getattr(queryset.model, "listing_prefetches", None)
    if prefetches is None:
        return queryset
    queryset = queryset.prefetch_related(*prefetches())
    if hasattr(queryset.model, "tagged_items"):
        queryset = queryset.prefetch_related("tags")
    return queryset


class PublicPagesAPIViewSet(PublicAPIMixin, PagesAPIViewSet):
    """Live, public, unexpired pages of the site, whoever asks."""

    schema = ContentEndpointSchema(
        "pages",
        PAGE,
        [query("type", "Page types, e.g. `blog.PostPage,blog.ArticlePage`."), *PAGE_FILTERS],
        "Live, public pages. With one ?type=, that type's fields can be asked for.",
    )

    filter_backends = [
        FieldsFilter,
        ChildOfFilter,
        AncestorOfFilter,
        DescendantOfFilter,
        TagFilter,
        OrderingFilter,
        HybridSearchFilter,  # last: it may order by relevance
    ]
    # No i18n here: one locale, so translation_of/locale filter nothing.
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["tag"]) - {
        "translation_of",
        "locale",
        "search_operator",
    }

    def get_base_queryset(self):
        try:
            return public_page_queryset(self.request)
        except ValueError as error:
            raise BadRequestError(str(error)) from error

    def get_queryset(self):
        return with_listing_prefetches(super().get_queryset())


class ProductsAPIViewSet(PublicPagesAPIViewSet):
    """The shop catalogue: live, public products with price, currency and
    stock state (exact stock for shop staff only)."""

    schema = ContentEndpointSchema(
        "shop",
        PRODUCT,
        PAGE_FILTERS,
        "The catalogue: live, public products, price and stock state.",
    )

    name = "products"
    model = ProductPage
    known_query_parameters = PublicPagesAPIViewSet.known_query_parameters - {"type"}
    listing_default_fields = [
        *PagesAPIViewSet.listing_default_fields,
        "sku",
        "price",
        "compare_at_price",
        "currency",
        "availability",
        "stock",  # shop staff only: absent for everyone else
        "category",
        "picture",
    ]

    def get_queryset(self):
        public = self.get_base_queryset().values("pk")
        return with_listing_prefetches(ProductPage.objects.filter(pk__in=public).order_by("pk"))


class PublicImagesAPIViewSet(PublicAPIMixin, ImagesAPIViewSet):
    """Images outside view-restricted collections, with renditions."""

    schema = ContentEndpointSchema(
        "images", IMAGE, SIMPLE_FILTERS, "Images outside private collections."
    )

    filter_backends = [FieldsFilter, OrderingFilter, SearchFilter]
    known_query_parameters = BaseAPIViewSet.known_query_parameters - {"search_operator"}
    body_fields = [
        *ImagesAPIViewSet.body_fields,
        APIField("card", serializer=ImageRenditionField(CARD_RENDITION, source="*")),
        APIField("large", serializer=ImageRenditionField(LARGE_RENDITION, source="*")),
    ]
    listing_default_fields = [*ImagesAPIViewSet.listing_default_fields, "card"]

    def get_queryset(self):
        # Wagtail's own rule lets a signed-in reader with access through; here
        # the answer is the same for everyone, like pages.
        return self.model.objects.filter(pk__in=public_images().values("pk")).order_by("id")


class PublicDocumentsAPIViewSet(PublicAPIMixin, DocumentsAPIViewSet):
    """Documents outside view-restricted collections."""

    schema = ContentEndpointSchema(
        "documents", DOCUMENT, SIMPLE_FILTERS, "Documents outside private collections."
    )

    filter_backends = [FieldsFilter, OrderingFilter, SearchFilter]
    known_query_parameters = BaseAPIViewSet.known_query_parameters - {"search_operator"}

    def get_queryset(self):
        return self.model.objects.filter(pk__in=public_documents().values("pk")).order_by("id")


# Products first: a product anywhere in the API links to its catalogue entry.
ENDPOINTS = [
    ("products", ProductsAPIViewSet),
    ("pages", PublicPagesAPIViewSet),
    ("images", PublicImagesAPIViewSet),
    ("documents", PublicDocumentsAPIViewSet),
]
