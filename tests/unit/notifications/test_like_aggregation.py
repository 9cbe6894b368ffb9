"""Likes fold into one unread notification per target that counts distinct
people: unliking and liking again is still one person, and each new person
moves the unread count, on the page and in the socket frame the bell gets."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from blog.models import Author
from community import likes
from config.asgi import application
from notifications.models import Notification
from notifications.services import unread_count
from tests.factories import BlogIndexPageFactory, PostPageFactory, UserFactory, publish


def make_authored_post(slug):
    writer = UserFactory(username=f"writer-{slug}", first_name="Wren", last_name="Writer")
    author = Author.objects.create(name="Wren Writer", slug=f"wren-{slug}", user=writer)
    post = PostPageFactory(parent=BlogIndexPageFactory(slug=f"blog-{slug}"), title="Night ferry")
    post.authors.set([author])
    return publish(post), writer


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run `action` and the after-commit work it queues (signal, notification)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.mark.django_db
def test_unlike_and_like_again_is_still_one_person(run_on_commit):
    post, writer = make_authored_post("relike")
    rita = UserFactory(username="rita", first_name="Rita", last_name="Reader")
    run_on_commit(likes.set_like, rita, post, True)
    run_on_commit(likes.set_like, rita, post, False)
    run_on_commit(likes.set_like, rita, post, True)

    [notification] = Notification.objects.filter(recipient=writer)
    assert notification.data["count"] == 1
    assert notification.text == "Rita Reader liked “Night ferry”"
    assert unread_count(writer) == 1


@pytest.mark.django_db
def test_a_new_person_joining_the_notification_moves_the_unread_count(run_on_commit):
    post, writer = make_authored_post("newcomer")
    rita = UserFactory(username="rita2", first_name="Rita", last_name="Reader")
    kofi = UserFactory(username="kofi", first_name="Kofi", last_name="Mensah")
    run_on_commit(likes.set_like, rita, post, True)
    assert unread_count(writer) == 1

    run_on_commit(likes.set_like, kofi, post, True)
    [notification] = Notification.objects.filter(recipient=writer)
    assert notification.data["count"] == 2
    assert notification.text == "Kofi Mensah and 1 other liked “Night ferry”"
    assert unread_count(writer) == 2
    # Rita again (after an unlike) adds nobody.
    run_on_commit(likes.set_like, rita, post, False)
    run_on_commit(likes.set_like, rita, post, True)
    assert Notification.objects.get(recipient=writer).data["count"] == 2
    assert unread_count(writer) == 2

    # The page the reader sees agrees: the bell's badge and label.
    client = Client()
    client.force_login(writer)
    html = client.get("/notifications/").content.decode()
    assert '<span class="bell__count" data-bell-count>2</span>' in html
    assert 'aria-label="Notifications, 2 unread"' in html
    assert "Kofi Mensah and 1 other liked “Night ferry”" in html

    # Read, it stops counting; the next like starts a new notification.
    notification.read_at = notification.created_at
    notification.save()
    assert unread_count(writer) == 0
    run_on_commit(likes.set_like, UserFactory(username="late"), post, True)
    assert Notification.objects.filter(recipient=writer).count() == 2
    assert unread_count(writer) == 1


@sync_to_async
def socket_setup():
    post, writer = make_authored_post("socket")
    first = UserFactory(username="first-liker", first_name="Ines", last_name="Laurent")
    second = UserFactory(username="second-liker", first_name="Mei", last_name="Tanaka")
    likes.set_like(first, post, True)
    client = Client()
    client.force_login(writer)
    return post, writer, first, second, client.cookies["sessionid"].value


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_the_bell_socket_hears_when_a_new_person_joins_and_not_a_repeat():
    post, _writer, first, second, session = await socket_setup()
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", f"sessionid={session}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    # The first like, and the publish notice the writer got as the author.
    assert await communicator.receive_json_from() == {"type": "unread_count", "count": 2}

    await sync_to_async(likes.set_like)(second, post, True)
    frame = await communicator.receive_json_from(timeout=3)
    assert frame["type"] == "notification"
    assert frame["unread_count"] == 3
    assert frame["notification"]["text"] == "Mei Tanaka and 1 other liked “Night ferry”"
    assert "actor_ids" not in frame["notification"]["data"]

    # The first person unlikes and likes again: nobody new, no frame.
    await sync_to_async(likes.set_like)(first, post, False)
    await sync_to_async(likes.set_like)(first, post, True)
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()
