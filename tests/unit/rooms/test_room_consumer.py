"""The chat room socket through the full ASGI stack (origin check, session
auth, routing) with channels' WebsocketCommunicator and the in-memory layer."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from chat.rooms import consumers as room_consumer
from chat.rooms import presence
from chat.rooms.models import Room, RoomMessage
from community.models import Ban
from config.asgi import application
from tests.factories import UserFactory

# Consumers run database work in other threads, so tests commit for real; the
# serialized rollback restores the migrated home page and site after each one.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


@sync_to_async
def make_user(username, groups=(), **extra):
    return UserFactory(username=username, groups=list(groups), **extra)


@sync_to_async
def make_room(slug="lounge", **extra):
    return Room.objects.create(name=slug.title(), slug=slug, **extra)


@sync_to_async
def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(room_slug, user=None):
    """A socket as a browser opens it: (communicator, connected)."""
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", f"sessionid={await session_cookie(user)}".encode()))
    communicator = WebsocketCommunicator(application, f"/ws/rooms/{room_slug}/", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def join(room, user=None):
    """A connected member: (socket, history frame); the presence frame that
    follows the history is consumed."""
    socket, connected = await open_socket(room.slug, user)
    assert connected
    history = await socket.receive_json_from()
    assert history["type"] == "history"
    assert (await socket.receive_json_from())["type"] == "presence"
    return socket, history


async def next_of(socket, frame_type, timeout=3):
    """The next frame of a type, skipping others (presence updates)."""
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


async def close_all(*sockets):
    for socket in sockets:
        await socket.disconnect()


@sync_to_async
def saved_messages(room):
    return list(RoomMessage.objects.filter(room=room).order_by("pk"))


@sync_to_async
def add_messages(room, author, count):
    now = timezone.now()
    return RoomMessage.objects.bulk_create(
        RoomMessage(
            room=room, author=author, text=f"message {n}", created_at=now.replace(microsecond=n)
        )
        for n in range(count)
    )


async def test_members_receive_each_others_messages():
    room = await make_room()
    alice = await make_user("alice", first_name="Alice", last_name="Archer")
    bob = await make_user("bob")
    alice_socket, _ = await join(room, alice)
    bob_socket, _ = await join(room, bob)

    await alice_socket.send_json_to({"type": "message", "text": "  Hello, room!  "})
    for socket in (alice_socket, bob_socket):
        frame = await next_of(socket, "message")
        assert frame["author"] == "Alice Archer"
        assert frame["text"] == "Hello, room!"
        assert frame["can_delete"] is False
    [saved] = await saved_messages(room)
    assert (saved.text, saved.author_id, frame["id"]) == ("Hello, room!", alice.pk, saved.pk)
    assert frame["created_at"] == saved.created_at.isoformat()
    await close_all(alice_socket, bob_socket)


async def test_messages_of_one_room_never_reach_another():
    lounge = await make_room("lounge")
    kitchen = await make_room("kitchen")
    alice = await make_user("alice")
    alice_socket, _ = await join(lounge, alice)
    kitchen_socket, _ = await join(kitchen)
    # Frames cannot choose a room: only the URL does.
    await alice_socket.send_json_to(
        {"type": "message", "text": "for the lounge", "room": "kitchen", "group": "room-2"}
    )
    assert (await next_of(alice_socket, "message"))["text"] == "for the lounge"
    assert await kitchen_socket.receive_nothing(timeout=0.3)
    await close_all(alice_socket, kitchen_socket)


async def test_anonymous_visitors_read_but_cannot_post():
    room = await make_room()
    alice = await make_user("alice")
    anonymous, history = await join(room)
    assert history["messages"] == []
    await anonymous.send_json_to({"type": "message", "text": "let me in"})
    error = await next_of(anonymous, "error")
    assert error["code"] == "login_required"
    assert await saved_messages(room) == []

    alice_socket, _ = await join(room, alice)
    await alice_socket.send_json_to({"type": "message", "text": "welcome, reader"})
    assert (await next_of(anonymous, "message"))["text"] == "welcome, reader"
    await close_all(anonymous, alice_socket)


async def test_history_is_the_last_50_visible_messages_oldest_first():
    room = await make_room()
    alice = await make_user("alice")
    messages = await add_messages(room, alice, 60)
    deleted = messages[-3]
    deleted.deleted_at = timezone.now()
    await sync_to_async(deleted.save)()

    socket, history = await join(room)
    ids = [frame["id"] for frame in history["messages"]]
    visible = [message.pk for message in messages if message.pk != deleted.pk]
    assert ids == visible[-50:]
    assert history["messages"][0] == {
        "id": visible[-50],
        "author": "Test " + alice.last_name,
        "text": "message 9",
        "created_at": messages[9].created_at.isoformat(),
        "time_label": messages[9].time_label,
        "can_delete": False,
    }
    await socket.disconnect()


async def test_messages_persist_across_a_reconnect():
    room = await make_room()
    alice = await make_user("alice")
    socket, _ = await join(room, alice)
    await socket.send_json_to({"type": "message", "text": "still here later"})
    sent = await next_of(socket, "message")
    await socket.disconnect()

    again, history = await join(room, alice)
    assert [frame["id"] for frame in history["messages"]] == [sent["id"]]
    assert history["messages"][0]["text"] == "still here later"
    await again.disconnect()


async def test_a_moderator_deletes_a_message_for_everyone():
    room = await make_room()
    moderator = await make_user("mona", groups=["Moderators"])
    reader = await make_user("rita")
    reader_socket, _ = await join(room, reader)
    moderator_socket, _ = await join(room, moderator)

    await reader_socket.send_json_to({"type": "message", "text": "something rude"})
    seen_by_reader = await next_of(reader_socket, "message")
    seen_by_moderator = await next_of(moderator_socket, "message")
    assert (seen_by_reader["can_delete"], seen_by_moderator["can_delete"]) == (False, True)

    await moderator_socket.send_json_to({"type": "delete", "id": seen_by_reader["id"]})
    for socket in (reader_socket, moderator_socket):
        assert await next_of(socket, "deleted") == {"type": "deleted", "id": seen_by_reader["id"]}
    [saved] = await saved_messages(room)
    assert saved.deleted_at is not None and saved.deleted_by_id == moderator.pk

    latecomer, history = await join(room)
    assert history["messages"] == []
    await close_all(reader_socket, moderator_socket, latecomer)


async def test_superusers_may_delete_too():
    room = await make_room()
    admin = await make_user("root", is_superuser=True)
    [message] = await add_messages(room, None, 1)
    socket, history = await join(room, admin)
    assert history["messages"][0]["can_delete"] is True
    assert history["messages"][0]["author"] == "deleted user"
    await socket.send_json_to({"type": "delete", "id": message.pk})
    assert (await next_of(socket, "deleted"))["id"] == message.pk
    await socket.disconnect()


async def test_only_moderators_may_delete():
    room = await make_room()
    reader = await make_user("rita")
    [message] = await add_messages(room, reader, 1)
    reader_socket, _ = await join(room, reader)
    anonymous, _ = await join(room)
    for socket in (reader_socket, anonymous):
        await socket.send_json_to({"type": "delete", "id": message.pk})
        assert (await next_of(socket, "error"))["code"] == "forbidden"
    [saved] = await saved_messages(room)
    assert saved.deleted_at is None
    await close_all(reader_socket, anonymous)


async def test_a_moderator_cannot_delete_a_message_of_another_room():
    room = await make_room("lounge")
    other = await make_room("kitchen")
    moderator = await make_user("mona", groups=["Moderators"])
    [elsewhere] = await add_messages(other, None, 1)
    socket, _ = await join(room, moderator)
    await socket.send_json_to({"type": "delete", "id": elsewhere.pk})
    assert (await next_of(socket, "error"))["code"] == "not_found"
    [saved] = await saved_messages(other)
    assert saved.deleted_at is None
    await socket.disconnect()


async def test_presence_counts_sockets_as_they_join_and_leave():
    room = await make_room()
    first, connected = await open_socket(room.slug)
    assert connected
    await next_of(first, "history")
    assert await next_of(first, "presence") == {"type": "presence", "count": 1}

    second, _ = await open_socket(room.slug, await make_user("bob"))
    await next_of(second, "history")
    assert (await next_of(second, "presence"))["count"] == 2
    assert (await next_of(first, "presence"))["count"] == 2

    await second.disconnect()
    assert (await next_of(first, "presence"))["count"] == 1
    await first.disconnect()
    assert await sync_to_async(presence.count)(room.pk) == 0


async def test_a_burst_of_joins_is_announced_once_with_the_final_count(monkeypatch):
    room = await make_room()
    watcher, _ = await join(room)
    # A window wide enough that the five joins surely fall inside it.
    monkeypatch.setattr(room_consumer, "PRESENCE_COALESCE_SECONDS", 2.0)
    burst = []
    for _ in range(5):
        socket, connected = await open_socket(room.slug)
        assert connected
        burst.append(socket)
    # Every joiner is counted at once; the room hears of all five in one frame.
    assert await sync_to_async(presence.count)(room.pk) == 6
    assert await watcher.receive_json_from(timeout=4) == {"type": "presence", "count": 6}
    assert await watcher.receive_nothing(timeout=1)
    await close_all(watcher, *burst)


async def test_a_cancelled_socket_is_counted_out():
    # Daphne cancels every socket on shutdown, without a disconnect event.
    room = await make_room()
    socket, _ = await join(room)
    assert await sync_to_async(presence.count)(room.pk) == 1
    socket.future.cancel()
    await asyncio.wait([socket.future])
    assert await sync_to_async(presence.count)(room.pk) == 0


async def test_rate_limit_per_user(settings):
    settings.CHAT_ROOM_RATE_LIMIT = 2
    room = await make_room()
    socket, _ = await join(room, await make_user("alice"))
    for text in ("one", "two", "three"):
        await socket.send_json_to({"type": "message", "text": text})
    assert (await next_of(socket, "message"))["text"] == "one"
    assert (await next_of(socket, "message"))["text"] == "two"
    error = await next_of(socket, "error")
    assert error["code"] == "rate_limited"
    assert 1 <= error["retry_after"] <= settings.CHAT_ROOM_RATE_WINDOW + 1
    assert [message.text for message in await saved_messages(room)] == ["one", "two"]
    await socket.disconnect()


async def test_size_limit_and_empty_messages(settings):
    settings.CHAT_ROOM_MESSAGE_MAX_LENGTH = 20
    room = await make_room()
    socket, _ = await join(room, await make_user("alice"))
    await socket.send_json_to({"type": "message", "text": "x" * 21})
    error = await next_of(socket, "error")
    assert (error["code"], error["max_length"]) == ("message_too_long", 20)
    await socket.send_json_to({"type": "message", "text": " \n\t "})
    assert (await next_of(socket, "error"))["code"] == "empty_message"
    await socket.send_json_to({"type": "message", "text": "y" * 20})
    assert (await next_of(socket, "message"))["text"] == "y" * 20
    assert [message.text for message in await saved_messages(room)] == ["y" * 20]
    await socket.disconnect()


async def test_banned_users_cannot_post():
    room = await make_room()
    troll = await make_user("troll")
    await sync_to_async(Ban.objects.create)(user=troll, reason="Spam")
    socket, _ = await join(room, troll)
    await socket.send_json_to({"type": "message", "text": "buy my stuff"})
    assert (await next_of(socket, "error"))["code"] == "banned"
    assert await saved_messages(room) == []
    await socket.disconnect()


async def test_a_room_closed_while_connected_refuses_new_messages():
    room = await make_room()
    socket, _ = await join(room, await make_user("alice"))
    await sync_to_async(Room.objects.filter(pk=room.pk).update)(is_active=False)
    await socket.send_json_to({"type": "message", "text": "anyone?"})
    assert (await next_of(socket, "error"))["code"] == "room_closed"
    assert await saved_messages(room) == []
    await socket.disconnect()


async def test_every_bad_frame_gets_an_error_and_the_socket_stays_usable():
    room = await make_room()
    moderator = await make_user("mona", groups=["Moderators"])
    socket, _ = await join(room, moderator)
    bad_frames = [
        (None, b"\x00\x01", "binary_not_supported"),
        ("{not json", None, "invalid_json"),
        (json.dumps(["message", "hi"]), None, "invalid_frame"),
        (json.dumps("message"), None, "invalid_frame"),
        (json.dumps({"text": "no type"}), None, "unknown_type"),
        (json.dumps({"type": "shout", "text": "hi"}), None, "unknown_type"),
        (json.dumps({"type": "message"}), None, "invalid_text"),
        (json.dumps({"type": "message", "text": 42}), None, "invalid_text"),
        (json.dumps({"type": "delete", "id": "7"}), None, "invalid_id"),
        (json.dumps({"type": "delete", "id": True}), None, "invalid_id"),
        (json.dumps({"type": "delete", "id": 10**9}), None, "not_found"),
    ]
    for text, data, code in bad_frames:
        await socket.send_to(text_data=text, bytes_data=data)
        error = await socket.receive_json_from()
        assert error["type"] == "error" and error["code"] == code, (text, data, error)
        assert error["message"]
    await socket.send_json_to({"type": "message", "text": "still working"})
    assert (await next_of(socket, "message"))["text"] == "still working"
    await socket.disconnect()


async def test_unknown_and_closed_rooms_are_refused():
    await make_room("closed", is_active=False)
    for slug in ("nowhere", "closed"):
        socket, connected = await open_socket(slug)
        assert not connected, slug
        await socket.disconnect()
    # The URL pattern only takes slugs.
    socket = WebsocketCommunicator(
        application,
        "/ws/rooms/not a slug!/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    with pytest.raises(ValueError, match="No route found"):
        await socket.connect()
