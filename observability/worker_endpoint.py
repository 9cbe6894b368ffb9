"""The Celery worker's /metrics: a small HTTP server in the worker's main
process (prometheus_client's WSGI app behind the same bearer token as the
web's /metrics), merging its prefork children through PROMETHEUS_MULTIPROC_DIR."""

import logging
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from observability.access import token_accepted
from observability.metrics import multiprocess_directory, scrape_registry

logger = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        """No access log: scrapes every few seconds are noise."""


def metrics_app(token):
    """A WSGI app: the exposition for the right bearer token, 401 otherwise,
    404 when `token` is empty (metrics off)."""
    exposition = make_wsgi_app(scrape_registry())

    def app(environ, start_response):
        if not token or environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found.\n"]
        if not token_accepted(environ.get("HTTP_AUTHORIZATION"), token):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')],
            )
            return [b"A bearer token is required.\n"]
        return exposition(environ, start_response)

    return app


# Prometheus scrapes from another container; the bearer token guards it.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104


def serve_worker_metrics(port, token, address=ALL_INTERFACES):
    """Start the endpoint on a daemon thread; returns the server."""
    if not multiprocess_directory():
        logger.warning(
            "WORKER_METRICS_PORT is set without PROMETHEUS_MULTIPROC_DIR: "
            "tasks run in prefork children are not counted"
        )
    server = make_server(
        address, port, metrics_app(token), ThreadingWSGIServer, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    logger.info("worker metrics on port %s", port)
    return server
