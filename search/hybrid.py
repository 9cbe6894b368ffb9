"""Hybrid search: Wagtail keyword search fused with semantic (embedding)
search by reciprocal rank fusion.

Keyword search finds exact words; semantic search finds pages that mean the
same thing in other words. Each yields a ranking of pages; a page's fused
score is the sum of 1/(k + rank) over the rankings it appears in (k = 60, the
value from Cormack et al.), which needs no score calibration between the two.
Both sides only ever see live pages without view restrictions; with an empty
AI index the result is simply the keyword ranking.

A ranking is kept per content version and AI index version (popular queries
repeat; each embeds and searches twice), so a publish, an expiry or new
passages are in the next search. A ranking missing its semantic half (the AI
index failed) is never kept. Pages are loaded for the results shown only,
and kept per content version too.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from wagtail.models import Page, get_page_models

from ai.models import Chunk, IndexVersion
from ai.retrieval import best_passage_per_page
from core.content_cache import FRAGMENT_TIMEOUT, cache_key
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
    page_id: int
    score: float
    keyword_rank: int | None = None
    semantic_rank: int | None = None
    passage: Chunk | None = None  # the best-matching passage, for the snippet
    page: Page | None = None  # the specific page, once `with_pages` loaded it


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


def ranked_results(query, type_key=""):
    """SearchResults for live, public pages, best first, without their pages
    (see `with_pages`); kept per content and AI index version."""
    digest = hashlib.sha256(f"{type_key}\n{query}".encode()).hexdigest()
    key = cache_key("search", IndexVersion.current(), digest)
    results = cache.get(key)
    if results is None:
        results, complete = rank(query, type_key)
        if complete:
            cache.set(key, results, FRAGMENT_TIMEOUT)
    return results


def rank(query, type_key=""):
    """(SearchResults best first, whether the semantic half answered)."""
    models = models_for(type_key)
    keyword = keyword_ranking(query, models)
    complete = True
    try:
        semantic = semantic_ranking(query, models)
    except Exception:  # the keyword half must survive any failure of the AI half
        logger.exception("semantic search failed; showing keyword results only")
        semantic, complete = [], False
    semantic_ids = [page_id for page_id, _ in semantic]
    passages = dict(semantic)
    scores = fuse(keyword, semantic_ids)
    visible = set(
        public_pages(Page.objects.live().filter(pk__in=scores)).values_list("pk", flat=True)
    )
    ordered = sorted(visible, key=lambda page_id: (-scores[page_id], page_id))
    results = [
        SearchResult(
            page_id=page_id,
            score=scores[page_id],
            keyword_rank=keyword.index(page_id) + 1 if page_id in keyword else None,
            semantic_rank=semantic_ids.index(page_id) + 1 if page_id in passages else None,
            passage=passages.get(page_id),
        )
        for page_id in ordered
    ]
    return results, complete


def with_pages(results):
    """The results whose page still loads, each with its specific page set;
    pages are kept per content version (any write to a page bumps it)."""
    keys = {result.page_id: cache_key("search-page", result.page_id) for result in results}
    stored = cache.get_many(keys.values())
    pages = {page_id: stored[key] for page_id, key in keys.items() if key in stored}
    missing = [page_id for page_id in keys if page_id not in pages]
    if missing:
        loaded = Page.objects.filter(pk__in=missing).specific().in_bulk()
        cache.set_many({keys[pk]: page for pk, page in loaded.items()}, FRAGMENT_TIMEOUT)
        pages.update(loaded)
    found = []
    for result in results:
        if result.page_id in pages:
            result.page = pages[result.page_id]
            found.append(result)
    return found
