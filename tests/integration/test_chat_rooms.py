"""Chat rooms through real Daphne processes on PostgreSQL and channels-redis:
members connected to two different processes hear each other, messages
persist across a reconnect, a moderator's deletion reaches everyone, and bad
frames get error frames on a socket that stays usable."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from chat.rooms.models import Room, RoomMessage
from tests import servers


@pytest.fixture(scope="module")
def second_daphne(django_db_setup, service_settings_env):
    """Another Daphne process on the same database, cache and channel layer,
    as behind a load balancer."""
    server = servers.Daphne(extra_env=service_settings_env, name="daphne-rooms")
    yield server
    server.stop()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def login_cookie(username, group=None):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, f"sessionid={client.cookies['sessionid'].value}"


def enter(sockets, server, room, cookie=None):
    """A socket in the room, past its history frame: (socket, history)."""
    headers = {"Origin": server.url}
    if cookie:
        headers["Cookie"] = cookie
    socket = sockets.enter_context(
        connect(
            f"{server.ws_url}/ws/rooms/{room.slug}/", additional_headers=headers, open_timeout=10
        )
    )
    history = json.loads(socket.recv(timeout=10))
    assert history["type"] == "history"
    return socket, history["messages"]


def next_frame(socket, frame_type, timeout=10):
    """The next frame of a type, skipping others (presence updates)."""
    while True:
        frame = json.loads(socket.recv(timeout=timeout))
        if frame["type"] == frame_type:
            return frame


def test_members_on_two_processes_hear_each_other_and_history_survives_reconnect(
    live_db, daphne, second_daphne, sockets
):
    room = Room.objects.create(name="Lounge", slug=unique("lounge"))
    alice, alice_cookie = login_cookie(unique("alice"))
    _, bob_cookie = login_cookie(unique("bob"))
    alice_socket, history = enter(sockets, daphne, room, alice_cookie)
    assert history == []
    assert next_frame(alice_socket, "presence")["count"] == 1
    bob_socket, _ = enter(sockets, second_daphne, room, bob_cookie)
    # Presence is one count in Redis, whichever process holds the socket.
    assert next_frame(bob_socket, "presence")["count"] == 2
    assert next_frame(alice_socket, "presence")["count"] == 2

    alice_socket.send(json.dumps({"type": "message", "text": "Hello from process one"}))
    heard_by_alice = next_frame(alice_socket, "message")
    heard_by_bob = next_frame(bob_socket, "message")
    assert heard_by_alice == heard_by_bob
    assert heard_by_bob["text"] == "Hello from process one"
    assert heard_by_bob["author"] == alice.username
    saved = RoomMessage.objects.get(room=room)
    assert (saved.pk, saved.author_id) == (heard_by_bob["id"], alice.pk)

    alice_socket.close()
    assert next_frame(bob_socket, "presence")["count"] == 1
    _, history = enter(sockets, second_daphne, room, alice_cookie)
    assert [(frame["id"], frame["text"]) for frame in history] == [
        (saved.pk, "Hello from process one")
    ]


def test_a_message_deleted_by_a_moderator_disappears_for_everyone(
    live_db, daphne, second_daphne, sockets
):
    room = Room.objects.create(name="Help", slug=unique("help"))
    _, reader_cookie = login_cookie(unique("reader"))
    moderator, moderator_cookie = login_cookie(unique("mod"), group="Moderators")
    reader_socket, _ = enter(sockets, daphne, room, reader_cookie)
    anonymous_socket, _ = enter(sockets, daphne, room)
    moderator_socket, _ = enter(sockets, second_daphne, room, moderator_cookie)

    reader_socket.send(json.dumps({"type": "message", "text": "something to regret"}))
    message = next_frame(moderator_socket, "message")
    assert message["can_delete"] is True
    assert next_frame(anonymous_socket, "message")["can_delete"] is False
    # The reader cannot delete, not even their own message.
    reader_socket.send(json.dumps({"type": "delete", "id": message["id"]}))
    assert next_frame(reader_socket, "error")["code"] == "forbidden"

    moderator_socket.send(json.dumps({"type": "delete", "id": message["id"]}))
    for socket in (reader_socket, anonymous_socket, moderator_socket):
        assert next_frame(socket, "deleted") == {"type": "deleted", "id": message["id"]}
    saved = RoomMessage.objects.get(pk=message["id"])
    assert saved.deleted_at is not None and saved.deleted_by == moderator

    _, history = enter(sockets, second_daphne, room)
    assert history == []


def test_bad_frames_get_errors_and_unknown_rooms_are_refused(live_db, daphne, sockets):
    room = Room.objects.create(name="Frames", slug=unique("frames"))
    _, cookie = login_cookie(unique("tester"))
    anonymous, _ = enter(sockets, daphne, room)
    anonymous.send(json.dumps({"type": "message", "text": "hi"}))
    assert next_frame(anonymous, "error")["code"] == "login_required"

    socket, _ = enter(sockets, daphne, room, cookie)
    for frame, code in [
        (b"\x00binary", "binary_not_supported"),
        ("{oops", "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        (json.dumps({"type": "subscribe", "group": "room-1"}), "unknown_type"),
        (json.dumps({"type": "message", "text": "x" * 501}), "message_too_long"),
        (json.dumps({"type": "message", "text": "   "}), "empty_message"),
        (json.dumps({"type": "delete", "id": 1}), "forbidden"),
    ]:
        socket.send(frame)
        assert next_frame(socket, "error")["code"] == code, frame
    socket.send(json.dumps({"type": "message", "text": "still here"}))
    assert next_frame(socket, "message")["text"] == "still here"
    assert next_frame(anonymous, "message")["text"] == "still here"

    closed = Room.objects.create(name="Closed", slug=unique("closed"), is_active=False)
    for slug in (closed.slug, unique("nowhere")):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{daphne.ws_url}/ws/rooms/{slug}/", additional_headers={"Origin": daphne.url})
        assert refused.value.response.status_code == 403
