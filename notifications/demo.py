"""A few notifications in the demo authors' bells, from the demo comments."""

from django.contrib.auth import get_user_model

from community.models import Comment, Like
from notifications.models import Notification
from notifications.receivers import comment_summary, page_recipients, page_summary
from notifications.services import notify


def finish(stdout):
    """Notify page authors of the demo comments and likes once; returns a summary."""
    author = get_user_model().objects.filter(username="author").first()
    if author is None or Notification.objects.filter(recipient=author).exists():
        return ""
    created = 0
    comments = (
        Comment.objects.published()
        .filter(parent__isnull=True)
        .select_related("author", "page")
        .order_by("-created_at")[:20]
    )
    for comment in comments:
        recipients = page_recipients(comment.page)
        if author in recipients and created < 4:
            created += len(
                notify(
                    recipients,
                    "comment_posted",
                    actor=comment.author,
                    target=comment,
                    data=comment_summary(comment),
                )
            )
    for like in Like.objects.filter(page__isnull=False).select_related("user", "page")[:10]:
        if author in page_recipients(like.page):
            page = like.page.specific
            notify(
                page_recipients(page),
                "liked",
                actor=like.user,
                target=page,
                data={**page_summary(page), "kind": "page"},
                aggregate_key=f"page:{page.pk}",
            )
            created += 1
    return f"{created} notifications" if created else ""
