"""The notification socket, through the full ASGI stack (origin check, session
auth, routing) with channels' WebsocketCommunicator."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from config.asgi import application
from notifications.models import Notification
from notifications.services import notify

# Serialized: a plain transactional flush re-runs post_migrate (the editorial
# groups), which breaks the serialized restore of other socket tests.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


@sync_to_async
def make_user(username):
    return get_user_model().objects.create_user(username, f"{username}@example.com", "pw")


@sync_to_async
def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def connect(user=None, origin=b"http://testserver"):
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", f"sessionid={await session_cookie(user)}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_anonymous_connections_are_closed_with_4401():
    # Accepted, then closed with 4401, so the browser sees the code (a close
    # before accepting reaches it as 1006) and stops reconnecting.
    communicator, connected, _ = await connect()
    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect()


async def test_foreign_origin_is_refused():
    user = await make_user("origin-user")
    communicator, connected, _ = await connect(user, origin=b"https://evil.example")
    assert not connected
    await communicator.disconnect()


async def test_sends_unread_count_on_connect_and_each_new_notification():
    author = await make_user("author1")
    reader = await make_user("reader1")
    await sync_to_async(notify)([author], "comment_posted", actor=reader, data={"title": "Hi"})

    communicator, connected, _ = await connect(author)
    assert connected
    assert await communicator.receive_json_from() == {"type": "unread_count", "count": 1}

    await sync_to_async(notify)([author], "page_published", actor=reader, data={"title": "Hi"})
    frame = await communicator.receive_json_from(timeout=3)
    assert frame["type"] == "notification"
    assert frame["unread_count"] == 2
    assert frame["notification"]["verb"] == "page_published"
    assert frame["notification"]["actor"] == "reader1"
    assert frame["notification"]["text"] == "“Hi” is live"
    await communicator.disconnect()


async def test_users_never_receive_each_others_notifications():
    alice = await make_user("alice")
    bob = await make_user("bob")
    bob_socket, _, _ = await connect(bob)
    await bob_socket.receive_json_from()  # unread count
    # Bob tries to subscribe to Alice's group; frames cannot choose groups.
    await bob_socket.send_json_to({"type": "subscribe", "group": f"user-{alice.pk}"})
    assert (await bob_socket.receive_json_from())["code"] == "unknown_type"

    await sync_to_async(notify)([alice], "comment_posted")
    assert await bob_socket.receive_nothing(timeout=0.5)
    await bob_socket.disconnect()


async def test_mark_read_only_touches_own_notifications():
    alice = await make_user("alice2")
    bob = await make_user("bob2")
    [alice_note] = await sync_to_async(notify)([alice], "comment_posted")
    await sync_to_async(notify)([bob], "comment_posted")

    bob_socket, _, _ = await connect(bob)
    await bob_socket.receive_json_from()
    await bob_socket.send_json_to({"type": "mark_read", "id": alice_note.pk})
    assert await bob_socket.receive_json_from() == {"type": "unread_count", "count": 1}
    await bob_socket.send_json_to({"type": "mark_all_read"})
    assert await bob_socket.receive_json_from() == {"type": "unread_count", "count": 0}
    await bob_socket.disconnect()

    assert await sync_to_async(
        Notification.objects.filter(pk=alice_note.pk, read_at__isnull=True).exists
    )()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"type": "mark_read", "id": "7"}', "invalid_id"),
        ('{"type": "mark_read", "id": true}', "invalid_id"),
        ('{"no": "type"}', "unknown_type"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_usable(frame, code):
    user = await make_user(f"bad-{code}")
    socket, _, _ = await connect(user)
    await socket.receive_json_from()
    await socket.send_to(text_data=frame)
    error = await socket.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == code
    await socket.send_json_to({"type": "mark_all_read"})
    assert await socket.receive_json_from() == {"type": "unread_count", "count": 0}
    await socket.disconnect()


async def test_binary_frames_get_an_error():
    user = await make_user("binary")
    socket, _, _ = await connect(user)
    await socket.receive_json_from()
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_json_from())["code"] == "binary_not_supported"
    await socket.disconnect()
