"""Site search over live, public pages: keyword and semantic results fused."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.contrib.search_promotions.models import Query

from search.hybrid import TYPE_FILTERS, hybrid_search

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    """Search the site; ?type= narrows to posts, articles or products."""
    query = " ".join(request.GET.get("query", "").split())[:MAX_QUERY_LENGTH]
    type_key = request.GET.get("type", "")
    if type_key not in TYPE_FILTERS:
        type_key = ""
    results = []
    if query:
        results = hybrid_search(query, type_key)
        Query.get(query).add_hit()
    paginator = Paginator(results, RESULTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    params = {"query": query, **({"type": type_key} if type_key else {})}
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "search_results": page,
            "paginator": paginator,
            "pagination_prefix": urlencode(params) + "&",
            "type_filters": [(key, label) for key, (label, _) in TYPE_FILTERS.items()],
            "current_type": type_key,
        },
    )
