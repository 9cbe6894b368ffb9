"""Signal receivers linking content changes to the AI tasks.

Every task is queued with delay_on_commit: nothing is sent if the publish
rolls back, and the publish itself only pays for putting a message on the
broker (or, in the embedded mode, runs the tasks after its commit).
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from ai import tasks
from ai.models import IndexVersion
from core.after_commit import after_commit
from core.switches import bulk_load


def active():
    """Whether content changes should queue AI work right now: not during a
    bulk load (seed_demo indexes everything in one batch afterwards)."""
    return settings.AI_INDEX_ON_PUBLISH and not bulk_load.is_suspended()


def on_published(sender, instance, revision=None, **kwargs):
    if not active():
        return
    revision_id = revision.pk if revision is not None else instance.live_revision_id
    tasks.index_page.delay_on_commit(instance.pk, revision_id)
    tasks.tag_page.delay_on_commit(instance.pk, revision_id)


def on_unpublished(sender, instance, **kwargs):
    if not active():
        return
    tasks.unindex_page.delay_on_commit(instance.pk)


def on_moved(sender, instance, **kwargs):
    # A move can put the page under (or out of) a view restriction.
    if not active():
        return
    tasks.reindex_subtree.delay_on_commit(instance.pk)


def on_restriction_changed(sender, instance, **kwargs):
    # No publish happens when a restriction is added or removed.
    if not active():
        return
    tasks.reindex_subtree.delay_on_commit(instance.page_id)


def on_page_deleted(sender, instance, **kwargs):
    # Chunks and vectors went with the page (foreign key cascade); tell
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
