"""SQL statement counts and timings, through Django's execute wrappers.

A wrapper is added to each database connection wrapper when it first
connects (the `connection_created` signal), whatever the engine or pool, so
the DATABASES engines stay Django's own.
"""

import time

from observability.metrics import DB_QUERIES, DB_QUERY_DURATION


class QueryMetrics:
    """An execute wrapper counting and timing every statement of one alias."""

    def __init__(self, alias):
        self.alias = alias
        self.queries_ok = DB_QUERIES.labels(alias, "ok")
        self.queries_failed = DB_QUERIES.labels(alias, "error")
        self.duration = DB_QUERY_DURATION.labels(alias)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            result = execute(sql, params, many, context)
        except Exception:
            self.queries_failed.inc()
            raise
        finally:
            self.duration.observe(time.perf_counter() - started)
        self.queries_ok.inc()
        return result


def instrument_connection(sender, connection, **kwargs):
    """connection_created receiver: wrap the connection's statements once."""
    if not any(isinstance(wrapper, QueryMetrics) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(QueryMetrics(connection.alias))
