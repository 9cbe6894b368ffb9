"""Writing comments: posting, replying, editing and deleting, with the spam
limits and the pre-moderation rule."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from community.models import Ban, Comment, CommentStatus
from community.pages import accepts_comments
from community.signals import announce_published
from community.text import fingerprint, normalise
from core import rate_limits

MIN_LENGTH = 2


class CommentRefused(Exception):
    """The comment cannot be saved; the message says why, for the reader."""


def is_moderator(user):
    """True for users who moderate comments (and so skip pre-moderation)."""
    return user.is_superuser or user.has_perm("community.change_comment")


def needs_premoderation(user):
    """True while the user has fewer published comments than
    COMMUNITY_PREMODERATED_COMMENTS (moderators never need it)."""
    if is_moderator(user):
        return False
    threshold = settings.COMMUNITY_PREMODERATED_COMMENTS
    if threshold == 0:
        return False
    published = Comment.objects.filter(author=user, published_at__isnull=False)
    return published.count() < threshold


def is_banned(user):
    return Ban.objects.filter(user=user).exists()


def clean_body(body):
    """The normalised body, or CommentRefused for empty or over-long text."""
    body = normalise(body or "")
    if len(body) < MIN_LENGTH:
        raise CommentRefused("Write a comment first.")
    limit = settings.COMMUNITY_COMMENT_MAX_LENGTH
    if len(body) > limit:
        raise CommentRefused(f"That comment is {len(body)} characters long; the limit is {limit}.")
    return body


def _check_author(user, body):
    if not user.is_active:
        raise CommentRefused("Sign in to comment.")
    if is_banned(user):
        raise CommentRefused("You can no longer comment on this site.")
    window = settings.COMMUNITY_DUPLICATE_WINDOW_MINUTES
    if window and (
        Comment.objects.filter(
            author=user,
            fingerprint=fingerprint(body),
            deleted_at__isnull=True,
            created_at__gte=timezone.now() - timedelta(minutes=window),
        )
        .exclude(status=CommentStatus.REJECTED)
        .exists()
    ):
        raise CommentRefused("You have already posted that comment.")
    budget = rate_limits.Budget(
        "comment", f"user:{user.pk}", settings.COMMUNITY_COMMENTS_PER_MINUTE
    )
    if not rate_limits.attempt([budget]).allowed:
        raise CommentRefused("You are commenting very fast. Wait a minute, then try again.")


def reply_target(reply_to, user):
    """The top-level comment a reply attaches to (replies are one level deep),
    or CommentRefused if the comment cannot be answered."""
    parent = reply_to.parent if reply_to.parent_id else reply_to
    readable = parent.is_published or (
        parent.status == CommentStatus.PENDING
        and not parent.is_deleted
        and parent.author_id == user.pk
    )
    if not readable:
        raise CommentRefused("That comment can no longer be answered.")
    return parent


@transaction.atomic
def post_comment(user, page, body, reply_to=None):
    """Save a comment (or a reply to `reply_to`) by `user` on `page` (specific).

    It is published at once for trusted readers, or held for moderation
    (status pending) for a reader's first comments. Raises CommentRefused
    with a reader-facing reason when it cannot be saved.
    """
    body = clean_body(body)
    if not accepts_comments(page):
        raise CommentRefused("Comments are closed on this page.")
    parent = None
    if reply_to is not None:
        if reply_to.page_id != page.pk:
            raise CommentRefused("That comment belongs to another page.")
        parent = reply_target(reply_to, user)
    _check_author(user, body)
    pending = needs_premoderation(user)
    comment = store_comment(
        page, user, body, parent, CommentStatus.PENDING if pending else CommentStatus.APPROVED
    )
    if not pending:
        announce_published(comment)
    return comment


def store_comment(page, author, body, parent=None, status=CommentStatus.APPROVED, at=None):
    """Write one comment row as given: no checks, limits or signals (post_comment
    adds those; demo content and tests use this directly)."""
    at = at or timezone.now()
    return Comment.objects.create(
        page=page,
        parent=parent,
        author=author,
        body=body,
        fingerprint=fingerprint(body),
        status=status,
        created_at=at,
        published_at=at if status == CommentStatus.APPROVED else None,
    )


def edit_deadline(comment):
    """Until when the author may edit the comment."""
    return comment.created_at + timedelta(minutes=settings.COMMUNITY_EDIT_WINDOW_MINUTES)


def can_edit(user, comment, now=None):
    """True when `user` wrote the comment, it is not deleted, rejected or
    removed, and the edit window is still open."""
    return (
        user.is_authenticated
        and comment.author_id == user.pk
        and not comment.is_deleted
        and comment.status in (CommentStatus.PENDING, CommentStatus.APPROVED)
        and (now or timezone.now()) <= edit_deadline(comment)
    )


def can_delete(user, comment):
    """True when `user` wrote the comment and has not deleted it yet."""
    return user.is_authenticated and comment.author_id == user.pk and not comment.is_deleted


@transaction.atomic
def edit_comment(user, comment, body):
    """Replace the comment's text (within the edit window). Raises CommentRefused."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not can_edit(user, comment):
        raise CommentRefused("This comment can no longer be edited.")
    body = clean_body(body)
    if is_banned(user):
        raise CommentRefused("You can no longer comment on this site.")
    if body != comment.body:
        comment.body = body
        comment.fingerprint = fingerprint(body)
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "fingerprint", "edited_at"])
    return comment


@transaction.atomic
def delete_comment(user, comment):
    """Soft-delete the author's comment: its text is erased and it disappears,
    or shows a "comment deleted" placeholder while it has visible replies."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not can_delete(user, comment):
        raise CommentRefused("You can only delete your own comments.")
    comment.deleted_at = timezone.now()
    comment.body = ""
    comment.save(update_fields=["deleted_at", "body"])
    return comment
