"""Signal receivers that turn editorial, AI, community and shop events into notifications.

Each runs after the triggering transaction commits and never raises into it:
a notification that cannot be written is logged, the editor's or reader's
action stands.
"""

import logging

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.signals import page_published, task_rejected, task_submitted, workflow_approved

from ai.signals import tags_suggested
from community import signals as community
from community.models import Comment
from core.after_commit import after_commit
from core.switches import bulk_load
from notifications.services import notify
from shop import signals as shop
from shop.models import OrderStatus

logger = logging.getLogger(__name__)


def notify_after_commit(action):
    """Run `action` (which notifies) once the current transaction commits,
    unless notifications are suspended; a failure is logged, never raised."""
    if not bulk_load.is_suspended():  # no news about demo data being loaded
        after_commit(action)


def page_summary(page):
    """The title and URL notifications about a page show."""
    page = page.specific
    return {"title": page.title, "url": page.url or ""}


def page_recipients(page):
    """Who hears about a page: its authors, through the page's own method."""
    method = getattr(page.specific, "notification_recipients", None)
    return list(method()) if method else []


# Editorial workflow -------------------------------------------------------------


def on_task_submitted(sender, instance, user=None, **kwargs):
    task_state = instance

    def send():
        task = task_state.task.specific
        groups = getattr(task, "groups", None)
        if groups is None:
            return
        reviewers = get_user_model().objects.filter(groups__in=groups.all(), is_active=True)
        page = task_state.workflow_state.content_object
        notify(
            reviewers.distinct(),
            "workflow_submitted",
            actor=user,
            target=page,
            data={**page_summary(page), "task": task.name},
        )

    notify_after_commit(send)


def on_workflow_approved(sender, instance, user=None, **kwargs):
    workflow_state = instance

    def send():
        page = workflow_state.content_object
        notify(
            [workflow_state.requested_by],
            "workflow_approved",
            actor=user,
            target=page,
            data=page_summary(page),
        )

    notify_after_commit(send)


def on_task_rejected(sender, instance, user=None, **kwargs):
    task_state = instance

    def send():
        workflow_state = task_state.workflow_state
        page = workflow_state.content_object
        notify(
            [workflow_state.requested_by],
            "workflow_rejected",
            actor=user,
            target=page,
            data={**page_summary(page), "comment": task_state.comment or ""},
        )

    notify_after_commit(send)


def is_live_now(page):
    """True when readers can reach the page now: it is live and its go-live
    time, if any, has come."""
    return bool(page.live) and not (page.go_live_at and page.go_live_at > timezone.now())


def on_page_published(sender, instance, **kwargs):
    # Wagtail sends page_published for a first publish scheduled for later
    # too (the page stays not live until publish_scheduled runs, which sends
    # the signal again, live): only that second one means "is live".
    page = instance
    if not is_live_now(page):
        return
    notify_after_commit(
        lambda: notify(
            page_recipients(page), "page_published", target=page, data=page_summary(page)
        )
    )


# AI ---------------------------------------------------------------------------


def on_tags_suggested(sender, page, tags, **kwargs):
    def send():
        notify(
            page_recipients(page),
            "tags_suggested",
            target=page,
            data={**page_summary(page), "tags": list(tags)},
        )

    notify_after_commit(send)


# Community -----------------------------------------------------------------------


def comment_summary(comment):
    page = comment.page.specific
    return {"title": page.title, "url": f"{page.url or ''}#comment-{comment.pk}"}


def notify_about_comment(recipients, event, comment, actor, **extra):
    """Notify `recipients` (a callable, evaluated after commit) about `comment`."""
    notify_after_commit(
        lambda: notify(
            recipients(),
            event,
            actor=actor,
            target=comment,
            data={**comment_summary(comment), **extra},
        )
    )


def on_comment_posted(sender, comment, page, **kwargs):
    notify_about_comment(lambda: page_recipients(page), "comment_posted", comment, comment.author)


def on_reply_posted(sender, comment, parent, page, **kwargs):
    notify_about_comment(lambda: [parent.author], "reply_posted", comment, comment.author)


def on_liked(sender, like, user, target, **kwargs):
    def send():
        if isinstance(target, Comment):
            recipients, data = [target.author], {**comment_summary(target), "kind": "comment"}
        else:
            recipients, data = page_recipients(target), {**page_summary(target), "kind": "page"}
        kind = data["kind"]
        notify(
            recipients,
            "liked",
            actor=user,
            target=target,
            data=data,
            aggregate_key=f"{kind}:{target.pk}",
        )

    notify_after_commit(send)


def on_comment_moderated(sender, comment, moderator, action, note="", **kwargs):
    notify_about_comment(
        lambda: [comment.author],
        "comment_moderated",
        comment,
        moderator,
        action=action,
        note=note,
    )


# Shop ------------------------------------------------------------------------------


def on_order_status_changed(sender, order, old_status, new_status, actor=None, **kwargs):
    # Signed-in customers only: a guest has no bell. The shop sends this
    # signal after its commit already, and a failure here is logged by it.
    if order.user_id is None or bulk_load.is_suspended():
        return
    notify(
        [order.user],
        "order_status_changed",
        actor=actor,
        target=order,
        data={
            "number": order.number,
            "status": new_status,
            "previous_status": old_status,
            "status_label": OrderStatus(new_status).label,
            "url": order.get_absolute_url(),
        },
    )


def connect():
    """Wire the receivers (called from NotificationsConfig.ready)."""
    task_submitted.connect(on_task_submitted, dispatch_uid="notifications.task_submitted")
    workflow_approved.connect(on_workflow_approved, dispatch_uid="notifications.wf_approved")
    task_rejected.connect(on_task_rejected, dispatch_uid="notifications.task_rejected")
    page_published.connect(on_page_published, dispatch_uid="notifications.page_published")
    tags_suggested.connect(on_tags_suggested, dispatch_uid="notifications.tags_suggested")
    community.comment_posted.connect(on_comment_posted, dispatch_uid="notifications.comment")
    community.reply_posted.connect(on_reply_posted, dispatch_uid="notifications.reply")
    community.liked.connect(on_liked, dispatch_uid="notifications.liked")
    community.comment_moderated.connect(
        on_comment_moderated, dispatch_uid="notifications.moderated"
    )
    shop.order_status_changed.connect(
        on_order_status_changed, dispatch_uid="notifications.order_status_changed"
    )
