"""Vector store, related content and hybrid search on the embedded default."""

import pytest
from django.contrib.contenttypes.models import ContentType

from ai import indexing, vector_store
from ai.embeddings import get_embedder
from ai.models import Chunk, IndexVersion, PageVector
from ai.related import related_pages
from blog.demo import body_blocks, load
from search.hybrid import fuse, ranked_results
from tests.factories import (
    BlogIndexPageFactory,
    PostPageFactory,
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    publish,
)

pytestmark = pytest.mark.django_db

SLUGS = [
    "keeping-a-sourdough-starter-healthy",
    "making-fresh-egg-pasta-by-hand",
    "fixing-a-bicycle-puncture-at-the-roadside",
    "watching-the-perseid-meteor-shower",
    "writing-clean-git-commit-messages",
]


@pytest.fixture
def demo_posts():
    """A few real demo posts, published and indexed."""
    blog = BlogIndexPageFactory(slug="blog")
    entries = {entry["slug"]: entry for entry in load("posts.json")}
    posts = {}
    for slug in SLUGS:
        entry = entries[slug]
        post = publish(
            PostPageFactory(
                parent=blog,
                slug=slug,
                title=entry["title"],
                intro=entry["intro"],
                body=body_blocks(entry["body"]),
            )
        )
        indexing.index_page(post.pk)
        posts[slug] = post
    return posts


def embed(text):
    return get_embedder().encode([text])[0]


def test_paraphrase_finds_the_page_that_shares_no_keyword(demo_posts):
    hits = vector_store.search(Chunk, embed("repairing a flat tyre while out riding"), 3)
    assert hits[0].row.page_id == demo_posts["fixing-a-bicycle-puncture-at-the-roadside"].pk
    assert hits[0].score > 0.4


def test_page_scope_only_searches_that_page(demo_posts):
    pasta = demo_posts["making-fresh-egg-pasta-by-hand"]
    hits = vector_store.search(
        Chunk, embed("shooting stars in August"), 5, vector_store.Scope.page(pasta.pk)
    )
    assert hits and {hit.row.page_id for hit in hits} == {pasta.pk}


def test_page_type_scope(demo_posts):
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory())
    product = publish(
        ProductPageFactory(
            parent=category,
            title="Tyre repair kit",
            short_description="Patches, glue and levers for mending punctures.",
        )
    )
    indexing.index_page(product.pk)
    product_type = ContentType.objects.get_for_model(product)
    hits = vector_store.search(
        Chunk, embed("mending a puncture"), 5, vector_store.Scope.page_types([product_type.pk])
    )
    assert {hit.row.page_id for hit in hits} == {product.pk}


def test_in_process_matrix_reloads_when_another_process_changes_the_index(demo_posts):
    query = embed("repairing a flat tyre while out riding")
    vector_store.search(Chunk, query, 1)  # load the matrix
    bike = demo_posts["fixing-a-bicycle-puncture-at-the-roadside"]
    version = IndexVersion.current()
    # What a worker process would do: change rows and bump the version.
    indexing.unindex_page(bike.pk)
    assert IndexVersion.current() > version
    hits = vector_store.search(Chunk, query, 3)
    assert bike.pk not in {hit.row.page_id for hit in hits}


def test_related_content_is_by_meaning_and_excludes_the_page(demo_posts):
    sourdough = demo_posts["keeping-a-sourdough-starter-healthy"]
    related = related_pages(sourdough, count=2, floor=0.0)
    assert sourdough not in related
    assert related[0].slug == "making-fresh-egg-pasta-by-hand"  # food, not bikes or stars


def test_related_content_respects_the_floor(demo_posts):
    assert related_pages(demo_posts["writing-clean-git-commit-messages"], floor=0.99) == []


def test_related_cards_appear_on_the_post_page(client, settings, demo_posts):
    settings.AI_RELATED_SIMILARITY_FLOOR = 0.1  # five unrelated posts are not a real site
    html = client.get(demo_posts["keeping-a-sourdough-starter-healthy"].url).content.decode()
    section = html.split('id="related-content-heading"', 1)[1]
    assert "Fresh Egg Pasta" in section or "pasta" in section.lower()


def test_hybrid_search_fuses_keyword_and_meaning(client, demo_posts):
    results = ranked_results("flat tyre on a ride")
    assert results[0].page_id == demo_posts["fixing-a-bicycle-puncture-at-the-roadside"].pk
    assert results[0].semantic_rank == 1
    html = client.get("/search/", {"query": "flat tyre on a ride"}).content.decode()
    assert "Fixing a Bicycle Puncture" in html
    assert 'href="/blog/fixing-a-bicycle-puncture-at-the-roadside/' in html


def test_search_results_link_to_the_matching_section(client, demo_posts):
    html = client.get("/search/", {"query": "choosing the right tyre levers"}).content.decode()
    assert 'href="/blog/fixing-a-bicycle-puncture-at-the-roadside/#' in html


def test_search_type_filter(client, demo_posts):
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory())
    publish(ProductPageFactory(parent=category, title="Puncture repair kit"))
    html = client.get("/search/", {"query": "puncture", "type": "products"}).content.decode()
    assert "Puncture repair kit" in html
    assert "Fixing a Bicycle Puncture" not in html


def test_search_works_with_an_empty_index(client):
    blog = BlogIndexPageFactory()
    publish(PostPageFactory(parent=blog, title="Lighthouse keepers"))
    assert not Chunk.objects.exists()
    html = client.get("/search/", {"query": "lighthouse"}).content.decode()
    assert "Lighthouse keepers" in html


def test_reciprocal_rank_fusion():
    scores = fuse([1, 2, 3], [3, 4])
    assert scores[3] == pytest.approx(1 / 63 + 1 / 61)
    assert max(scores, key=scores.get) == 3


def test_reindex_command_is_resumable(demo_posts):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("reindex", "--no-progress", stdout=out)
    # The fixture indexed the posts; the home and blog index pages are left
    # (the tree's root is no site's page), and those with nothing to embed
    # are recorded as done with 0 chunks ...
    assert "7 live public pages: 5 up to date, 2 to index" in out.getvalue()
    out = StringIO()
    call_command("reindex", "--no-progress", stdout=out)
    # ... so they are not "to index" on every run.
    assert "0 to index" in out.getvalue()
    git = demo_posts["writing-clean-git-commit-messages"]
    PageVector.objects.filter(page_id=git.pk).delete()  # as if a run stopped before it
    out = StringIO()
    call_command("reindex", "--no-progress", "--batch-size", "8", stdout=out)
    assert "1 to index" in out.getvalue()
    assert "Indexed 1 pages" in out.getvalue() and "chunks/s" in out.getvalue()
    assert PageVector.objects.filter(page_id=git.pk).exists()


def test_reindex_in_many_small_groups_stores_what_one_group_does(demo_posts):
    from io import StringIO

    from django.core.management import call_command

    posts = Chunk.objects.filter(page_id__in=[post.pk for post in demo_posts.values()])
    before = sorted(posts.values_list("page_id", "position", "text"))
    # One chunk per forward pass: a group every 16 chunks, so several flushes.
    call_command("reindex", "--no-progress", "--force", "--batch-size", "1", stdout=StringIO())
    assert sorted(posts.values_list("page_id", "position", "text")) == before
    assert PageVector.objects.filter(
        page_id__in=[post.pk for post in demo_posts.values()]
    ).count() == len(demo_posts)
