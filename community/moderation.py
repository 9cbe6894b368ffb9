"""Moderation: reports from readers and the decisions moderators take in the
Wagtail admin (approve, reject, remove, ban)."""

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from community.models import Ban, Comment, CommentStatus, Report
from community.signals import (
    APPROVED,
    BANNED,
    REJECTED,
    REMOVED,
    announce_published,
    comment_moderated,
)
from core.after_commit import send_after_commit


class ModerationError(Exception):
    """The decision does not apply to this comment; the message says why."""


def open_reports_q(prefix=""):
    """Q for comments with at least one unresolved report."""
    return Q(
        Exists(Report.objects.filter(comment=OuterRef(f"{prefix}pk"), resolved_at__isnull=True))
    )


def needs_action():
    """Comments waiting for a moderator: pending ones and reported public ones."""
    return Comment.objects.filter(deleted_at__isnull=True).filter(
        Q(status=CommentStatus.PENDING) | (Q(status=CommentStatus.APPROVED) & open_reports_q())
    )


def queue_counts():
    """{"pending": n, "reported": n} for the admin menu, in one query."""
    return Comment.objects.filter(deleted_at__isnull=True).aggregate(
        pending=Count("pk", filter=Q(status=CommentStatus.PENDING)),
        reported=Count("pk", filter=Q(status=CommentStatus.APPROVED) & open_reports_q()),
    )


def report_comment(user, comment, reason, details=""):
    """Record `user`'s report; returns (report, created). A second report by
    the same reader on the same comment keeps the first one."""
    if comment.author_id == user.pk:
        raise ModerationError("You cannot report your own comment.")
    if not comment.is_published:
        raise ModerationError("That comment is not public.")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment, reporter=user, reason=reason, details=details.strip()
            )
    except IntegrityError:
        return Report.objects.get(comment=comment, reporter=user), False
    return report, True


def _decide(comment, moderator, status, action, note):
    now = timezone.now()
    first_publication = status == CommentStatus.APPROVED and comment.published_at is None
    comment.status = status
    comment.moderated_by = moderator
    comment.moderated_at = now
    comment.moderation_note = note
    if first_publication:
        comment.published_at = now
    comment.save(
        update_fields=["status", "moderated_by", "moderated_at", "moderation_note", "published_at"]
    )
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=moderator)
    send_after_commit(
        comment_moderated,
        Comment,
        comment=comment,
        moderator=moderator,
        action=action,
        note=note,
    )
    if first_publication:
        announce_published(comment)
    return comment


def _locked(comment):
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("parent", "page")
        .get(pk=comment.pk)
    )
    if comment.is_deleted:
        raise ModerationError("The author deleted this comment.")
    return comment


@transaction.atomic
def approve(comment, moderator, note=""):
    """Publish a pending comment, or keep a reported one (its reports are
    resolved). Publishing for the first time sends comment_posted/reply_posted."""
    comment = _locked(comment)
    if comment.status not in (CommentStatus.PENDING, CommentStatus.APPROVED):
        raise ModerationError(
            f"A {comment.get_status_display().lower()} comment cannot be approved."
        )
    if comment.parent_id and not comment.parent.is_published:
        raise ModerationError("The comment it replies to is no longer public.")
    return _decide(comment, moderator, CommentStatus.APPROVED, APPROVED, note)


@transaction.atomic
def reject(comment, moderator, note=""):
    """Refuse a pending comment (or take down a public one): it is never shown."""
    comment = _locked(comment)
    status = CommentStatus.REMOVED if comment.published_at else CommentStatus.REJECTED
    action = REMOVED if comment.published_at else REJECTED
    return _decide(comment, moderator, status, action, note)


@transaction.atomic
def ban_author(comment, moderator, reason):
    """Ban the comment's author from commenting (recording who, when and why),
    take this comment down and reject their other pending comments."""
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("Give a reason for the ban.")
    comment = _locked(comment)
    author = comment.author
    if author is None:
        raise ModerationError("The author's account no longer exists.")
    if author.pk == moderator.pk:
        raise ModerationError("You cannot ban yourself.")
    Ban.objects.update_or_create(
        user=author,
        defaults={
            "reason": reason,
            "banned_by": moderator,
            "comment": comment,
            "created_at": timezone.now(),
        },
    )
    status = CommentStatus.REMOVED if comment.published_at else CommentStatus.REJECTED
    _decide(comment, moderator, status, BANNED, reason)
    others = Comment.objects.filter(author=author, status=CommentStatus.PENDING).exclude(
        pk=comment.pk
    )
    for other in others.select_for_update():
        _decide(other, moderator, CommentStatus.REJECTED, REJECTED, f"Author banned: {reason}")
    return comment
