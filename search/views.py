"""Site search over live, public pages: keyword and semantic results fused."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.template.response import TemplateResponse
from wagtail.contrib.search_promotions.models import Query

from config.proxy import rate_limit_address, request_client_ip
from core import rate_limits
from search.hybrid import ranked_results, type_filters, with_pages

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    """Search the site; ?type= narrows to posts, articles or products."""
    query = " ".join(request.GET.get("query", "").split())[:MAX_QUERY_LENGTH]
    filters = type_filters()
    type_key = request.GET.get("type", "")
    if type_key not in filters:
        type_key = ""
    context = {
        "search_query": query,
        "type_filters": [(key, label) for key, (label, _) in filters.items()],
        "current_type": type_key,
    }
    # Every search embeds its query: limit them per address (the empty form is free).
    retry_after = query and search_retry_after(request)
    if retry_after:
        response = TemplateResponse(
            request, "search/search.html", {**context, "retry_after": retry_after}, status=429
        )
        response["Retry-After"] = str(retry_after)
        return response
    results = []
    if query:
        results = ranked_results(query, type_key)
        count_hit(query)
    paginator = Paginator(results, RESULTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = with_pages(page.object_list)
    params = {"query": query, **({"type": type_key} if type_key else {})}
    return TemplateResponse(
        request,
        "search/search.html",
        {
            **context,
            "search_results": page,
            "paginator": paginator,
            "pagination_prefix": urlencode(params) + "&",
        },
    )


def search_retry_after(request):
    """Count one search from the client's address; the seconds to wait when
    that goes past SEARCH_RATE_LIMIT a minute, else None."""
    address = rate_limit_address(request_client_ip(request) or "unknown")
    budget = rate_limits.Budget("search", f"ip:{address}", settings.SEARCH_RATE_LIMIT)
    return rate_limits.attempt([budget]).retry_after


def count_hit(query):
    """Count the query for Wagtail's search promotions report. The count is a
    write on every search: when it fails (SQLite busy under concurrent
    searches, a read-only replica) the reader still gets the results."""
    try:
        with transaction.atomic():
            Query.get(query).add_hit()
    except DatabaseError:
        logger.warning("search hit not counted for %r", query, exc_info=True)
