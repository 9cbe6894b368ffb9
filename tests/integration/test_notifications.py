"""Live notifications across processes: PostgreSQL, channels-redis, a real
Daphne process holding the sockets and a real Celery worker."""

import json
import time
import urllib.request
import uuid

import pytest
from django.test import Client
from websockets.sync.client import connect

from blog.models import Author, BlogIndexPage, PostPage
from community import posting
from home.models import HomePage
from notifications.models import Notification
from notifications.services import notify
from tests.factories import UserFactory


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def open_bell(sockets, daphne, user):
    """`user`'s notification socket, past its first frame: (socket, unread count)."""
    socket = sockets.enter_context(
        connect(
            f"{daphne.ws_url}/ws/notifications/",
            additional_headers={"Cookie": session_cookie(user), "Origin": daphne.url},
            open_timeout=10,
        )
    )
    first = json.loads(socket.recv(timeout=10))
    assert first["type"] == "unread_count"
    return socket, first["count"]


@pytest.fixture
def authored_post(live_db):
    token = uuid.uuid4().hex[:8]
    writer = UserFactory(username=f"writer-{token}", first_name="Wren", last_name="Writer")
    author = Author.objects.create(name=f"Wren {token}", slug=f"wren-{token}", user=writer)
    home = HomePage.objects.get()
    blog = home.add_child(instance=BlogIndexPage(title="Live blog", slug=f"live-{token}"))
    post = PostPage(
        title=f"Night ferry {token}",
        slug=f"ferry-{token}",
        intro="Crossing the strait after midnight.",
        body=[("paragraph", "<p>The ferry leaves the harbour at eleven every night.</p>")],
    )
    blog.add_child(instance=post)
    post.authors.set([author])
    post.save_revision().publish()
    return PostPage.objects.get(pk=post.pk), writer


def test_the_author_hears_of_a_comment_within_a_second(daphne, authored_post, sockets, settings):
    post, writer = authored_post
    reader = UserFactory(username=f"reader-{uuid.uuid4().hex[:6]}", first_name="Cora")
    socket, unread_before = open_bell(sockets, daphne, writer)
    settings.COMMUNITY_PREMODERATED_COMMENTS = 0  # a trusted reader: published at once
    started = time.monotonic()
    posting.post_comment(reader, post, "What a calm crossing that was.")
    frame = json.loads(socket.recv(timeout=5))
    elapsed = time.monotonic() - started
    assert frame["type"] == "notification"
    assert frame["notification"]["verb"] == "comment_posted"
    assert frame["notification"]["text"].endswith(f"commented on “{post.title}”")
    assert frame["unread_count"] == unread_before + 1
    assert elapsed < 1.0


def test_a_user_never_receives_anothers_notifications_even_forging_frames(daphne, live_db, sockets):
    alice = UserFactory(username=f"alice-{uuid.uuid4().hex[:6]}")
    bob = UserFactory(username=f"bob-{uuid.uuid4().hex[:6]}")
    [alices] = notify([alice], "page_published", data={"title": "Alice only"})
    socket, count = open_bell(sockets, daphne, bob)
    assert count == 0
    socket.send(json.dumps({"type": "subscribe", "group": f"user-{alice.pk}"}))
    assert json.loads(socket.recv(timeout=5))["code"] == "unknown_type"
    socket.send(json.dumps({"type": "mark_read", "id": alices.pk}))
    assert json.loads(socket.recv(timeout=5)) == {"type": "unread_count", "count": 0}
    notify([alice], "page_published", data={"title": "Also Alice's"})
    with pytest.raises(TimeoutError):
        socket.recv(timeout=1.5)
    alices.refresh_from_db()
    assert alices.read_at is None


def test_an_offline_author_sees_the_count_on_the_next_page_load(daphne, live_db):
    author = UserFactory(username=f"offline-{uuid.uuid4().hex[:6]}")
    notify([author], "page_published", data={"title": "While you were away"})
    notify([author], "page_published", data={"title": "And this"})
    request = urllib.request.Request(f"{daphne.url}/", headers={"Cookie": session_cookie(author)})
    with urllib.request.urlopen(request, timeout=30) as response:
        html = response.read().decode()
    assert 'aria-label="Notifications, 2 unread"' in html


def test_ai_tags_from_the_worker_reach_the_authors_open_socket(
    daphne, celery_worker, authored_post, sockets
):
    post, writer = authored_post
    socket, _ = open_bell(sockets, daphne, writer)
    post.intro = "Crossing the strait by night ferry, from harbour to harbour."
    post.save_revision().publish()  # the worker tags it, and tells the author
    deadline = time.monotonic() + 90
    frame = None
    while time.monotonic() < deadline:
        frame = json.loads(socket.recv(timeout=deadline - time.monotonic()))
        if frame["type"] == "notification" and frame["notification"]["verb"] == "tags_suggested":
            break
    assert frame["notification"]["verb"] == "tags_suggested"
    assert frame["notification"]["text"].startswith(f"AI suggested tags for “{post.title}”")
    assert Notification.objects.filter(recipient=writer, verb="tags_suggested").exists()
