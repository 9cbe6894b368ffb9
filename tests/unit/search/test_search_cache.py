"""Search rankings are kept per content and AI index version: a repeated
query neither embeds nor searches again, yet a publish, an unpublish or
newly indexed passages show in the very next search, and a ranking that
lost its semantic half to a failing AI index is never kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ai import embeddings, indexing, retrieval
from search.hybrid import ranked_results
from tests.factories import BlogIndexPageFactory, PostPageFactory, paragraph, publish

pytestmark = pytest.mark.django_db


def indexed_post(blog, title, text):
    post = publish(PostPageFactory(parent=blog, title=title, body=[paragraph(text)]))
    indexing.index_page(post.pk)
    return post


def search_html(client, query):
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/search/", {"query": query}).content.decode()
    return html, [query["sql"] for query in queries.captured_queries]


def test_a_repeated_search_is_read_back_and_changes_show_at_once(client):
    blog = BlogIndexPageFactory(slug="blog")
    starter = indexed_post(blog, "Feeding a rye starter", "Feed the starter flour and water.")
    html, first = search_html(client, "rye starter")
    assert "Feeding a rye starter" in html
    assert any("ai_chunk" in sql for sql in first)

    html, again = search_html(client, "rye starter")
    assert "Feeding a rye starter" in html
    assert not any("ai_chunk" in sql for sql in again)  # neither embedded nor searched
    assert len(again) < len(first)

    indexed_post(blog, "A second rye starter", "A rye starter kept in the fridge.")
    html, _ = search_html(client, "rye starter")
    assert "A second rye starter" in html

    starter.unpublish()
    html, _ = search_html(client, "rye starter")
    assert "Feeding a rye starter" not in html
    assert "A second rye starter" in html


def test_a_ranking_without_its_semantic_half_is_not_kept(settings, monkeypatch, tmp_path):
    blog = BlogIndexPageFactory(slug="blog")
    post = indexed_post(blog, "Mending a canvas tent", "Patch canvas with waxed thread.")
    query = "canvas tent mending"
    retrieval.query_vector.cache_clear()
    working_model = settings.EMBEDDING_MODEL
    settings.EMBEDDING_MODEL = str(tmp_path / "no-such-model")
    monkeypatch.setattr(embeddings, "_embedder", None)
    degraded = ranked_results(query)
    assert [(result.page_id, result.semantic_rank) for result in degraded] == [(post.pk, None)]

    settings.EMBEDDING_MODEL = working_model
    monkeypatch.setattr(embeddings, "_embedder", None)
    healed = ranked_results(query)
    assert healed[0].page_id == post.pk
    assert healed[0].semantic_rank == 1
    assert "Patch canvas with waxed thread." in healed[0].passage.text


def test_a_new_query_reads_the_index_version_once_and_knows_the_index_is_not_empty(client):
    blog = BlogIndexPageFactory(slug="blog")
    indexed_post(blog, "Pruning an apple tree", "Prune apple trees in late winter.")
    search_html(client, "apple tree")
    html, queries = search_html(client, "pruning apples in winter")
    assert "Pruning an apple tree" in html
    assert sum("ai_indexversion" in sql for sql in queries) == 1
    assert not any(sql.startswith('SELECT 1 AS "a" FROM "ai_chunk"') for sql in queries)

    indexed_post(blog, "Grafting apple trees", "Graft apple scions in early spring.")
    html, _ = search_html(client, "apple scions")  # a new index version: asked again
    assert "Grafting apple trees" in html
