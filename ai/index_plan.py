"""Which pages the index is missing: what `reindex` and the demo loader do."""

from dataclasses import dataclass, field

from wagtail.models import Page

from ai.indexing import Outcome
from ai.models import IndexJob, PageVector
from core.privacy import public_pages

# Outcomes that leave a page correctly indexed with no chunks at all.
EMPTY_OUTCOMES = (Outcome.INDEXED.value, Outcome.UNCHANGED.value, Outcome.NOT_INDEXABLE.value)


@dataclass
class IndexPlan:
    """Live public pages (`total`), those to (re)index in tree order
    (`todo`), and indexed pages that are no longer live and public (`gone`)."""

    total: int
    todo: list = field(default_factory=list)
    gone: list = field(default_factory=list)

    def iter_pages(self):
        """(page id, specific page or None if it vanished) for each page to index."""
        for page_id in self.todo:
            page = Page.objects.filter(pk=page_id).first()
            yield page_id, (page.specific if page is not None else None)


def live_public_pages():
    """Live, public pages of the sites, in tree order (the tree's root, which
    no site serves, is not one)."""
    return public_pages(Page.objects.live()).filter(depth__gt=1).order_by("path")


def pages_owing_index(force=False):
    """The plan for bringing the index in line with the live public pages.

    A page is up to date when its page vector is at its live revision, or,
    for a page with nothing to embed (no vector), when its index job is done
    at that revision with no chunks.
    """
    live = dict(live_public_pages().values_list("pk", "live_revision_id"))
    vectors = dict(PageVector.objects.values_list("page_id", "revision_id"))
    empty = dict(
        IndexJob.objects.filter(
            kind=IndexJob.Kind.INDEX,
            status=IndexJob.Status.DONE,
            chunks=0,
            outcome__in=EMPTY_OUTCOMES,
        ).values_list("page_id", "revision_id")
    )

    def up_to_date(page_id, revision_id):
        if page_id in vectors:
            return vectors[page_id] == revision_id
        return page_id in empty and empty[page_id] == revision_id

    todo = [
        page_id
        for page_id, revision_id in live.items()
        if force or not up_to_date(page_id, revision_id)
    ]
    gone = [page_id for page_id in vectors if page_id not in live]
    return IndexPlan(total=len(live), todo=todo, gone=gone)
