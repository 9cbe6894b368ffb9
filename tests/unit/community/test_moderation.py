"""Moderation end to end through the Wagtail admin queue: pre-moderated
comments approved, reported comments removed, authors banned."""

import pytest
from django.urls import reverse

from community.models import Ban, Comment, CommentStatus, Report
from community.signals import comment_moderated, comment_posted, reply_posted
from tests.community import add_comment, live_post, reader, trusted_reader
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/community_comments/"


def moderate_url(comment):
    return reverse("community_comments:edit", args=[comment.pk])


@pytest.fixture
def moderator():
    return UserFactory(username="mod", groups=["Moderators"])


@pytest.fixture
def events():
    received = []
    receivers = []
    for name, signal in [
        ("comment_posted", comment_posted),
        ("reply_posted", reply_posted),
        ("comment_moderated", comment_moderated),
    ]:

        def receive(sender, _name=name, **kwargs):
            received.append((_name, kwargs))

        signal.connect(receive)
        receivers.append((signal, receive))
    yield received
    for signal, receive in receivers:
        signal.disconnect(receive)


def test_premoderated_comment_is_approved_from_the_queue(
    client, moderator, events, django_capture_on_commit_callbacks
):
    post = live_post()
    newcomer = reader()
    client.force_login(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community_post_comment", args=[post.pk]), {"body": "Hello, first time here"}
        )
    comment = Comment.objects.get(body="Hello, first time here")
    assert comment.status == CommentStatus.PENDING
    assert events == []  # nothing public happened yet

    client.force_login(moderator)
    queue = client.get(QUEUE).content.decode()
    assert "Hello, first time here" in queue
    assert "Awaiting moderation" in queue
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            moderate_url(comment), {"decision": "approve", "note": "Welcome", "next": QUEUE}
        )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED
    assert comment.moderated_by == moderator and comment.published_at is not None
    assert [name for name, _ in events] == ["comment_moderated", "comment_posted"]
    assert events[0][1]["action"] == "approved" and events[0][1]["moderator"] == moderator
    client.get(QUEUE)  # shows (and consumes) the success message
    assert "Hello, first time here" not in client.get(QUEUE).content.decode()

    client.logout()
    assert "Hello, first time here" in client.get(post.url).content.decode()


def test_reported_comment_is_removed_and_reports_resolved(client, moderator):
    post = live_post()
    comment = add_comment(post, trusted_reader(), body="Visit my casino")
    client.force_login(reader())
    client.post(reverse("community_report_comment", args=[comment.pk]), {"reason": "spam"})
    client.force_login(reader())
    client.post(
        reverse("community_report_comment", args=[comment.pk]),
        {"reason": "abuse", "details": "Ads"},
    )
    assert Report.objects.filter(comment=comment).count() == 2

    client.force_login(moderator)
    queue = client.get(QUEUE, {"queue": "reported"}).content.decode()
    assert "Visit my casino" in queue
    page = client.get(moderate_url(comment)).content.decode()
    assert (
        "Spam or advertising" in page and "Abusive, hateful or harassing" in page and "Ads" in page
    )
    client.post(moderate_url(comment), {"decision": "reject", "note": "Advert"})
    comment.refresh_from_db()
    assert comment.status == CommentStatus.REMOVED
    assert not Report.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    assert Report.objects.filter(resolved_by=moderator).count() == 2
    client.logout()
    assert "Visit my casino" not in client.get(post.url).content.decode()


def test_inline_queue_buttons_reject_a_pending_comment(client, moderator):
    post = live_post()
    comment = add_comment(post, reader(), body="Pending words", status=CommentStatus.PENDING)
    client.force_login(moderator)
    queue = client.get(QUEUE).content.decode()
    assert f'action="{moderate_url(comment)}"' in queue
    assert 'value="reject"' in queue
    response = client.post(moderate_url(comment), {"decision": "reject", "next": QUEUE})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.REJECTED


def test_ban_needs_a_reason_and_stops_the_author(client, moderator):
    post = live_post()
    spammer = reader()
    comment = add_comment(post, spammer, body="Spam one", status=CommentStatus.PENDING)
    other = add_comment(post, spammer, body="Spam two", status=CommentStatus.PENDING)
    client.force_login(moderator)
    response = client.post(moderate_url(comment), {"decision": "ban", "note": ""})
    assert response.status_code == 400
    assert "Give a reason for the ban." in response.content.decode()
    assert not Ban.objects.exists()
    client.post(moderate_url(comment), {"decision": "ban", "note": "Repeated spam"})
    ban = Ban.objects.get(user=spammer)
    assert (ban.banned_by, ban.reason, ban.comment) == (moderator, "Repeated spam", comment)
    comment.refresh_from_db()
    other.refresh_from_db()
    assert comment.status == other.status == CommentStatus.REJECTED
    assert "Ban of" in client.get("/admin/community_bans/").content.decode()

    client.force_login(spammer)
    response = client.post(
        reverse("community_post_comment", args=[post.pk]), {"body": "Let me back"}
    )
    assert response.status_code == 422
    assert "no longer comment" in response.content.decode()
    assert "You can no longer comment on this site." in client.get(post.url).content.decode()


def test_menu_shows_queue_counts_to_moderators_only(client, moderator):
    post = live_post()
    add_comment(post, reader(), status=CommentStatus.PENDING)
    add_comment(post, reader(), status=CommentStatus.PENDING)
    reported = add_comment(post, reader())
    Report.objects.create(comment=reported, reporter=reader(), reason="spam")
    client.force_login(moderator)
    admin_home = client.get("/admin/").content.decode()
    assert "Community (3)" in admin_home
    assert "Comments (2 pending, 1 reported)" in admin_home

    editor = UserFactory(groups=["Editors"])
    client.force_login(editor)
    assert "Community (" not in client.get("/admin/").content.decode()
    assert client.get(QUEUE).status_code == 302  # refused: back to the dashboard
    assert client.post(moderate_url(reported), {"decision": "reject"}).status_code == 302
    reported.refresh_from_db()
    assert reported.status == CommentStatus.APPROVED


def test_nobody_writes_comments_in_the_admin(client, moderator):
    client.force_login(moderator)
    assert client.get("/admin/community_comments/new/").status_code == 302
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/community_comments/new/").status_code == 302
    # Bans come from moderation decisions, which record who, when and why.
    assert client.get("/admin/community_bans/new/").status_code == 302
