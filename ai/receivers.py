"""Signal receivers linking content changes to the AI outbox (ai/jobs.py).

Each receiver records what the AI index owes the page in the transaction
that changed it (one upsert) and leaves the sending to the dispatcher, after
the commit: nothing is owed if the change rolls back, and the change itself
only pays for that one write.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from ai import jobs
from ai.models import IndexJob, IndexVersion
from core.after_commit import after_commit
from core.switches import bulk_load

INDEX_AND_TAGS = (IndexJob.Kind.INDEX, IndexJob.Kind.TAG)
INDEX_ONLY = (IndexJob.Kind.INDEX,)


def active():
    """Whether content changes should record AI work right now: not during a
    bulk load (seed_demo indexes everything in one batch afterwards)."""
    return settings.AI_INDEX_ON_PUBLISH and not bulk_load.is_suspended()


def on_published(sender, instance, revision=None, **kwargs):
    if not active():
        return
    revision_id = revision.pk if revision is not None else instance.live_revision_id
    jobs.record([(instance.pk, revision_id)], INDEX_AND_TAGS)


def on_unpublished(sender, instance, **kwargs):
    if not active():
        return
    # Wagtail also unpublishes a page in memory only (commit=False) just
    # before deleting it; its chunks and jobs go with the row, and a job
    # written now would point at a deleted page.
    if Page.objects.filter(pk=instance.pk, live=True).exists():
        return
    jobs.record([(instance.pk, None)], INDEX_ONLY)


def on_moved(sender, instance, **kwargs):
    # A move can put the page under (or out of) a view restriction.
    if not active():
        return
    jobs.record_subtree(instance.pk)


def deleted_along_with_something_else(origin):
    """Whether a post_delete's `origin` is another model's deletion (a
    restriction deleted because its page is)."""
    if origin is None:
        return False
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return not issubclass(model, PageViewRestriction)


def on_restriction_changed(sender, instance, origin=None, **kwargs):
    # No publish happens when a restriction is added or removed.
    if not active() or deleted_along_with_something_else(origin):
        return
    jobs.record_subtree(instance.page_id)


def on_page_deleted(sender, instance, **kwargs):
    # Chunks, vectors and jobs went with the page (foreign key cascade); tell
    # in-process indexes to reload.
    if isinstance(instance, Page):
        after_commit(IndexVersion.bump)


def connect():
    """Wire the receivers (called from AiConfig.ready)."""
    page_published.connect(on_published, dispatch_uid="ai.on_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="ai.on_unpublished")
    post_page_move.connect(on_moved, dispatch_uid="ai.on_moved")
    post_save.connect(
        on_restriction_changed, sender=PageViewRestriction, dispatch_uid="ai.restriction_saved"
    )
    post_delete.connect(
        on_restriction_changed, sender=PageViewRestriction, dispatch_uid="ai.restriction_deleted"
    )
    post_delete.connect(on_page_deleted, dispatch_uid="ai.page_deleted")
