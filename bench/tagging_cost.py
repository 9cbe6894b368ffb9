"""Offline tagging cost: CPU seconds per page and the tags, for a fixed page set.

    .venv/bin/python bench/tagging_cost.py

Starts a throwaway PostgreSQL, loads the demo content without AI work, loads
the embedding model (once per process, not a per-page cost), then runs the
offline keyphrase tagger on the same twelve demo pages and prints, per page,
the CPU time and the tags, then the mean. CPU time (`time.process_time`,
every thread of this process) rather than wall time: the machine's cores are
shared, so wall time measures the neighbours too.
"""

import time
from io import StringIO

from environment import migrated_services

# Posts, an article and products whose tags the issue quotes, and a spread of others.
PAGE_SLUGS = [
    "birdwatching-in-winter-wetlands",
    "keeping-a-sourdough-starter-healthy",
    "mending-knitwear-with-visible-darning",
    "history-of-the-city-tram-network",
    "building-a-raised-garden-bed",
    "watching-the-perseid-meteor-shower",
    "how-public-libraries-are-changing",
    "houseplants-for-low-light-flats",
    "dialling-in-espresso-grind-size",
    "how-cheese-ages-in-a-cave",
    "gooseneck-pour-over-kettle",
    "ceramic-pour-over-dripper",
]


def main():
    with migrated_services(redis=False):
        from django.core.management import call_command
        from wagtail.models import Page

        from ai import tagging
        from ai.embeddings import get_embedder

        call_command("seed_demo", "--without-ai", stdout=StringIO())
        get_embedder().encode(["warm up"])  # loading the model is not a per-page cost
        pages = {page.slug: page for page in Page.objects.filter(slug__in=PAGE_SLUGS).specific()}
        texts = [(slug, pages[slug].title, tagging.page_text(pages[slug])) for slug in PAGE_SLUGS]
        total = 0.0
        for slug, title, text in texts:
            started = time.process_time()
            tags = tagging.keyphrase_tags(title, text)
            spent = time.process_time() - started
            total += spent
            print(f"{spent:6.3f} s  {slug:40}  {', '.join(tags)}")
        print(f"\n{total / len(texts):.3f} s CPU per page (mean of {len(texts)} pages)")


if __name__ == "__main__":
    main()
