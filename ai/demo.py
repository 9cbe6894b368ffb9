"""Index and tag the demo content in one batch, after every app has seeded."""

from io import StringIO

from django.core.management import call_command
from wagtail.models import Page

from ai.models import AITag, PageVector
from ai.tagging import tag_page
from core.privacy import public_pages


def finish(stdout):
    """Embed every live public page that is not indexed yet and suggest tags for
    pages without suggestions; returns a summary (nothing when all is done)."""
    live = public_pages(Page.objects.live()).values_list("pk", "live_revision_id")
    indexed = dict(PageVector.objects.values_list("page_id", "revision_id"))
    missing = [pk for pk, revision in live if indexed.get(pk) != revision]
    if missing:
        call_command("reindex", "--no-progress", stdout=StringIO())
    tagged = set(AITag.objects.values_list("page_id", flat=True).distinct())
    to_tag = [pk for pk in PageVector.objects.values_list("page_id", flat=True) if pk not in tagged]
    for page_id in to_tag:
        tag_page(page_id)
    parts = []
    if missing:
        parts.append(f"indexed {len(missing)} pages")
    if to_tag:
        parts.append(f"tagged {len(to_tag)} pages")
    return ", ".join(parts)
