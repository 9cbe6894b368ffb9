"""What observability costs per request: Django's test client in process,
the same requests with the observability layer off and on.

    .venv/bin/python bench/observability_overhead.py [--requests 2000] [--rounds 5]

"off": no ObservabilityMiddleware, plain cache backends, no SQL wrapper.
"metrics": all of them on (request id, HTTP/SQL/cache series), log level WARNING.
"metrics + JSON log": the same plus the per-request INFO line rendered as JSON
(to /dev/null), as production logs it.
Rounds alternate the configurations, so drift hits all of them alike; the
figures are medians of per-round means. Embedded SQLite, no services.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["PRESSROOM_VAR_DIR"] = tempfile.mkdtemp(prefix="pressroom-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from observability.database import QueryMetrics  # noqa: E402
from observability.logs import JsonLogFormatter, RedactingFilter  # noqa: E402
from observability.request_ids import RequestIdLogFilter  # noqa: E402

MIDDLEWARE = "observability.middleware.ObservabilityMiddleware"
PLAIN_CACHES = {
    alias: {**config, "BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    for alias, config in settings.CACHES.items()
}
URLS = {"/healthz (no SQL)": "/healthz", "page lookup, 404 (SQL + template)": "/no-such-page/"}


def configuration(name):
    """override_settings for one configuration, plus its SQL wrapper state."""
    if name == "off":
        return override_settings(
            MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != MIDDLEWARE], CACHES=PLAIN_CACHES
        )
    return override_settings()


def set_query_metrics(on):
    connection.ensure_connection()
    wrappers = [w for w in connection.execute_wrappers if not isinstance(w, QueryMetrics)]
    if on:
        wrappers.append(QueryMetrics(connection.alias))
    connection.execute_wrappers[:] = wrappers


def json_access_log(on):
    """Render pressroom.requests INFO lines as JSON into a sink, or silence them."""
    logger = logging.getLogger("pressroom.requests")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.propagate = not on
    if on:
        handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
        handler.setFormatter(JsonLogFormatter())
        handler.addFilter(RequestIdLogFilter())
        handler.addFilter(RedactingFilter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    else:
        logger.setLevel(logging.NOTSET)


def mean_ms(url, requests):
    client = Client()
    client.get(url)  # load the middleware chain, warm caches
    started = time.perf_counter()
    for _ in range(requests):
        client.get(url)
    return (time.perf_counter() - started) / requests * 1000


def per_call_us(call, repeat=20000):
    """Mean microseconds of `call()` over `repeat` calls (best of three runs)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        best = min(best, (time.perf_counter() - started) / repeat * 1e6)
    return best


def component_costs():
    """The layer's pieces alone, without the rest of Django around them."""
    from django.core.cache.backends.locmem import LocMemCache
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from observability.cache import MeteredLocMemCache
    from observability.middleware import ObservabilityMiddleware

    request = RequestFactory().get("/healthz")
    request.resolver_match = resolve("/healthz")
    response = HttpResponse("ok")
    middleware = ObservabilityMiddleware(lambda request: response)
    bare = per_call_us(lambda: response)
    print("\ncomponents (best of 3 x 20,000 calls)")
    for label, log_on in (("access line filtered", False), ("JSON access line", True)):
        json_access_log(log_on)
        cost = per_call_us(lambda: middleware(request)) - bare
        print(f"  middleware, {label:<21} {cost:.1f} µs")
    json_access_log(False)
    wrapper = QueryMetrics("default")
    execute = lambda sql, params, many, context: None  # noqa: E731
    print(
        "  SQL wrapper per statement         "
        f"{per_call_us(lambda: wrapper(execute, '', (), False, {})) - bare:.1f} µs"
    )
    plain, metered = LocMemCache("bench", {}), MeteredLocMemCache("bench-m", {})
    plain.set("k", 1)
    metered.set("k", 1)
    cost = per_call_us(lambda: metered.get("k")) - per_call_us(lambda: plain.get("k"))
    print(f"  cache get (hit)                   {cost:.1f} µs")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 warnings
    names = ("off", "metrics", "metrics + JSON log")
    results = {(url, name): [] for url in URLS.values() for name in names}
    for round_index in range(arguments.rounds):
        shift = round_index % len(names)  # each configuration goes first in turn
        for name in names[shift:] + names[:shift]:
            with configuration(name):
                set_query_metrics(name != "off")
                json_access_log(name == "metrics + JSON log")
                for url in URLS.values():
                    results[url, name].append(mean_ms(url, arguments.requests))
    component_costs()
    print(f"\n{arguments.requests} requests x {arguments.rounds} rounds per cell, in process")
    for label, url in URLS.items():
        off = statistics.median(results[url, "off"])
        print(f"\n{label}")
        for name in names:
            value = statistics.median(results[url, name])
            extra = ""
            if name != "off":
                extra = f"  ({(value - off) * 1000:+.0f} µs, {value / off - 1:+.1%})"
            print(f"  {name:<20} {value:.3f} ms/request{extra}")


if __name__ == "__main__":
    main()
