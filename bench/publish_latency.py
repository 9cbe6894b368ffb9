"""Publish latency in the admin with and without the AI hooks, production-style.

    .venv/bin/python bench/publish_latency.py [--publishes 30]

Starts PostgreSQL with pgvector, Redis and a real Celery worker, then publishes
the same post through the Wagtail admin's edit view (the editor's POST, in
process) with AI_INDEX_ON_PUBLISH off and on. With it on, each publish queues
index_page and tag_page on Redis and the worker embeds in the background, as in
production. Prints p50/p95 of the publish request and the difference.
"""

import argparse
import time

from environment import percentiles, setup_django, start_services, stop_services


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publishes", type=int, default=30)
    args = parser.parse_args()
    services = start_services()
    worker = None
    try:
        setup_django()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from ai.models import Chunk
        from blog.models import BlogIndexPage, PostPage
        from home.models import HomePage
        from tests import servers
        from tests.admin_forms import post_form_data
        from tests.factories import UserFactory

        call_command("migrate", verbosity=0)
        worker = servers.CeleryWorker()
        home = HomePage.objects.get()
        blog = home.add_child(instance=BlogIndexPage(title="Bench blog", slug="bench-blog"))
        editor = UserFactory(username="bench-editor", groups=["Editors"])
        client = Client()
        client.force_login(editor)
        add_url = reverse("wagtailadmin_pages:add", args=("blog", "postpage", blog.pk))
        client.post(add_url, post_form_data("Bench post", "bench-post", "publish"))
        post = PostPage.objects.get(slug="bench-post")
        edit_url = reverse("wagtailadmin_pages:edit", args=(post.pk,))

        def publish_many(label, hooks_on):
            settings.AI_INDEX_ON_PUBLISH = hooks_on
            samples = []
            for number in range(args.publishes):
                data = post_form_data(f"Bench post {label} {number}", "bench-post", "publish")
                started = time.perf_counter()
                response = client.post(edit_url, data)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 302, response.status_code
            return samples

        publish_many("warm-up", False)
        without = publish_many("off", False)
        with_hooks = publish_many("on", True)
        deadline = time.monotonic() + 120
        while not Chunk.objects.filter(page_id=post.pk).exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        indexed = Chunk.objects.filter(page_id=post.pk).exists()
        for label, samples in (("AI hooks off", without), ("AI hooks on", with_hooks)):
            p50, p95, _ = percentiles(samples)
            print(f"{label:13} publish request p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        added = percentiles(with_hooks)[0] - percentiles(without)[0]
        print(f"added by the AI hooks (p50): {added:+.1f} ms (target <= 20 ms)")
        print(f"worker indexed the post: {indexed}")
    finally:
        if worker is not None:
            worker.stop()
        stop_services(services)


if __name__ == "__main__":
    main()
