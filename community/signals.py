"""Signals other apps (live notifications) listen to. Every signal is sent
only after the transaction that caused it commits, so a receiver never sees
an event that was rolled back, and only for events readers can see.

comment_posted
    sender: Comment. Arguments: comment (a top-level Comment), page (the
    wagtailcore Page it is on). Fires once per comment, when it first becomes
    public: at once for a trusted reader (post-moderation), or when a
    moderator approves it (pre-moderation). Never for pending, rejected or
    deleted comments, nor for edits.

reply_posted
    sender: Comment. Arguments: comment (the reply), parent (the top-level
    comment it answers), page. Same rule as comment_posted: once, when the
    reply first becomes public.

liked
    sender: Like. Arguments: like (the new Like row), user (who liked),
    target (the Page or Comment liked). Fires when a like is created; not for
    a repeated like (double click, second tab) nor for an unlike.

comment_moderated
    sender: Comment. Arguments: comment, moderator (the user who decided),
    action (one of MODERATION_ACTIONS), note (the reason given, may be '').
    Fires for every moderation decision. When a pending comment is approved,
    comment_moderated fires first, then comment_posted / reply_posted.
"""

from django.dispatch import Signal

from core.after_commit import send_after_commit

comment_posted = Signal()
reply_posted = Signal()
liked = Signal()
comment_moderated = Signal()

APPROVED = "approved"
REJECTED = "rejected"
REMOVED = "removed"
BANNED = "banned"
MODERATION_ACTIONS = (APPROVED, REJECTED, REMOVED, BANNED)


def announce_published(comment):
    """comment_posted or reply_posted for a comment that just became public."""
    from community.models import Comment

    if comment.parent_id:
        send_after_commit(
            reply_posted, Comment, comment=comment, parent=comment.parent, page=comment.page
        )
    else:
        send_after_commit(comment_posted, Comment, comment=comment, page=comment.page)
