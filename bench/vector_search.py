"""Vector search latency: top-5 at 10k and 100k chunks, pgvector and NumPy.

    .venv/bin/python bench/vector_search.py [--sizes 10000 100000] [--queries 200]
        [--ef-search 40 100 200 400]

Starts a throwaway PostgreSQL with pgvector, fills `ai_chunk` with clustered
random unit vectors (384 dimensions, like real text embeddings), and times
`ai.vector_store.search(Chunk, query, 5)` through the real code path: the
pgvector HNSW query with the privacy filter, and the in-process NumPy store
(matrix already loaded) with its privacy re-check. Also reports HNSW recall
against the exact NumPy answer. With --ef-search, pgvector runs once per
value (AI_PG_EF_SEARCH otherwise), to show the recall/latency trade-off.
"""

import argparse
import io
import time

import numpy as np
from environment import migrated_services, percentiles

DIMENSIONS = 384
PAGES = 200


def clustered_vectors(count, rng, clusters=300):
    centres = rng.standard_normal((clusters, DIMENSIONS)).astype(np.float32)
    labels = rng.integers(0, clusters, count)
    vectors = centres[labels] + 0.35 * rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def bench_pages():
    """PAGES live pages for the chunks to belong to: (page ids, their content type id)."""
    from django.contrib.contenttypes.models import ContentType

    from home.models import HomePage, StandardPage

    home = HomePage.objects.get()
    page_ids = [
        home.add_child(instance=StandardPage(title=f"Bench page {n}", slug=f"bench-{n}")).pk
        for n in range(PAGES)
    ]
    return page_ids, ContentType.objects.get_for_model(StandardPage).pk


def fill(count, rng, page_ids, content_type_id):
    from django.db import connection

    from ai.models import Chunk, IndexVersion
    from ai.vector_store import HNSW_INDEX_OPTIONS

    Chunk.objects.all().delete()
    vectors = clustered_vectors(count, rng)
    buffer = io.StringIO()
    for index, vector in enumerate(vectors):
        page_id = page_ids[index % len(page_ids)]
        position = index // len(page_ids)
        literal = "[" + ",".join(f"{value:.6f}" for value in vector) + "]"
        buffer.write(
            f"{page_id}\t{content_type_id}\t{position}\t[]\t\tchunk {index}\t200\t{literal}\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        # Bulk load, then build the HNSW index once (much faster than per row).
        cursor.execute("DROP INDEX IF EXISTS ai_chunk_embedding_hnsw")
        with cursor.copy(
            "COPY ai_chunk (page_id, content_type_id, position, heading_path, anchor, text, "
            "token_count, embedding) FROM STDIN"
        ) as copy:
            copy.write(buffer.read())
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "CREATE INDEX ai_chunk_embedding_hnsw ON ai_chunk "
            f"USING hnsw (embedding vector_cosine_ops) {HNSW_INDEX_OPTIONS}"
        )
        cursor.execute("ANALYZE ai_chunk")
    IndexVersion.bump()
    return vectors


def time_search(search, queries, k=5):
    samples, results = [], []
    for query in queries:
        started = time.perf_counter()
        hits = search(query, k)
        samples.append((time.perf_counter() - started) * 1000)
        results.append([hit.row.pk for hit in hits])
    return samples, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ef-search", type=int, nargs="*", default=[])
    args = parser.parse_args()
    with migrated_services(redis=False):
        from django.conf import settings

        from ai import vector_store
        from ai.models import Chunk

        page_ids, content_type_id = bench_pages()
        rng = np.random.default_rng(42)
        print(
            f"{'store':12} {'chunks':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'recall@5':>9}"
        )
        for size in args.sizes:
            vectors = fill(size, rng, page_ids, content_type_id)
            queries = vectors[rng.integers(0, size, args.queries)] + 0.05 * rng.standard_normal(
                (args.queries, DIMENSIONS)
            ).astype(np.float32)
            queries /= np.linalg.norm(queries, axis=1, keepdims=True)

            vector_store.clear_cache()
            vector_store._search_numpy(Chunk, queries[0], 5, vector_store.Scope())  # load matrix
            numpy_ms, exact = time_search(
                lambda q, k: vector_store._search_numpy(Chunk, q, k, vector_store.Scope()), queries
            )
            rows = [("numpy", numpy_ms, "exact")]
            for ef_search in args.ef_search or [settings.AI_PG_EF_SEARCH]:
                settings.AI_PG_EF_SEARCH = ef_search
                time_search(lambda q, k: vector_store.search(Chunk, q, k), queries[:20])  # warm
                pg_ms, approximate = time_search(
                    lambda q, k: vector_store.search(Chunk, q, k), queries
                )
                recall = np.mean(
                    [len(set(a) & set(e)) / len(e) for a, e in zip(approximate, exact, strict=True)]
                )
                rows.append((f"pg ef={ef_search}", pg_ms, f"{recall:.3f}"))
            for name, samples, shown_recall in rows:
                p50, p95, p99 = percentiles(samples)
                print(f"{name:12} {size:8d} {p50:8.2f} {p95:8.2f} {p99:8.2f} {shown_recall:>9}")


if __name__ == "__main__":
    main()
