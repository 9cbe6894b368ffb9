"""The AI pipeline on real services: a publish on PostgreSQL queues work through
Redis, a separate Celery worker embeds the page into pgvector, and site search
(served by Daphne) finds it by meaning alone."""

import threading
import urllib.parse
import urllib.request
import uuid

import numpy as np
from django.db import connection

from ai import indexing, vector_store
from ai.embeddings import get_embedder
from ai.models import AITag, Chunk, PageVector
from home.models import HomePage, StandardPage
from tests.live import wait_until

REPAIR_TEXT = (
    "When a thorn pierces the inner tube, lever the tyre off the rim with two plastic levers. "
    "Pump a little air in and listen for the hiss to find the hole. Roughen the rubber around "
    "it, spread vulcanising solution, wait until it turns matt, then press on a patch firmly."
)


def make_page(title, text, live=False):
    home = HomePage.objects.get()
    page = StandardPage(
        title=title,
        slug=f"p-{uuid.uuid4().hex[:10]}",
        intro="",
        body=[("paragraph", f"<p>{text}</p>")],
        live=live,
    )
    home.add_child(instance=page)
    return page


def test_publish_is_indexed_by_the_worker_into_pgvector_and_found_by_meaning(
    live_db, celery_worker, daphne
):
    title = f"Roadside inner tube repair {uuid.uuid4().hex[:6]}"
    page = make_page(title, REPAIR_TEXT)
    page.save_revision().publish()  # autocommit: the tasks go to Redis at once

    wait_until(
        lambda: Chunk.objects.filter(page_id=page.pk).exists(),
        timeout=120,
        message="the worker to index the page",
    )
    chunk = Chunk.objects.filter(page_id=page.pk).first()
    assert chunk.revision_id == StandardPage.objects.get(pk=page.pk).live_revision_id
    assert "index_page" in celery_worker.proc.log()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_typeof(embedding)::text FROM ai_chunk WHERE id = %s", [chunk.pk])
        assert cursor.fetchone()[0] == "vector"
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'ai_chunk'")
        assert any("hnsw" in row[0] and "vector_cosine_ops" in row[0] for row in cursor.fetchall())

    wait_until(
        lambda: AITag.objects.filter(page_id=page.pk).exists(),
        timeout=60,
        message="the worker to suggest tags",
    )

    # Not one word of the query occurs in the page.
    query = "how to mend a flat bike wheel"
    page_words = set(
        (title + " " + REPAIR_TEXT).lower().replace(",", " ").replace(".", " ").split()
    )
    assert not {"mend", "flat", "bike", "wheel"} & page_words
    url = f"{daphne.url}/search/?{urllib.parse.urlencode({'query': query})}"
    with urllib.request.urlopen(url, timeout=120) as response:
        html = response.read().decode()
    assert title in html


def test_pgvector_search_respects_scope_and_privacy(live_db):
    from wagtail.models import PageViewRestriction

    page = make_page(
        f"Harbour tides {uuid.uuid4().hex[:6]}",
        "The tide turns twice a day in the harbour.",
        live=True,
    )
    page.save_revision().publish()
    indexing.index_page(page.pk)
    query = get_embedder().encode(["when does the water in the port rise and fall"])[0]
    hits = vector_store.search(Chunk, query, 5, vector_store.Scope.page(page.pk))
    assert [hit.row.page_id for hit in hits] == [page.pk]
    assert 0.3 < hits[0].score <= 1.0
    PageViewRestriction.objects.create(page=page, restriction_type="login")
    assert vector_store.search(Chunk, query, 5, vector_store.Scope.page(page.pk)) == []


def test_two_indexers_on_one_page_leave_one_consistent_set(live_db):
    page = make_page(f"Concurrent page {uuid.uuid4().hex[:6]}", REPAIR_TEXT * 6, live=True)
    page.save_revision().publish()
    get_embedder().model()  # load once, before the race
    results, errors = [], []

    def run():
        try:
            results.append(indexing.index_page(page.pk, force=True).outcome)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    positions = list(Chunk.objects.filter(page_id=page.pk).values_list("position", flat=True))
    assert positions == list(range(len(positions))) and positions
    assert PageVector.objects.filter(page_id=page.pk).count() == 1


def test_embedding_field_round_trips_exactly_through_a_pgvector_column(live_db):
    page = make_page(f"Vector round trip {uuid.uuid4().hex[:6]}", "Plain text.", live=True)
    vector = get_embedder().encode(["a vector to store"])[0]
    chunk = Chunk.objects.create(
        page=page,
        content_type=page.content_type,
        position=0,
        text="Plain text.",
        token_count=2,
        embedding=vector,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_typeof(embedding)::text, vector_dims(embedding) FROM ai_chunk WHERE id = %s",
            [chunk.pk],
        )
        assert cursor.fetchone() == ("vector", len(vector))
    loaded = Chunk.objects.get(pk=chunk.pk).embedding
    assert loaded.dtype == np.float32
    assert np.array_equal(loaded, vector)


def test_cosine_distance_query_is_served_by_the_hnsw_index(live_db):
    page = make_page(f"Index plan {uuid.uuid4().hex[:6]}", REPAIR_TEXT, live=True)
    page.save_revision().publish()
    indexing.index_page(page.pk)
    query = get_embedder().encode(["fixing a puncture"])[0]
    queryset = vector_store.pgvector_queryset(Chunk, query, 5)
    sql = str(queryset.query)
    assert '"ai_chunk"."embedding" <=> ' in sql and "::vector" not in sql
    # As searches run: site-wide through the index whatever the planner's
    # estimate (at ef_search 400 it used to read and sort every chunk).
    assert "ai_chunk_embedding_hnsw" in vector_store.search_plan(Chunk, query, 5)
    hits = vector_store.search(Chunk, query, 5)
    assert page.pk in [hit.row.page_id for hit in hits]
    assert hits == sorted(hits, key=lambda hit: -hit.score)
