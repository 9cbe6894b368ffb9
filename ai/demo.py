"""Index and tag the demo content in one batch, after every app has seeded."""

from io import StringIO

from django.core.management import call_command

from ai import jobs
from ai.index_plan import pages_owing_index
from ai.models import AITag, IndexJob, PageVector
from ai.tagging import tag_live_revision


def finish(stdout):
    """Embed every live public page that is not indexed yet and suggest tags for
    pages without suggestions; returns a summary (nothing when all is done).
    Both are recorded as done jobs, so a server starting next finds no work."""
    missing = pages_owing_index().todo
    if missing:
        call_command("reindex", "--no-progress", stdout=StringIO())
    tagged = set(AITag.objects.values_list("page_id", flat=True).distinct())
    to_tag = list(
        PageVector.objects.exclude(page_id__in=tagged).values_list("page_id", "revision_id")
    )
    for page_id, revision_id in to_tag:
        result = tag_live_revision(page_id)
        jobs.record_done(
            page_id,
            IndexJob.Kind.TAG,
            revision_id,
            result.source or "nothing",
            None,
            result.provider_error,
        )
    parts = []
    if missing:
        parts.append(f"indexed {len(missing)} pages")
    if to_tag:
        parts.append(f"tagged {len(to_tag)} pages")
    return ", ".join(parts)
