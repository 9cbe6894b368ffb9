"""Filtering, sorting and paginating the children of an index page.

Index pages declare which query-string filters and sort orders they accept;
anything else in the query string is ignored, so a crafted URL can neither
error nor reach other fields.
"""

import hashlib
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects

from core.content_cache import cached

PAGE_SIZE = 12


@dataclass(frozen=True)
class SortOption:
    key: str
    label: str
    ordering: tuple


def paginate(request, queryset, per_page=PAGE_SIZE):
    """The requested page of results; out-of-range numbers give the last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def paginate_listing(request, index_page, queryset, per_page=PAGE_SIZE):
    """`paginate()` for an index page's public listing: the count query runs
    once per content version and filter set, as the cards' fragment does."""
    paginator = Paginator(queryset, per_page)
    filters = hashlib.sha256(query_string_without_page(request).encode()).hexdigest()
    paginator.count = cached("listing-count", queryset.count, index_page.pk, filters)
    return paginator.get_page(request.GET.get("page"))


def chosen_sort(request, options):
    """The sort option named by ?sort=, or the first one."""
    wanted = request.GET.get("sort")
    return next((option for option in options if option.key == wanted), options[0])


def clean_filter(request, name, max_length=100):
    """A single query-string filter value, trimmed, or ''."""
    return (request.GET.get(name) or "").strip()[:max_length]


def query_string_without_page(request):
    """The current filters as a query-string prefix for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def filter_fields(index_page, filters, definitions):
    """Filter menus for an index page: (name, label, choices, current value).

    `definitions` are (name, label, choices_function) triples. The choices
    only change when content is published, so they are cached under the
    content version rather than queried on every view.
    """

    def compute():
        return {
            name: sorted(choices(), key=lambda choice: choice[1].lower())
            for name, _, choices in definitions
        }

    choices = cached("filter-choices", compute, index_page.pk)
    return [(name, label, choices[name], filters.get(name, "")) for name, label, _ in definitions]


def prefetch_for_listing(pages):
    """Prefetch what cards read for a mixed list of specific pages, per type."""
    by_type = {}
    for page in pages:
        by_type.setdefault(type(page), []).append(page)
    for page_type, group in by_type.items():
        prefetches = getattr(page_type, "listing_prefetches", None)
        if prefetches is not None:
            prefetch_related_objects(group, *prefetches())
    return pages
