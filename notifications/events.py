"""The kinds of notification, with their reader-facing wording and defaults.

Every `notify()` call names one of these verbs. The text a reader sees is
written here, from the notification's data, so the bell, the notifications
page and the digest email all say the same thing.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    label: str  # on the preferences page
    on_site: bool = True  # default: show in the bell
    by_email: bool = False  # default: include in the daily digest
    aggregate: bool = False  # fold repeats on one target into one notification


EVENTS = {
    "comment_posted": Event("Someone comments on your page", by_email=True),
    "reply_posted": Event("Someone replies to your comment", by_email=True),
    "liked": Event("Someone likes your page or comment", aggregate=True),
    "comment_moderated": Event("A moderator decides on your comment"),
    "workflow_submitted": Event("A page is submitted for your review", by_email=True),
    "workflow_approved": Event("Your page is approved"),
    "workflow_rejected": Event("Changes are requested on your page", by_email=True),
    "page_published": Event("Your page is published"),
    "tags_suggested": Event("AI suggests tags for your page"),
    "order_status_changed": Event("Your order changes status"),
}

MODERATION_WORDS = {
    "approved": "approved",
    "rejected": "rejected",
    "removed": "removed",
    "banned": "removed, and you can no longer comment",
}


def describe(verb, actor_name, data):
    """One sentence for a notification, in plain text."""
    who = actor_name or "Someone"
    title = data.get("title", "a page")
    if verb == "comment_posted":
        return f"{who} commented on “{title}”"
    if verb == "reply_posted":
        return f"{who} replied to your comment on “{title}”"
    if verb == "liked":
        count = int(data.get("count", 1))
        what = "your comment on " if data.get("kind") == "comment" else ""
        if count == 1:
            return f"{who} liked {what}“{title}”"
        return f"{who} and {count - 1} other{'s' if count > 2 else ''} liked {what}“{title}”"
    if verb == "comment_moderated":
        decision = MODERATION_WORDS.get(data.get("action"), data.get("action", "reviewed"))
        return f"Your comment on “{title}” was {decision}"
    if verb == "workflow_submitted":
        return f"{who} submitted “{title}” for {data.get('task', 'review')}"
    if verb == "workflow_approved":
        return f"{who} approved “{title}”"
    if verb == "workflow_rejected":
        comment = data.get("comment")
        return f"{who} asked for changes to “{title}”" + (f": {comment}" if comment else "")
    if verb == "page_published":
        return f"“{title}” is live"
    if verb == "tags_suggested":
        return f"AI suggested tags for “{title}”: {', '.join(data.get('tags', []))}"
    if verb == "order_status_changed":
        label = data.get("status_label", data.get("status", "updated"))
        return f"Order {data.get('number', '')} is now {label.lower()}"
    return f"{who}: {verb.replace('_', ' ')}"
