"""/metrics: the Prometheus exposition, for a scraper holding METRICS_TOKEN.

Answered by ObservabilityMiddleware ahead of the rest of the stack."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from observability.access import token_accepted
from observability.backlog import BacklogCollector
from observability.metrics import scrape_registry


@never_cache
def metrics(request):
    """The metrics of this process (or of every process sharing the
    multiprocess directory) plus the backlog gauges; 404 when no
    METRICS_TOKEN is configured, 401 without the right bearer token."""
    expected = settings.METRICS_TOKEN
    if not expected:
        return HttpResponseNotFound("Not found.\n", content_type="text/plain")
    if not token_accepted(request.headers.get("Authorization"), expected):
        response = HttpResponse(
            "A bearer token is required.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = generate_latest(scrape_registry(BacklogCollector()))
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
