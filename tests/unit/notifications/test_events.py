"""Who is told what: community, editorial, AI and order events become
notifications for exactly the right people, with preferences respected."""

import pytest
from django.core import mail
from django.urls import reverse

from ai.models import AITag
from ai.tagging import store_suggestions
from blog.models import Author, PostPage
from community import likes, moderation, posting
from notifications.models import Notification, NotificationPreference
from notifications.services import notify
from notifications.tasks import send_daily_digest
from tests.admin_forms import post_form_data
from tests.factories import BlogIndexPageFactory, PostPageFactory, UserFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run `action` and the after-commit work it queues (signals, notifications)."""

    def run(action, *args, **kwargs):
        # Callbacks that callbacks register (signal → notification) run too.
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def authored_post():
    writer = UserFactory(username="writer", first_name="Wren", last_name="Writer")
    author = Author.objects.create(name="Wren Writer", slug="wren", user=writer)
    post = PostPageFactory(parent=BlogIndexPageFactory(slug="blog"), title="Night ferry")
    post.authors.set([author])
    return publish(post), writer


def texts_for(user):
    return [n.text for n in Notification.objects.filter(recipient=user).order_by("pk")]


def test_a_comment_notifies_the_post_author_not_the_commenter(
    run_on_commit, authored_post, settings
):
    settings.COMMUNITY_PREMODERATED_COMMENTS = 0
    post, writer = authored_post
    reader = UserFactory(username="commenter", first_name="Cora", last_name="Commenter")
    comment = run_on_commit(posting.post_comment, reader, post, "Lovely crossing!")
    assert texts_for(writer) == ["Cora Commenter commented on “Night ferry”"]
    notification = Notification.objects.get(recipient=writer)
    assert notification.url == f"{post.url}#comment-{comment.pk}"
    assert not Notification.objects.filter(recipient=reader).exists()


def test_a_reply_notifies_the_parent_author(run_on_commit, authored_post, settings):
    settings.COMMUNITY_PREMODERATED_COMMENTS = 0
    post, _ = authored_post
    first = UserFactory(username="first")
    second = UserFactory(username="second", first_name="Sid", last_name="Second")
    top = run_on_commit(posting.post_comment, first, post, "Was it rough?")
    run_on_commit(posting.post_comment, second, post, "Calm, in fact.", reply_to=top)
    assert texts_for(first) == ["Sid Second replied to your comment on “Night ferry”"]


def test_likes_are_aggregated_into_one_unread_notification(run_on_commit, authored_post):
    post, writer = authored_post
    for number in range(3):
        liker = UserFactory(username=f"liker{number}", first_name=f"L{number}", last_name="K")
        run_on_commit(likes.set_like, liker, post, True)
    [notification] = Notification.objects.filter(recipient=writer)
    assert notification.data["count"] == 3
    assert notification.text == "L2 K and 2 others liked “Night ferry”"
    notification.read_at = notification.created_at
    notification.save()
    run_on_commit(likes.set_like, UserFactory(username="late"), post, True)
    assert Notification.objects.filter(recipient=writer).count() == 2


def test_a_repeated_like_notifies_nobody_again(run_on_commit, authored_post):
    post, writer = authored_post
    liker = UserFactory(username="double-clicker")
    run_on_commit(likes.set_like, liker, post, True)
    run_on_commit(likes.set_like, liker, post, True)
    assert Notification.objects.get(recipient=writer).data["count"] == 1


def test_moderation_outcome_reaches_the_commenter(run_on_commit, authored_post, settings):
    settings.COMMUNITY_PREMODERATED_COMMENTS = 3
    post, writer = authored_post
    newcomer = UserFactory(username="newcomer-reader")
    moderator = UserFactory(username="mod", groups=["Moderators"], first_name="Mo")
    comment = run_on_commit(posting.post_comment, newcomer, post, "My first comment")
    assert texts_for(writer) == []  # pending comments tell nobody
    run_on_commit(moderation.approve, comment, moderator)
    assert texts_for(newcomer) == ["Your comment on “Night ferry” was approved"]
    assert texts_for(writer) == [f"{newcomer.get_full_name()} commented on “Night ferry”"]


def test_workflow_submission_reaches_exactly_the_reviewers(client, run_on_commit):
    blog = BlogIndexPageFactory(slug="wf-blog")
    author = UserFactory(username="wf-author", groups=["Authors"])
    editors = [UserFactory(username=f"wf-editor{n}", groups=["Editors"]) for n in range(2)]
    bystanders = [
        UserFactory(username="wf-moderator", groups=["Moderators"]),
        UserFactory(username="wf-shop", groups=["Shop managers"]),
        UserFactory(username="wf-other-author", groups=["Authors"]),
    ]
    client.force_login(author)
    url = reverse("wagtailadmin_pages:add", args=("blog", "postpage", blog.pk))
    run_on_commit(client.post, url, post_form_data("Review me", "review-me", "submit"))
    notified = set(
        Notification.objects.filter(verb="workflow_submitted").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {editor.username for editor in editors}
    assert not Notification.objects.filter(recipient__in=bystanders).exists()


def test_approval_and_rejection_reach_the_submitter(client, run_on_commit):
    from wagtail.models import WorkflowState

    blog = BlogIndexPageFactory(slug="wf2-blog")
    author = UserFactory(username="wf2-author", groups=["Authors"])
    editor = UserFactory(username="wf2-editor", groups=["Editors"], first_name="Ed", last_name="I")
    client.force_login(author)
    add = reverse("wagtailadmin_pages:add", args=("blog", "postpage", blog.pk))
    for slug in ("accept-me", "reject-me"):
        response = run_on_commit(client.post, add, post_form_data(slug, slug, "submit"))
        assert response.status_code == 302, response.content[:500]
    client.force_login(editor)
    for slug, action, comment in (
        ("accept-me", "approve", ""),
        ("reject-me", "reject", "Shorter!"),
    ):
        page = PostPage.objects.get(slug=slug)
        state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
        url = reverse(
            "wagtailadmin_pages:workflow_action",
            args=(page.pk, action, state.current_task_state.pk),
        )
        run_on_commit(client.post, url, {"comment": comment})
    texts = texts_for(author)
    assert "Ed I approved “accept-me”" in texts
    assert "Ed I asked for changes to “reject-me”: Shorter!" in texts


def test_ai_tags_notify_the_authors(run_on_commit, authored_post):
    post, writer = authored_post
    run_on_commit(store_suggestions, post, ["ferries", "harbour"], AITag.Source.KEYPHRASE)
    assert texts_for(writer) == ["AI suggested tags for “Night ferry”: ferries, harbour"]


def test_preferences_turn_the_bell_and_the_digest_on_and_off(authored_post):
    _, writer = authored_post
    NotificationPreference.objects.create(
        user=writer, verb="comment_posted", on_site=False, by_email=True
    )
    NotificationPreference.objects.create(
        user=writer, verb="page_published", on_site=False, by_email=False
    )
    notify([writer], "comment_posted", data={"title": "Night ferry", "url": "/x/"})
    notify([writer], "page_published", data={"title": "Night ferry"})
    [email_only] = Notification.objects.filter(recipient=writer)
    assert (email_only.verb, email_only.on_site, email_only.by_email) == (
        "comment_posted",
        False,
        True,
    )
    assert Notification.objects.for_user(writer).in_bell().count() == 0


def test_daily_digest_emails_unread_email_notifications_once(authored_post, run_on_commit):
    _, writer = authored_post
    notify([writer], "comment_posted", data={"title": "Night ferry", "url": "/blog/x/#c"})
    notify([writer], "page_published", data={"title": "Not by email"})
    assert run_on_commit(send_daily_digest) == 1
    [message] = mail.outbox
    assert message.to == [writer.email]
    assert message.subject == "1 unread notification on Pressroom"
    assert "commented on “Night ferry”" in message.body
    assert "/blog/x/#c" in message.body
    assert "Not by email" not in message.body
    assert run_on_commit(send_daily_digest) == 0  # nothing is sent twice


def test_unknown_verbs_are_a_programming_error():
    with pytest.raises(ValueError):
        notify([UserFactory(username="x")], "made_up_event")
