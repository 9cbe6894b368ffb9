"""Every Prometheus series Pressroom exports, defined once (prometheus_client).

With PROMETHEUS_MULTIPROC_DIR set (gunicorn workers, Celery's prefork
children) prometheus_client keeps the values in files in that directory and
`scrape_registry()` merges them; otherwise they live in this process.
The README's "Observability" section says what each series means.
"""

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

# Seconds: from a cache hit to a slow LLM answer.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
QUERY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

# HTTP ---------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "pressroom_http_requests",
    "HTTP requests answered, by route name, method and status code.",
    ["route", "method", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "pressroom_http_request_duration_seconds",
    "Time to answer an HTTP request (the whole middleware stack), by route name and status.",
    ["route", "status"],
    buckets=LATENCY_BUCKETS,
)

# Database and cache ---------------------------------------------------------

DB_QUERIES = Counter(
    "pressroom_db_queries",
    "SQL statements executed, by database alias and outcome (ok, error).",
    ["alias", "outcome"],
)
DB_QUERY_DURATION = Histogram(
    "pressroom_db_query_duration_seconds",
    "Time to execute one SQL statement, by database alias.",
    ["alias"],
    buckets=QUERY_BUCKETS,
)
CACHE_OPERATIONS = Counter(
    "pressroom_cache_operations",
    "Cache operations by cache alias, operation (get, set, delete, ...) and result "
    "(hit, miss, ok, error).",
    ["cache", "operation", "result"],
)

# WebSockets -----------------------------------------------------------------

WEBSOCKET_CONNECTIONS_OPEN = Gauge(
    "pressroom_websocket_connections_open",
    "WebSocket connections open now, by consumer.",
    ["consumer"],
    multiprocess_mode="livesum",
)
WEBSOCKET_CONNECTIONS = Counter(
    "pressroom_websocket_connections",
    "WebSocket connections accepted, by consumer.",
    ["consumer"],
)
WEBSOCKET_FRAMES_SENT = Counter(
    "pressroom_websocket_frames_sent",
    "Frames sent to WebSocket clients, by consumer.",
    ["consumer"],
)
WEBSOCKET_FRAMES_RECEIVED = Counter(
    "pressroom_websocket_frames_received",
    "Frames received from WebSocket clients, by consumer.",
    ["consumer"],
)

# Celery ---------------------------------------------------------------------

CELERY_TASKS = Counter(
    "pressroom_celery_tasks",
    "Celery tasks by name and state: queued (sent to the broker), started, "
    "succeeded, failed, retried.",
    ["task", "state"],
)
CELERY_TASK_DURATION = Histogram(
    "pressroom_celery_task_duration_seconds",
    "Run time of a Celery task, by name and final state (succeeded, failed, retried).",
    ["task", "state"],
    buckets=TASK_BUCKETS,
)

# AI and the assistant -------------------------------------------------------

LLM_REQUEST_DURATION = Histogram(
    "pressroom_llm_request_duration_seconds",
    "Time of a language-model call (a stream: until its last chunk), by backend, "
    "operation (complete, stream) and outcome (ok, error).",
    ["backend", "operation", "outcome"],
    buckets=LATENCY_BUCKETS,
)
LLM_TOKENS = Counter(
    "pressroom_llm_tokens",
    "Tokens the language model reported using, by backend and kind (prompt, completion).",
    ["backend", "kind"],
)
LLM_ERRORS = Counter(
    "pressroom_llm_errors",
    "Failed language-model calls, by backend and error code (timeout, unavailable, ...).",
    ["backend", "code"],
)
ASSISTANT_TIME_TO_FIRST_TOKEN = Histogram(
    "pressroom_assistant_time_to_first_token_seconds",
    "From a reader's question arriving to the first answer token sent.",
    buckets=LATENCY_BUCKETS,
)

# Shop -----------------------------------------------------------------------

CHECKOUT_OUTCOMES = Counter(
    "pressroom_checkout_outcomes",
    "Checkout submissions by outcome: placed, duplicate (same idempotency key), "
    "insufficient_stock, rejected (other checkout errors), error.",
    ["outcome"],
)
OVERSELL_GUARD_HITS = Counter(
    "pressroom_oversell_guard_hits",
    "Orders refused because the locked stock row had less than was ordered.",
)


def multiprocess_directory():
    """prometheus_client's multiprocess directory, or "" in single-process mode."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def scrape_registry(*extra_collectors):
    """The registry to expose: this process's metrics, or every process's
    sharing PROMETHEUS_MULTIPROC_DIR, plus `extra_collectors` read at scrape time."""
    if multiprocess_directory():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    elif extra_collectors:
        registry = CollectorRegistry()
        registry.register(_ProcessRegistry())
    else:
        return REGISTRY
    for collector in extra_collectors:
        registry.register(collector)
    return registry


class _ProcessRegistry:
    """The process-wide default registry as one collector of another registry."""

    def collect(self):
        return REGISTRY.collect()

    def describe(self):
        return []
