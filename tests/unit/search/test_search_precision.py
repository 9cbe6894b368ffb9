"""Search precision: for a short keyword query, semantic matches must be
within a margin of the best match, so "sourdough" is not padded with other
food pages that merely sit near it in meaning."""

import pytest

from ai import indexing
from ai.retrieval import best_passage_per_page
from blog.demo import body_blocks, load
from search.hybrid import ranked_results
from tests.factories import BlogIndexPageFactory, PostPageFactory, publish

pytestmark = pytest.mark.django_db

FOOD_SLUGS = [
    "keeping-a-sourdough-starter-healthy",
    "fermenting-your-own-hot-sauce",
    "making-fresh-egg-pasta-by-hand",
    "brewing-kombucha-safely-at-home",
    "seasoning-a-cast-iron-pan",
]


@pytest.fixture
def food_posts():
    blog = BlogIndexPageFactory(slug="blog")
    entries = {entry["slug"]: entry for entry in load("posts.json")}
    posts = {}
    for slug in FOOD_SLUGS:
        entry = entries[slug]
        post = publish(
            PostPageFactory(
                parent=blog,
                title=entry["title"],
                slug=slug,
                intro=entry["intro"],
                body=body_blocks(entry["body"]),
            )
        )
        indexing.index_page(post.pk)
        posts[slug] = post
    return posts


def test_sourdough_is_not_padded_with_weak_semantic_matches(client, food_posts, settings):
    settings.AI_SEARCH_RELATIVE_MARGIN = 0.15
    sourdough = food_posts["keeping-a-sourdough-starter-healthy"]
    results = ranked_results("sourdough")
    assert results[0].page_id == sourdough.pk
    found = {result.page_id for result in results}
    for slug in ("fermenting-your-own-hot-sauce", "making-fresh-egg-pasta-by-hand"):
        assert food_posts[slug].pk not in found, slug
    html = client.get("/search/", {"query": "sourdough"}).content.decode()
    assert sourdough.title in html
    assert food_posts["making-fresh-egg-pasta-by-hand"].title not in html


def test_without_the_margin_the_same_query_finds_the_weak_neighbours(food_posts, settings):
    # The fixture does have weak semantic neighbours: the margin is what removes them.
    settings.AI_SEARCH_RELATIVE_MARGIN = 1.0
    assert len(best_passage_per_page("sourdough")) > 1


def test_longer_questions_keep_every_match_above_the_floor(food_posts, settings):
    settings.AI_SEARCH_RELATIVE_MARGIN = 0.0
    pages = best_passage_per_page("how do I keep fermented foods safe at home")
    assert len(pages) >= 2
