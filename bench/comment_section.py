"""Query counts and render times of a post page as its conversation grows.

Run after `make run` has seeded the embedded database (or against any database
with the demo content via DATABASE_URL):

    .venv/bin/python bench/comment_section.py [--repeat 20] [--sizes 0,20,200,2000]

For each size it adds that many threads (each with two replies and likes) to
a demo post inside a transaction that is rolled back at the end, then prints
the steady-state SQL queries and the p50/p95 server time of the page, for an
anonymous visitor and for a signed-in reader.
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

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from blog.models import PostPage  # noqa: E402
from community.models import CommentStatus, Like  # noqa: E402
from community.posting import store_comment  # noqa: E402


def add_threads(post, authors, count):
    for number in range(count):
        top = store_comment(post, authors[number % len(authors)], f"Bench thread {number}")
        for offset in (1, 2):
            store_comment(
                post, authors[(number + offset) % len(authors)], f"Reply {number}.{offset}", top
            )
        Like.objects.bulk_create(
            [Like(user=author, comment=top) for author in authors[: number % 4]],
            ignore_conflicts=True,
        )
    store_comment(post, authors[0], "A pending one", status=CommentStatus.PENDING)


def measure(client, url, repeat):
    client.get(url, HTTP_HOST="127.0.0.1")  # warm the fragment cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    queries = len(captured)  # now: the query log is a bounded deque
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, HTTP_HOST="127.0.0.1")
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
    return queries, statistics.median(timings), p95


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed views per size")
    parser.add_argument("--sizes", default="0,20,200,2000", help="threads to add, comma-separated")
    args = parser.parse_args()
    User = get_user_model()
    authors = list(User.objects.filter(username__in=["ines", "kofi", "mei", "oskar", "reader"]))
    post = PostPage.objects.live().filter(comments_enabled=True).order_by("date").first()
    if post is None or len(authors) < 5:
        sys.exit("No demo content: run `make run` (seed_demo) first.")
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(authors[0])
    print(f"{'threads':>8} {'viewer':10} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8}")
    with transaction.atomic():
        added = 0
        for size in sorted(int(value) for value in args.sizes.split(",")):
            add_threads(post, authors, size - added)
            added = size
            for label, client in (("anonymous", anonymous), ("signed-in", signed_in)):
                queries, p50, p95 = measure(client, post.url, args.repeat)
                print(f"{size:8d} {label:10} {queries:8d} {p50:8.1f} {p95:8.1f}")
        transaction.set_rollback(True)  # leave the demo conversation as it was


if __name__ == "__main__":
    main()
