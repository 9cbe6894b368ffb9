"""The first middleware: a request id for the request, and its HTTP metrics."""

import logging
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async

from observability.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS
from observability.request_ids import (
    REQUEST_ID_HEADER,
    accepted_request_id,
    bind_request_id,
    unbind_request_id,
)
from observability.views import metrics

logger = logging.getLogger("pressroom.requests")

UNMATCHED_ROUTE = "<unmatched>"
METRICS_PATH = "/metrics"
METRICS_ROUTE = "metrics"
# Any other method is counted as "other": a label value per made-up method
# would let a client create series at will.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_name(request):
    """The URL pattern's name (or view path) that answered, never the raw path:
    paths carry ids and keys, and would make a series per URL."""
    if request.path_info == METRICS_PATH:
        return METRICS_ROUTE
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED_ROUTE
    return match.view_name or UNMATCHED_ROUTE


class ObservabilityMiddleware:
    """Binds the request id (kept from a well-formed X-Request-ID, else new),
    answers with it in X-Request-ID, counts and times the request by route
    and status, and logs one line per request (route, not path).

    It answers /metrics itself, before the rest of the stack: Prometheus
    addresses each process by its internal name and over plain HTTP, which
    ALLOWED_HOSTS and the HTTPS redirect would refuse; the bearer token is
    what guards the metrics (observability.views).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        token, started = self._begin(request)
        try:
            if request.path_info == METRICS_PATH:
                response = metrics(request)
            else:
                response = self.get_response(request)
            self._finish(request, response, started)
        finally:
            unbind_request_id(token)
        return response

    async def _acall(self, request):
        token, started = self._begin(request)
        try:
            if request.path_info == METRICS_PATH:
                # The backlog gauges query the database: not on the event loop.
                response = await sync_to_async(metrics)(request)
            else:
                response = await self.get_response(request)
            self._finish(request, response, started)
        finally:
            unbind_request_id(token)
        return response

    def _begin(self, request):
        request.request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        return bind_request_id(request.request_id), time.perf_counter()

    def _finish(self, request, response, started):
        elapsed = time.perf_counter() - started
        route = route_name(request)
        status = str(response.status_code)
        method = request.method if request.method in KNOWN_METHODS else "other"
        HTTP_REQUESTS.labels(route, method, status).inc()
        HTTP_REQUEST_DURATION.labels(route, status).observe(elapsed)
        response[REQUEST_ID_HEADER] = request.request_id
        logger.info(
            "%s %s %s %.1f ms",
            method,
            route,
            status,
            elapsed * 1000,
            extra={
                "http_method": method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
