"""Query counts and render times of the main public pages, on the demo content.

Run after `make run` has seeded the embedded database (or against any database
with the demo content via DATABASE_URL):

    .venv/bin/python bench/page_views.py [--repeat 20]

Prints, per page type, the SQL queries of a cold view (fragment cache empty),
of a steady-state view, and the p50/p95 server render time of steady views.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from blog.models import ArticleIndexPage, ArticlePage, BlogIndexPage, PostPage  # noqa: E402
from shop.models import ProductCategoryPage, ProductPage, ShopIndexPage  # noqa: E402


def sample_urls():
    pages = {
        "home": "/",
        "blog index": BlogIndexPage.objects.live().first(),
        "post": PostPage.objects.live().order_by("-date").first(),
        "article index": ArticleIndexPage.objects.live().first(),
        "article": ArticlePage.objects.live().filter(related_links__isnull=False).first(),
        "shop index": ShopIndexPage.objects.live().first(),
        "product category": ProductCategoryPage.objects.live().first(),
        "product": ProductPage.objects.live().first(),
        "search": "/search/?query=bread",
    }
    missing = [name for name, page in pages.items() if page is None]
    if missing:
        sys.exit(f"No demo content for {missing}: run `make run` (seed_demo) first.")
    return {name: page if isinstance(page, str) else page.url for name, page in pages.items()}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed views per page")
    args = parser.parse_args()
    client = Client()
    print(f"{'page':18} {'cold q':>7} {'steady q':>9} {'p50 ms':>8} {'p95 ms':>8}  url")
    for name, url in sample_urls().items():
        client.get(url, HTTP_HOST="127.0.0.1")  # renditions exist from here on
        cache.clear()
        cold = count_queries(client, url)
        steady = count_queries(client, url)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url, HTTP_HOST="127.0.0.1")
            timings.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
        print(
            f"{name:18} {cold:7d} {steady:9d} {statistics.median(timings):8.1f} {p95:8.1f}  {url}"
        )


if __name__ == "__main__":
    main()
