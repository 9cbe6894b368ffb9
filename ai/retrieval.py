"""Retrieval for the assistant: the passages of live, public pages that best
match a question, site-wide or within one page."""

from dataclasses import dataclass

from django.conf import settings
from wagtail.models import Page

from ai import vector_store
from ai.embeddings import get_embedder
from ai.llm import Passage
from ai.models import Chunk
from core.privacy import public_pages


@dataclass
class Retrieval:
    passages: list
    question_for_ranking: str  # what the offline backend ranks sentences against

    @property
    def found(self):
        return bool(self.passages)


def visible_page(page_id):
    """The live, public page with this id, or None."""
    return public_pages(Page.objects.live().filter(pk=page_id)).first()


def retrieve(question, page=None):
    """Passages for the question, best first; empty when nothing clears the floor.

    In page scope the question is read in the page's context ("what is this
    about?" means this page), with a lower floor: the reader chose the page.
    """
    if page is not None:
        query = f"{question} ({page.title})"
        scope = vector_store.Scope.page(page.pk)
        k, floor = settings.CHAT_PAGE_TOP_K, settings.CHAT_PAGE_SIMILARITY_FLOOR
    else:
        query = question
        scope = vector_store.Scope.site()
        k, floor = settings.CHAT_SITE_TOP_K, settings.CHAT_SIMILARITY_FLOOR
    vector = get_embedder().encode([query])[0]
    hits = [hit for hit in vector_store.search(Chunk, vector, k, scope) if hit.score >= floor]
    if not hits:
        return Retrieval([], query)
    pages = Page.objects.filter(pk__in={hit.row.page_id for hit in hits}).in_bulk()
    passages = []
    for number, hit in enumerate(hits, start=1):
        source_page = pages.get(hit.row.page_id)
        if source_page is None:
            continue
        heading = " > ".join(hit.row.heading_path)
        passages.append(
            Passage(
                number=number,
                title=f"{source_page.title} — {heading}" if heading else source_page.title,
                text=hit.row.text,
                url=source_page.url or "",
                anchor=hit.row.anchor,
                score=round(hit.score, 4),
            )
        )
    return Retrieval(passages, query)


def source_items(passages):
    """The `sources` frame items for passages."""
    return [
        {
            "number": passage.number,
            "title": passage.title,
            "url": passage.url,
            "anchor": passage.anchor,
            "score": passage.score,
        }
        for passage in passages
    ]
