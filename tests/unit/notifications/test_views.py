"""The bell, the notifications page, marking read and preferences."""

import datetime

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.asgi import application
from notifications.models import Notification, NotificationPreference
from notifications.services import notify
from tests.factories import UserFactory


def page_published(user, title, url="/blog/x/"):
    return notify([user], "page_published", data={"title": title, "url": url})[0]


@pytest.mark.django_db
def test_the_bell_shows_the_unread_count_on_page_load(client):
    reader = UserFactory(username="bell-reader")
    page_published(reader, "First")
    page_published(reader, "Second")
    assert "data-notifications" not in client.get("/").content.decode()  # anonymous: no bell
    client.force_login(reader)
    html = client.get("/").content.decode()
    assert 'aria-label="Notifications, 2 unread"' in html
    assert '<span class="bell__count" data-bell-count>2</span>' in html


@pytest.mark.django_db
def test_recent_dropdown_and_marking_read(client):
    reader = UserFactory(username="dropdown-reader")
    other = UserFactory(username="dropdown-other")
    first = page_published(reader, "Ferries")
    page_published(reader, "Trams")
    theirs = page_published(other, "Not yours")
    client.force_login(reader)
    html = client.get(reverse("notifications:recent")).content.decode()
    assert "“Trams” is live" in html and "“Ferries” is live" in html
    assert html.index("Trams") < html.index("Ferries")  # newest first
    assert "Not yours" not in html
    assert html.count("just now") == 2
    Notification.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=3)
    )
    assert "3\xa0hours ago" in client.get(reverse("notifications:recent")).content.decode()

    response = client.post(reverse("notifications:read", args=(first.pk,)), {"open": "1"})
    assert response.status_code == 302 and response.url == "/blog/x/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.post(reverse("notifications:read", args=(theirs.pk,))).status_code == 404

    client.post(reverse("notifications:read_all"))
    assert Notification.objects.for_user(reader).unread().count() == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get(reverse("notifications:count")).json() == {"unread_count": 0}


@pytest.mark.django_db
def test_an_open_link_never_leaves_the_site(client):
    reader = UserFactory(username="redirect-reader")
    evil = notify([reader], "page_published", data={"title": "x", "url": "https://evil.example/"})[
        0
    ]
    client.force_login(reader)
    response = client.post(reverse("notifications:read", args=(evil.pk,)), {"open": "1"})
    assert response.url == reverse("notifications:list")


@pytest.mark.django_db
def test_notifications_page_paginates(client):
    reader = UserFactory(username="paged-reader")
    for number in range(25):
        page_published(reader, f"Page {number}")
    client.force_login(reader)
    html = client.get(reverse("notifications:list")).content.decode()
    assert html.count('class="notifications__item') == 20
    assert "Page 1 of 2" in html
    assert (
        client.get(reverse("notifications:list"), {"page": 2})
        .content.decode()
        .count('class="notifications__item')
        == 5
    )


@pytest.mark.django_db
def test_preferences_are_saved_per_event(client):
    reader = UserFactory(username="prefs-reader")
    client.force_login(reader)
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert "Someone comments on your page" in html
    data = {"comment_posted__by_email": "on", "liked__on_site": "on"}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    chosen = {
        row.verb: (row.on_site, row.by_email)
        for row in NotificationPreference.objects.filter(user=reader)
    }
    assert chosen["comment_posted"] == (False, True)
    assert chosen["liked"] == (True, False)
    assert chosen["page_published"] == (False, False)


@pytest.mark.django_db
def test_views_need_a_signed_in_user_and_csrf():
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(reverse("notifications:list")).status_code == 302
    reader = UserFactory(username="csrf-notifications")
    page_published(reader, "Guarded")
    browser.force_login(reader)
    assert browser.post(reverse("notifications:read_all")).status_code == 403
    assert Notification.objects.for_user(reader).unread().count() == 1


@pytest.mark.django_db
def test_editors_see_the_count_in_the_wagtail_admin_menu(client):
    editor = UserFactory(username="admin-bell", groups=["Editors"])
    page_published(editor, "Admin count")
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Notifications (1)" in html
    assert "js/notifications" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_marking_read_in_one_tab_updates_the_others():
    reader = await sync_to_async(UserFactory)(username="two-tabs")
    await sync_to_async(page_published)(reader, "Tabs")
    client = Client()
    await sync_to_async(client.force_login)(reader)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    tabs = []
    for _ in range(2):
        tab = WebsocketCommunicator(
            application,
            "/ws/notifications/",
            headers=[
                (b"origin", b"http://testserver"),
                (b"host", b"testserver"),
                (b"cookie", cookie),
            ],
        )
        assert (await tab.connect())[0]
        assert await tab.receive_json_from() == {"type": "unread_count", "count": 1}
        tabs.append(tab)
    await tabs[0].send_json_to({"type": "mark_all_read"})
    for tab in tabs:
        assert await tab.receive_json_from() == {"type": "unread_count", "count": 0}
        await tab.disconnect()
