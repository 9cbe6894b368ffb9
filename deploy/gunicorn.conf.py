"""gunicorn for Pressroom's HTTP (the `web` service in docker-compose.yml).

Threads, not processes, carry the concurrency: each worker process holds one
copy of Django and, once a search needs it, of the embedding model, while
its threads share both. Each thread holds at most one database connection
from the process's pool, so set DATABASE_POOL_MAX_SIZE to WEB_THREADS and
keep WEB_WORKERS x WEB_THREADS (plus Daphne's and Celery's connections)
below PostgreSQL's max_connections. A request that finds every thread busy
waits in the listen backlog; one that finds the pool empty waits up to
DATABASE_POOL_TIMEOUT seconds, then gets the 503 page.
"""

import os
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
# A request slower than this is a bug or an outage: the worker is recycled.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so slow leaks never add up.
max_requests = 5000
max_requests_jitter = 500
# Access logs come from the proxy; errors and warnings go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


# Metrics (README, "Observability"): with PROMETHEUS_MULTIPROC_DIR set, each
# worker writes its series to files there and /metrics merges them. Files of
# an earlier run are removed at start; a worker that exits stops counting in
# the live gauges.
def on_starting(server):
    """Start from an empty metrics directory."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        for path in Path(directory).glob("*.db"):
            path.unlink(missing_ok=True)


def child_exit(server, worker):
    """A worker process ended: drop it from the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
