"""Hybrid search: Wagtail keyword search fused with semantic (embedding)
search by reciprocal rank fusion.

Keyword search finds exact words; semantic search finds pages that mean the
same thing in other words. Each yields a ranking of pages; a page's fused
score is the sum of 1/(k + rank) over the rankings it appears in (k = 60, the
value from Cormack et al.), which needs no score calibration between the two.
Both sides only ever see live pages without view restrictions; with an empty
AI index the result is simply the keyword ranking.
"""

import logging
from dataclasses import dataclass

from wagtail.models import Page, get_page_models

from ai.models import Chunk
from ai.retrieval import best_passage_per_page
from core.privacy import public_pages

logger = logging.getLogger(__name__)

RRF_K = 60
CANDIDATES = 50  # depth of each ranking fed into the fusion


def type_filters():
    """Reader-facing type filters, {key: (label, page model)}, from the page
    types that declare `search_filter = ("key", "Label")`."""
    filters = {}
    for model in get_page_models():
        declared = model.__dict__.get("search_filter")
        if declared:
            key, label = declared
            filters[key] = (label, model)
    return filters


@dataclass
class SearchResult:
    page: Page
    score: float
    keyword_rank: int | None = None
    semantic_rank: int | None = None
    passage: Chunk | None = None  # the best-matching passage, for the snippet


def models_for(type_key):
    """Page models for a type filter name ('' for every type)."""
    declared = type_filters().get(type_key)
    return [declared[1]] if declared else []


def keyword_ranking(query, models=(), limit=CANDIDATES):
    """Page ids in Wagtail search order."""
    pages = Page.objects.live().public()
    if models:
        pages = pages.type(*models)
    return [page.pk for page in pages.search(query)[:limit]]


def semantic_ranking(query, models=(), limit=CANDIDATES):
    """(page id, best passage) pairs, most similar first, above the floor."""
    return best_passage_per_page(query, models, limit)


def fuse(*rankings, k=RRF_K):
    """{page id: fused score} from rankings of page ids."""
    scores = {}
    for ranking in rankings:
        for rank, page_id in enumerate(ranking, start=1):
            scores[page_id] = scores.get(page_id, 0.0) + 1.0 / (k + rank)
    return scores


def hybrid_search(query, type_key=""):
    """Live, public pages matching the query, best first."""
    models = models_for(type_key)
    keyword = keyword_ranking(query, models)
    try:
        semantic = semantic_ranking(query, models)
    except Exception:  # the keyword half must survive any failure of the AI half
        logger.exception("semantic search failed; showing keyword results only")
        semantic = []
    semantic_ids = [page_id for page_id, _ in semantic]
    passages = dict(semantic)
    scores = fuse(keyword, semantic_ids)
    ordered = sorted(scores, key=lambda page_id: -scores[page_id])
    pages = public_pages(Page.objects.live().filter(pk__in=ordered)).specific().in_bulk()
    results = []
    for page_id in ordered:
        if page_id not in pages:
            continue
        results.append(
            SearchResult(
                page=pages[page_id],
                score=scores[page_id],
                keyword_rank=keyword.index(page_id) + 1 if page_id in keyword else None,
                semantic_rank=semantic_ids.index(page_id) + 1 if page_id in passages else None,
                passage=passages.get(page_id),
            )
        )
    return results
