"""Posting rules: pre- then post-moderation, one-level replies, the edit
window, soft delete and the spam limits; signals only for public events."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from community.models import Ban, Comment, CommentStatus
from community.posting import (
    CommentRefused,
    can_edit,
    delete_comment,
    edit_comment,
    post_comment,
)
from community.signals import comment_posted, reply_posted
from community.threads import build_thread
from tests.community import add_comment, live_article, live_post, reader, trusted_reader
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    """Signals received, as (name, kwargs) in order."""
    events = []

    def receiver_for(name):
        def receive(sender, **kwargs):
            events.append((name, kwargs))

        return receive

    receivers = {
        "comment_posted": receiver_for("comment_posted"),
        "reply_posted": receiver_for("reply_posted"),
    }
    comment_posted.connect(receivers["comment_posted"])
    reply_posted.connect(receivers["reply_posted"])
    yield events
    comment_posted.disconnect(receivers["comment_posted"])
    reply_posted.disconnect(receivers["reply_posted"])


def test_first_three_comments_wait_then_later_ones_publish(
    django_capture_on_commit_callbacks, received
):
    post = live_post()
    author = reader()
    statuses = []
    for number in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            comment = post_comment(author, post, f"Thought number {number}")
        statuses.append(comment.status)
        if comment.status == CommentStatus.PENDING:
            # A moderator approves it (as the queue would).
            Comment.objects.filter(pk=comment.pk).update(
                status=CommentStatus.APPROVED, published_at=timezone.now()
            )
    assert statuses == ["pending", "pending", "pending", "approved"]
    # Only the comment that went public by itself announced itself here.
    assert [name for name, _ in received] == ["comment_posted"]
    assert received[0][1]["comment"].body == "Thought number 3"
    assert received[0][1]["page"].pk == post.pk


def test_moderators_are_never_premoderated():
    moderator = UserFactory(groups=["Moderators"])
    comment = post_comment(moderator, live_post(), "Welcome, everyone.")
    assert comment.status == CommentStatus.APPROVED


def test_reply_to_a_reply_attaches_to_the_top_level_comment(
    django_capture_on_commit_callbacks, received
):
    post = live_post()
    top = add_comment(post, reader())
    first_reply = add_comment(post, reader(), parent=top)
    replier = trusted_reader()
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_comment(replier, post, "Answering the answer", reply_to=first_reply)
    assert reply.parent_id == top.pk
    assert [(name, kwargs["parent"].pk) for name, kwargs in received] == [("reply_posted", top.pk)]


def test_cannot_reply_to_a_comment_on_another_page_or_a_hidden_one():
    post = live_post()
    other = add_comment(live_post(), reader())
    with pytest.raises(CommentRefused):
        post_comment(trusted_reader(), post, "Wrong page", reply_to=other)
    rejected = add_comment(post, reader(), status=CommentStatus.REJECTED)
    with pytest.raises(CommentRefused, match="can no longer be answered"):
        post_comment(trusted_reader(), post, "To a rejected one", reply_to=rejected)


def test_comments_only_on_live_public_pages_that_allow_them():
    author = trusted_reader()
    closed = live_post(comments_enabled=False)
    with pytest.raises(CommentRefused, match="closed"):
        post_comment(author, closed, "Hello")
    private = live_post()
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    with pytest.raises(CommentRefused, match="closed"):
        post_comment(author, private, "Hello")
    draft = live_post()
    draft.unpublish()
    draft.refresh_from_db()
    with pytest.raises(CommentRefused, match="closed"):
        post_comment(author, draft, "Hello")
    # Articles always take comments.
    assert post_comment(author, live_article(), "Hello").status == CommentStatus.APPROVED


def test_length_limits(settings):
    settings.COMMUNITY_COMMENT_MAX_LENGTH = 20
    post = live_post()
    author = trusted_reader()
    with pytest.raises(CommentRefused, match="Write a comment"):
        post_comment(author, post, "   \n ")
    with pytest.raises(CommentRefused, match="21 characters long; the limit is 20"):
        post_comment(author, post, "x" * 21)
    assert post_comment(author, post, "  " + "y" * 20 + "\n\n").body == "y" * 20


def test_duplicate_text_by_the_same_reader_is_refused(settings):
    post = live_post()
    author = trusted_reader()
    post_comment(author, post, "Lovely piece")
    with pytest.raises(CommentRefused, match="already posted"):
        post_comment(author, live_post(), "lovely   PIECE")
    # Someone else may say the same thing.
    post_comment(trusted_reader(), post, "Lovely piece")
    # And after the window it is no longer a duplicate.
    Comment.objects.filter(author=author).update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    post_comment(author, post, "Lovely piece")


def test_rate_limit_per_reader(settings):
    settings.COMMUNITY_COMMENTS_PER_MINUTE = 2
    post = live_post()
    author = trusted_reader()
    post_comment(author, post, "one")
    post_comment(author, post, "two")
    with pytest.raises(CommentRefused, match="very fast"):
        post_comment(author, post, "three")
    # The limit is per reader.
    post_comment(trusted_reader(), post, "three")
    assert Comment.objects.filter(author=author, page=post).count() == 2


def test_banned_readers_cannot_comment_or_edit():
    post = live_post()
    author = trusted_reader()
    comment = post_comment(author, post, "Before the ban")
    Ban.objects.create(user=author, reason="Spam")
    with pytest.raises(CommentRefused, match="no longer comment"):
        post_comment(author, post, "After the ban")
    with pytest.raises(CommentRefused, match="no longer comment"):
        edit_comment(author, comment, "Sneaky edit")


def test_edit_window(settings):
    settings.COMMUNITY_EDIT_WINDOW_MINUTES = 15
    post = live_post()
    author = trusted_reader()
    comment = post_comment(author, post, "Frist!")
    edited = edit_comment(author, comment, "First!")
    assert edited.body == "First!"
    assert edited.edited_at is not None
    assert not can_edit(reader(), comment)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    comment.refresh_from_db()
    assert not can_edit(author, comment)
    with pytest.raises(CommentRefused, match="no longer be edited"):
        edit_comment(author, comment, "Too late")
    comment.refresh_from_db()
    assert comment.body == "First!"


def test_soft_delete_erases_the_text_and_leaves_a_placeholder_above_replies():
    post = live_post()
    author = trusted_reader()
    lonely = post_comment(author, post, "Nobody answered me")
    answered = post_comment(author, post, "Somebody answered me")
    add_comment(post, reader(), body="I did", parent=answered)
    with pytest.raises(CommentRefused):
        delete_comment(reader(), answered)
    delete_comment(author, lonely)
    delete_comment(author, answered)
    answered.refresh_from_db()
    assert answered.body == "" and answered.deleted_at is not None

    thread = build_thread(post, reader())
    views = list(thread.threads.object_list)
    assert [view.comment.pk for view in views] == [answered.pk]
    assert views[0].is_placeholder
    assert [reply.comment.body for reply in views[0].replies] == ["I did"]
    assert thread.comment_count == 1
