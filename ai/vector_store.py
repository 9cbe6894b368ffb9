"""Top-k vector search over chunks or page vectors, with one API for both modes.

On PostgreSQL the search runs in SQL against the pgvector column and its HNSW
index (pgvector's `CosineDistance`, i.e. `<=>`; ef_search AI_PG_EF_SEARCH; iterative scans
so filters do not starve the result). Elsewhere a float32 matrix is kept in the process and
searched with NumPy; it reloads when `IndexVersion` changes, which each query
checks with one small query, so a web process sees what a worker wrote.

Privacy is enforced here, at query time, whatever the index holds: only rows
of live pages without view restrictions are ever returned.
"""

import contextlib
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from pgvector.django import CosineDistance

from ai.models import IndexVersion
from core.privacy import on_public_pages

# HNSW parameters. The index is built with m = 24, ef_construction = 128
# (migration 0003, and the vector-search bench); queries read ef_search
# candidates (AI_PG_EF_SEARCH): at 16/64/100 top-5 recall at 100k chunks was
# 0.84, one true neighbour in six missed.
HNSW_M = 24
HNSW_EF_CONSTRUCTION = 128
HNSW_INDEX_OPTIONS = f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"


@dataclass(frozen=True)
class Scope:
    """Where to search: the whole site, one page, or some page types."""

    page_id: int | None = None
    content_type_ids: tuple = ()

    @classmethod
    def site(cls):
        return cls()

    @classmethod
    def page(cls, page_id):
        return cls(page_id=int(page_id))

    @classmethod
    def page_types(cls, content_type_ids):
        return cls(content_type_ids=tuple(sorted(int(pk) for pk in content_type_ids)))

    def filter(self, queryset):
        if self.page_id is not None:
            queryset = queryset.filter(page_id=self.page_id)
        if self.content_type_ids:
            queryset = queryset.filter(content_type_id__in=self.content_type_ids)
        return queryset


@dataclass(frozen=True)
class Hit:
    """One search result: the stored row and its cosine similarity (-1..1)."""

    row: object
    score: float


_row_presence = {}  # model -> (index version, whether it has rows)


def has_rows(model):
    """Whether `model` (Chunk or PageVector) has any row, asked of the database
    once per index version in each process (indexing bumps it)."""
    version = IndexVersion.current()
    known = _row_presence.get(model)
    if known is None or known[0] != version:
        known = (version, model.objects.exists())
        _row_presence[model] = known
    return known[1]


def search(model, vector, k, scope=Scope(), min_score=-1.0):
    """The k rows of `model` (Chunk or PageVector) most similar to `vector`,
    each with a similarity of at least `min_score`; rows come without their
    stored vector."""
    if k <= 0:
        return []
    vector = np.asarray(vector, dtype=np.float32)
    if connection.vendor == "postgresql":
        hits = _search_pgvector(model, vector, k, scope)
        return [hit for hit in hits if hit.score >= min_score]
    return _search_numpy(model, vector, k, scope, min_score)


# PostgreSQL --------------------------------------------------------------------


def pgvector_queryset(model, vector, k, scope=Scope()):
    """The SQL search: `model` rows in `scope` on public pages, nearest first, top k."""
    queryset = scope.filter(on_public_pages(model.objects.all()))
    # CosineDistance binds the query as pgvector's text form, a parameter of
    # unknown type (psycopg's default for str) that PostgreSQL reads as
    # `vector` beside the column: the ORDER BY `embedding <=> %s` that the
    # HNSW index (vector_cosine_ops) serves.
    distance = CosineDistance("embedding", vector)
    # Callers read text and page ids, never the stored vector back.
    queryset = queryset.defer("embedding")
    return queryset.annotate(distance=distance).order_by("distance")[:k]


@contextlib.contextmanager
def pgvector_search_session(scope):
    """A transaction whose settings every pgvector search runs under."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL hnsw.ef_search = %s", [int(settings.AI_PG_EF_SEARCH)])
            # Filters (privacy, scope) are applied after the index scan; an
            # iterative scan keeps reading the graph until k rows pass them.
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            if scope.page_id is None:
                # pgvector's HNSW cost grows with ef_search: from about 200 the
                # planner preferred reading every chunk and sorting (170-230 ms
                # at 100k chunks, against 7 ms through the index). Site-wide and
                # page-type searches always go through the index; one page's
                # few chunks are still read and sorted, which is cheaper there.
                cursor.execute("SET LOCAL enable_sort = off")
        yield


def search_plan(model, vector, k, scope=Scope()):
    """PostgreSQL's EXPLAIN of a search, as it runs (for operators and tests)."""
    with pgvector_search_session(scope):
        return pgvector_queryset(model, np.asarray(vector, dtype=np.float32), k, scope).explain()


def _search_pgvector(model, vector, k, scope):
    queryset = pgvector_queryset(model, vector, k, scope)
    with pgvector_search_session(scope):
        rows = list(queryset)
    hits = [Hit(row, 1.0 - float(row.distance)) for row in rows]
    # relaxed_order may return near-ties slightly out of order.
    return sorted(hits, key=lambda hit: -hit.score)


# NumPy -----------------------------------------------------------------------


@dataclass
class _Matrix:
    version: int
    ids: np.ndarray
    page_ids: np.ndarray
    content_type_ids: np.ndarray
    vectors: np.ndarray


_matrices = {}
_matrix_lock = threading.Lock()


def _load_matrix(model, version):
    rows = list(model.objects.values_list("pk", "page_id", "content_type_id", "embedding"))
    if rows:
        ids, page_ids, content_type_ids, vectors = zip(*rows, strict=True)
        matrix = np.vstack(vectors).astype(np.float32, copy=False)
    else:
        ids = page_ids = content_type_ids = ()
        matrix = np.zeros((0, 1), dtype=np.float32)
    return _Matrix(
        version=version,
        ids=np.asarray(ids, dtype=np.int64),
        page_ids=np.asarray(page_ids, dtype=np.int64),
        content_type_ids=np.asarray(content_type_ids, dtype=np.int64),
        vectors=matrix,
    )


def _matrix(model):
    """The in-process matrix for `model`, reloaded if the index changed."""
    version = IndexVersion.current()
    cached = _matrices.get(model)
    if cached is not None and cached.version == version:
        return cached
    with _matrix_lock:
        cached = _matrices.get(model)
        if cached is None or cached.version != version:
            cached = _load_matrix(model, version)
            _matrices[model] = cached
    return cached


def _search_numpy(model, vector, k, scope, min_score=-1.0):
    matrix = _matrix(model)
    if not len(matrix.ids):
        return []
    mask = np.ones(len(matrix.ids), dtype=bool)
    if scope.page_id is not None:
        mask &= matrix.page_ids == scope.page_id
    if scope.content_type_ids:
        mask &= np.isin(matrix.content_type_ids, scope.content_type_ids)
    candidates = np.flatnonzero(mask)
    if not len(candidates):
        return []
    scores = matrix.vectors[candidates] @ vector
    # Rows under the floor are never returned: do not fetch them.
    passing = scores >= min_score
    candidates, scores = candidates[passing], scores[passing]
    if not len(candidates):
        return []
    # Take extra candidates so rows dropped by the privacy re-check are replaced.
    wanted = min(len(candidates), k * 4 + 16)
    top = np.argpartition(-scores, wanted - 1)[:wanted]
    top = top[np.argsort(-scores[top], kind="stable")]
    ranked = [(int(matrix.ids[candidates[index]]), float(scores[index])) for index in top]
    visible = on_public_pages(model.objects.filter(pk__in=[pk for pk, _ in ranked]))
    visible = visible.defer("embedding")
    rows = {row.pk: row for row in visible}
    hits = [Hit(rows[pk], score) for pk, score in ranked if pk in rows]
    return hits[:k]


def clear_cache():
    """Drop in-process matrices (tests; after bulk changes in this process)."""
    with _matrix_lock:
        _matrices.clear()
    _row_presence.clear()
