"""Indexing a page: sections → chunks → embeddings → one consistent set of rows.

`index_page()` is idempotent and safe to run twice at once: it does the slow
work (chunking, embedding) outside any transaction, then takes a row lock on
the page, re-checks that what it embedded is still the live revision, and
replaces the page's chunks and page vector in one transaction. A task for an
older revision than the live one does nothing; a page that is not live or not
public loses its chunks instead.
"""

import enum
import logging
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from wagtail.models import Page

from ai.chunking import Chunker
from ai.embeddings import get_embedder
from ai.indexable import index_sections
from ai.models import Chunk, IndexVersion, PageVector
from core.privacy import public_pages

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    INDEXED = "indexed"
    UNCHANGED = "unchanged"  # this revision is already indexed
    STALE = "stale"  # a newer revision is live; its own task indexes it
    REMOVED = "removed"  # not live or not public: chunks removed
    NOT_INDEXABLE = "not_indexable"  # the page type does not take part


@dataclass
class IndexResult:
    outcome: Outcome
    chunks: int = 0


def is_public_live(page_id):
    """True when the page is live and no view restriction covers it."""
    return public_pages(Page.objects.filter(pk=page_id, live=True)).exists()


def embedding_input(title, draft):
    """What the model reads for a chunk: the page title and heading path give
    each passage its context."""
    heading = " > ".join(draft.heading_path)
    return f"{title}\n{heading}\n{draft.text}" if heading else f"{title}\n{draft.text}"


def build_chunks(page):
    """The ChunkDrafts of a specific page, or None if its type is not indexed."""
    sections = index_sections(page)
    if sections is None:
        return None
    embedder = get_embedder()
    return Chunker(embedder.tokenizer).chunk_sections(sections)


def index_page(page_id, revision_id=None, force=False):
    """Bring the page's chunks and vector in line with its live revision."""
    page = Page.objects.filter(pk=page_id).select_related("live_revision").first()
    if page is None or not is_public_live(page_id):
        return IndexResult(Outcome.REMOVED, unindex_page(page_id))
    live_revision_id = page.live_revision_id
    if revision_id is not None and live_revision_id is not None and revision_id < live_revision_id:
        return IndexResult(Outcome.STALE)
    current = PageVector.objects.filter(page_id=page_id).values_list("revision_id", flat=True)
    if not force and live_revision_id is not None and current.first() == live_revision_id:
        return IndexResult(Outcome.UNCHANGED)

    specific = page.specific
    drafts = build_chunks(specific)
    if drafts is None:
        unindex_page(page_id)
        return IndexResult(Outcome.NOT_INDEXABLE)
    vectors = get_embedder().encode([embedding_input(specific.title, draft) for draft in drafts])
    return write_index(specific, live_revision_id, drafts, vectors, force=force)


def write_index(page, revision_id, drafts, vectors, force=False):
    """Store what was embedded for `revision_id`, unless the page moved on meanwhile."""
    with transaction.atomic():
        # Serialise writers of one page; re-check under the lock, because a
        # newer revision may have gone live (or the page been hidden) while
        # this process was embedding.
        locked = (
            Page.objects.select_for_update()
            .filter(pk=page.pk)
            .values("live", "live_revision_id")
            .first()
        )
        if locked is None or not locked["live"] or not is_public_live(page.pk):
            return IndexResult(Outcome.REMOVED, unindex_page(page.pk))
        if locked["live_revision_id"] != revision_id:
            return IndexResult(Outcome.STALE)
        current = PageVector.objects.filter(page_id=page.pk).values_list("revision_id", flat=True)
        if not force and revision_id is not None and current.first() == revision_id:
            return IndexResult(Outcome.UNCHANGED)
        replace_chunks(page, revision_id, drafts, vectors)
    return IndexResult(Outcome.INDEXED, len(drafts))


def replace_chunks(page, revision_id, drafts, vectors):
    """Swap the page's rows for new ones (call inside a transaction)."""
    content_type_id = page.content_type_id
    Chunk.objects.filter(page_id=page.pk).delete()
    Chunk.objects.bulk_create(
        Chunk(
            page_id=page.pk,
            content_type_id=content_type_id,
            revision_id=revision_id,
            position=draft.position,
            heading_path=list(draft.heading_path),
            anchor=draft.anchor,
            text=draft.text,
            token_count=draft.token_count,
            embedding=vector,
        )
        for draft, vector in zip(drafts, vectors, strict=True)
    )
    if len(drafts):
        mean = vectors.mean(axis=0)
        norm = float(np.linalg.norm(mean)) or 1.0
        PageVector.objects.update_or_create(
            page_id=page.pk,
            defaults={
                "content_type_id": content_type_id,
                "revision_id": revision_id,
                "chunk_count": len(drafts),
                "embedding": (mean / norm).astype(np.float32),
            },
        )
    else:
        PageVector.objects.filter(page_id=page.pk).delete()
    IndexVersion.bump()


def unindex_page(page_id):
    """Remove a page's chunks and vector; returns how many chunks went."""
    with transaction.atomic():
        removed, _ = Chunk.objects.filter(page_id=page_id).delete()
        vectors, _ = PageVector.objects.filter(page_id=page_id).delete()
        if removed or vectors:
            IndexVersion.bump()
    return removed


def subtree_page_ids(page_id):
    """The page and all its descendants (a move or restriction affects them all)."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return [page_id]
    return list(Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True))
