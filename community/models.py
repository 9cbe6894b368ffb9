"""Reader comments, likes, reports and bans.

A comment's `body` is the raw text the reader typed; it is only ever shown
through `community.text.render_comment_body()`, which escapes it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


def decision_maker():
    """A reference to the user who made a decision; kept (as None) if the
    account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    REMOVED = "removed", "Removed"


def visible_q(user, prefix=""):
    """Q for comments `user` may read: approved ones, plus their own pending
    ones; never deleted ones. `prefix` applies it across a relation."""
    live = Q(**{f"{prefix}status": CommentStatus.APPROVED, f"{prefix}deleted_at__isnull": True})
    if user is not None and user.is_authenticated:
        live |= Q(
            **{
                f"{prefix}status": CommentStatus.PENDING,
                f"{prefix}deleted_at__isnull": True,
                f"{prefix}author": user,
            }
        )
    return live


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Comments the user may read (see visible_q)."""
        return self.filter(visible_q(user))

    def published(self):
        """Approved comments that nobody deleted: what everyone sees."""
        return self.visible_to(None)

    def threads_visible_to(self, user):
        """Top-level comments shown to `user`: readable ones, and unreadable
        ones (deleted, removed) that still have readable replies, which are
        shown as a placeholder above those replies."""
        readable_replies = Comment.objects.filter(parent=OuterRef("pk")).filter(visible_q(user))
        return self.filter(parent__isnull=True).filter(
            visible_q(user) | Q(Exists(readable_replies))
        )


class Comment(models.Model):
    """A reader's comment on a page, or a reply to a top-level comment."""

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="community_comments"
    )
    # Replies are one level deep: a reply's parent is always top-level.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # Kept when the account is deleted: the comment shows "deleted user".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_comments",
    )
    body = models.TextField()
    # sha256 of the normalised body, for duplicate detection.
    fingerprint = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # When the comment first became public; the posted signals fire only then.
    published_at = models.DateTimeField(null=True, blank=True)
    moderated_by = decision_maker()
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.TextField(blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["page", "parent", "created_at"], name="comment_thread"),
            models.Index(fields=["author", "fingerprint"], name="comment_duplicates"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
        ]

    def __str__(self):
        excerpt = " ".join(self.body.split())
        return excerpt[:60] + ("…" if len(excerpt) > 60 else "") if excerpt else "(deleted)"

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_published(self):
        return self.status == CommentStatus.APPROVED and not self.is_deleted

    @property
    def is_reply(self):
        return self.parent_id is not None


class Like(models.Model):
    """One user's like of one page or one comment (exactly one of the two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_likes"
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="community_likes",
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="likes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(page__isnull=False, comment__isnull=True)
                | Q(page__isnull=True, comment__isnull=False),
                name="like_has_one_target",
            ),
            # The database, not the view, makes a double click one like.
            models.UniqueConstraint(
                fields=["user", "page"], condition=Q(page__isnull=False), name="like_page_once"
            ),
            models.UniqueConstraint(
                fields=["user", "comment"],
                condition=Q(comment__isnull=False),
                name="like_comment_once",
            ),
        ]

    def __str__(self):
        target = f"page {self.page_id}" if self.page_id else f"comment {self.comment_id}"
        return f"{self.user_id} likes {target}"

    @property
    def target(self):
        return self.page if self.page_id else self.comment


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam or advertising"
    ABUSE = "abuse", "Abusive, hateful or harassing"
    PERSONAL = "personal", "Shares someone's personal information"
    OFF_TOPIC = "off_topic", "Off topic"
    OTHER = "other", "Something else"


class Report(models.Model):
    """A reader's report of a comment; one per reader and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_reports"
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    details = models.TextField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = decision_maker()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} (comment {self.comment_id})"


class Ban(models.Model):
    """A user who may no longer comment, with who banned them, when and why."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_ban"
    )
    reason = models.TextField()
    banned_by = decision_maker()
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The comment that led to the ban.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "comment ban"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Ban of {self.user}"
