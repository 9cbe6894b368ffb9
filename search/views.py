"""Site search over live, public pages."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Page

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    """Keyword search; never returns drafts or view-restricted pages."""
    query = " ".join(request.GET.get("query", "").split())[:MAX_QUERY_LENGTH]
    results = Page.objects.none()
    if query:
        # Wagtail's stock search view uses .live() alone, which leaks the
        # titles of view-restricted pages; .public() closes that.
        results = Page.objects.live().public().specific().search(query)
        Query.get(query).add_hit()
    paginator = Paginator(results, RESULTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "search_results": page,
            "paginator": paginator,
            "pagination_prefix": urlencode({"query": query}) + "&",
        },
    )
