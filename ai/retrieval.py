"""Search by meaning over the AI index: the one retrieval service.

The assistant asks for passages (site-wide or within one page); site search
asks for the best passage of each page, optionally of some page types. Both
go through `matching_chunks()`, which embeds the query once and searches the
vector store, where privacy is checked again at query time: only chunks of
live, public, unexpired pages ever come back, whatever the index holds.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page

from ai import vector_store
from ai.embeddings import get_embedder
from ai.llm import Passage
from ai.models import Chunk
from ai.vector_store import Scope


def scope_for(page=None, page_models=()):
    """The vector-store scope: one page, some page types, or the whole site."""
    if page is not None:
        return Scope.page(page.pk)
    if page_models:
        content_types = ContentType.objects.get_for_models(*page_models, for_concrete_models=False)
        return Scope.page_types(ct.pk for ct in content_types.values())
    return Scope.site()


def matching_chunks(query, scope, k, floor):
    """The k chunks of live, public pages closest in meaning to `query` within
    `scope`, best first, each with a similarity of at least `floor`
    (vector_store.Hit rows). An empty index answers [] without loading the
    embedding model."""
    if not vector_store.has_rows(Chunk):
        return []
    return vector_store.search(Chunk, query_vector(query), k, scope, min_score=floor)


@functools.lru_cache(maxsize=2048)
def query_vector(query):
    """The (read-only) embedding of a query, kept per process: readers repeat
    queries, and the model is fixed for the life of the process."""
    vector = get_embedder().encode_query(query)
    vector.flags.writeable = False
    return vector


# The assistant ------------------------------------------------------------------


@dataclass
class Retrieval:
    passages: list
    question_for_ranking: str  # what the offline backend ranks sentences against

    @property
    def found(self):
        return bool(self.passages)


def retrieve(question, page=None):
    """Passages for the question, best first; empty when nothing clears the floor.

    In page scope the question is read in the page's context ("what is this
    about?" means this page), with a lower floor: the reader chose the page.
    """
    if page is not None:
        query = f"{question} ({page.title})"
        k, floor = settings.CHAT_PAGE_TOP_K, settings.CHAT_PAGE_SIMILARITY_FLOOR
    else:
        query = question
        k, floor = settings.CHAT_SITE_TOP_K, settings.CHAT_SIMILARITY_FLOOR
    hits = matching_chunks(query, scope_for(page), k, floor)
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


# Site search ----------------------------------------------------------------------


SHORT_QUERY_WORDS = 3  # up to this many words a query is a keyword query


def best_passage_per_page(query, page_models=(), limit=50):
    """[(page id, its best-matching Chunk)], most similar first, for at most
    `limit` pages of the given types (every type when none), each above
    AI_SEARCH_SIMILARITY_FLOOR and, for a short keyword query, within
    AI_SEARCH_RELATIVE_MARGIN of the best page's similarity."""
    hits = matching_chunks(
        query, scope_for(page_models=page_models), limit * 3, settings.AI_SEARCH_SIMILARITY_FLOOR
    )
    floor = None
    if hits and len(query.split()) <= SHORT_QUERY_WORDS:
        # "sourdough" is about one thing: pages far less similar than the best
        # one (cheese, hot sauce) are neighbours of the topic, not matches.
        floor = hits[0].score - settings.AI_SEARCH_RELATIVE_MARGIN
    best = {}
    for hit in hits:
        if floor is not None and hit.score < floor:
            break
        best.setdefault(hit.row.page_id, hit.row)
    return list(best.items())[:limit]
