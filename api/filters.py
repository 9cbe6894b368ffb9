"""Query filters of the pages endpoints beyond Wagtail's own: `?tag=` over
every visible tag (editors' and the AI's), `?search=` through the hybrid
search, and a refusal of NUL characters in any parameter."""

from django.conf import settings
from django.db.models import Case, IntegerField, Q, When
from rest_framework.exceptions import Throttled
from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.utils import BadRequestError

from api.throttling import client_budgets
from core import rate_limits
from core.capabilities import Taggable, page_models_with
from core.tags import normalise_tag, tagged_by_sources
from search.hybrid import ranked_results, type_filters

MAX_QUERY_LENGTH = 200  # as the search page


def in_given_order(queryset, ids):
    """`queryset` narrowed to `ids`, ordered as they are listed."""
    if not ids:
        return queryset.none()
    order = Case(
        *[When(pk=pk, then=position) for position, pk in enumerate(ids)],
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ids).order_by(order)


def tagged_pages(slug):
    """A filter for any page queryset: pages readers see tagged `slug`, by
    editors (types with a tag relation) or by a tag source (any type)."""
    condition = tagged_by_sources(slug)
    for model in page_models_with(Taggable):
        if hasattr(model, "tagged_items"):
            condition |= Q(pk__in=model.objects.filter(tagged_items__tag__slug=slug).values("pk"))
    return condition


class TagFilter(BaseFilterBackend):
    """?tag=<slug>: pages with that tag, from editors or visibly from the AI."""

    def filter_queryset(self, request, queryset, view):
        slug = request.GET.get("tag")
        if slug is None:
            return queryset
        slug = normalise_tag(slug).replace(" ", "-")
        if not slug:
            raise BadRequestError("tag must not be empty")
        return queryset.filter(tagged_pages(slug))


def search_type_key(request):
    """The search page's type filter ("posts", ...) for a single ?type=, else ""."""
    requested = request.GET.get("type", "")
    if "," in requested:
        return ""
    for key, (_, model) in type_filters().items():
        if requested.lower() == f"{model._meta.app_label}.{model.__name__}".lower():
            return key
    return ""


class HybridSearchFilter(BaseFilterBackend):
    """?search=: the site search (keyword and meaning, fused), best first
    unless ?order= is given. Each search embeds its query, so searches also
    count against SEARCH_RATE_LIMIT a minute per address, like /search/."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        query = " ".join(request.GET["search"].split())[:MAX_QUERY_LENGTH]
        if not query:
            return queryset.none()
        attempt = rate_limits.attempt(client_budgets(request, "search", settings.SEARCH_RATE_LIMIT))
        if not attempt.allowed:
            raise Throttled(wait=attempt.retry_after)
        ids = [result.page_id for result in ranked_results(query, search_type_key(request))]
        if "order" in request.GET:
            return queryset.filter(pk__in=ids)
        return in_given_order(queryset, ids)
