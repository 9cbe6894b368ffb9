"""Record the demo content's indexing and tagging in the AI outbox, after every
app has seeded. Nothing is embedded here: `seed_demo` returns in seconds and
the serving process's embedded worker (or, with a broker, the Celery workers)
does the work in the background (ai/jobs.py)."""

from ai import jobs
from ai.index_plan import live_public_pages, pages_owing_index
from ai.models import AITag, IndexJob


def finish(stdout):
    """Record an index job for every live public page the index is missing and
    a tag job for every such page that has neither suggestions nor a tag job;
    returns a summary (nothing when all is done or already recorded)."""
    pending_index = set(
        IndexJob.objects.filter(
            kind=IndexJob.Kind.INDEX, status=IndexJob.Status.PENDING
        ).values_list("page_id", flat=True)
    )
    to_index = [page_id for page_id in pages_owing_index().todo if page_id not in pending_index]
    live = live_public_pages()
    untagged = (
        live.exclude(pk__in=AITag.objects.values("page_id"))
        .exclude(pk__in=IndexJob.objects.filter(kind=IndexJob.Kind.TAG).values("page_id"))
        .values_list("pk", "live_revision_id")
    )
    revisions = dict(live.filter(pk__in=to_index).values_list("pk", "live_revision_id"))
    # Index jobs first: they are due first, so search and questions work
    # before the (slower) tag suggestions arrive.
    jobs.record([(page_id, revisions[page_id]) for page_id in to_index], [IndexJob.Kind.INDEX])
    to_tag = list(untagged)
    jobs.record(to_tag, [IndexJob.Kind.TAG])
    parts = []
    if to_index:
        parts.append(f"{len(to_index)} pages to index")
    if to_tag:
        parts.append(f"{len(to_tag)} to tag")
    if parts:
        parts.append("in the background once the server runs")
    return ", ".join(parts)
