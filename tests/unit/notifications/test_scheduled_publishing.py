"""“… is live” is sent when a page really goes live: not when an editor
schedules it for tomorrow in the admin, but when `publish_scheduled` later
publishes it."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from blog.models import PostPage
from notifications.models import Notification
from tests.admin_forms import post_form_data
from tests.factories import BlogIndexPageFactory, PostPageFactory, UserFactory, publish

pytestmark = pytest.mark.django_db

ADMIN_DATETIME = "%Y-%m-%d %H:%M"


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def editor(client):
    user = UserFactory(username="scheduling-editor", groups=["Editors"])
    client.force_login(user)
    return user


def live_texts(user):
    notifications = Notification.objects.filter(recipient=user, verb="page_published")
    return [notification.text for notification in notifications.order_by("pk")]


def tomorrow():
    return timezone.localtime() + timedelta(days=1)


def run_publish_scheduled_at(moment, run_on_commit):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        run_on_commit(call_command, "publish_scheduled")


def test_scheduling_a_new_page_says_nothing_until_it_goes_live(client, editor, run_on_commit):
    blog = BlogIndexPageFactory(slug="blog")
    go_live = tomorrow()
    add = reverse("wagtailadmin_pages:add", args=("blog", "postpage", blog.pk))
    form = post_form_data(
        "Tomorrow's post", "tomorrows-post", "publish", go_live_at=go_live.strftime(ADMIN_DATETIME)
    )
    response = run_on_commit(client.post, add, form)
    assert response.status_code == 302, response.content[:500]
    page = PostPage.objects.get(slug="tomorrows-post")
    assert not page.live and page.go_live_at is not None
    assert live_texts(editor) == []

    run_publish_scheduled_at(timezone.now(), run_on_commit)  # not due yet
    assert live_texts(editor) == []

    run_publish_scheduled_at(go_live + timedelta(minutes=1), run_on_commit)
    assert PostPage.objects.get(pk=page.pk).live
    assert live_texts(editor) == ["“Tomorrow's post” is live"]


def test_scheduling_changes_to_a_live_page_says_nothing_until_they_go_live(
    client, editor, run_on_commit
):
    blog = BlogIndexPageFactory(slug="blog")
    page = PostPageFactory(parent=blog, title="Ferries", slug="ferries", owner=editor)
    page = run_on_commit(publish, page)
    assert live_texts(editor) == ["“Ferries” is live"]
    Notification.objects.all().delete()
    go_live = tomorrow()
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    form = post_form_data(
        "Ferries, revised", "ferries", "publish", go_live_at=go_live.strftime(ADMIN_DATETIME)
    )
    response = run_on_commit(client.post, edit, form)
    assert response.status_code == 302, response.content[:500]
    assert PostPage.objects.get(pk=page.pk).title == "Ferries"  # the change waits
    assert live_texts(editor) == []

    run_publish_scheduled_at(go_live + timedelta(minutes=1), run_on_commit)
    assert PostPage.objects.get(pk=page.pk).title == "Ferries, revised"
    assert live_texts(editor) == ["“Ferries, revised” is live"]


def test_publishing_now_says_it_is_live_at_once(client, editor, run_on_commit):
    blog = BlogIndexPageFactory(slug="blog")
    add = reverse("wagtailadmin_pages:add", args=("blog", "postpage", blog.pk))
    response = run_on_commit(client.post, add, post_form_data("Today", "today", "publish"))
    assert response.status_code == 302, response.content[:500]
    assert PostPage.objects.get(slug="today").live
    assert live_texts(editor) == ["“Today” is live"]
