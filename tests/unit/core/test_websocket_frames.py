"""Oversized and too deeply nested frames get error frames on a socket that
stays open (core/websocket.py), on every consumer, through the full ASGI
stack with channels' WebsocketCommunicator."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from chat.rooms.models import Room
from config.asgi import application
from core.websocket import MAX_JSON_DEPTH
from tests.factories import UserFactory

pytestmark = pytest.mark.asyncio

HEADERS = [(b"origin", b"http://testserver"), (b"host", b"testserver")]

# 70,000 bytes: over the consumers' 64 KiB, under Daphne's 1 MiB.
OVERSIZED = json.dumps({"type": "ask", "question": "x" * 70_000})
# 25,000 characters but 75,000 bytes: the limit is on bytes.
OVERSIZED_MULTIBYTE = json.dumps({"type": "ask", "question": "€" * 25_000}, ensure_ascii=False)
# 4 KB of nesting: Python's decoder runs out of recursion on it.
DEEP_ARRAYS = "[" * 2048 + "]" * 2048
# Decodes fine (under the recursion limit), but nests past MAX_JSON_DEPTH.
DEEP_OBJECT = '{"type": "ask", "question": "hi", "x": ' + '{"a": ' * 500 + "1" + "}" * 501


def nested(depth):
    """A frame whose arrays and objects nest exactly `depth` levels."""
    value = 1
    for _ in range(depth - 1):
        value = [value]
    return json.dumps({"type": "nope", "x": value} if depth > 1 else {"type": "nope"})


BAD_FRAMES = [
    (OVERSIZED, "frame_too_large"),
    (OVERSIZED_MULTIBYTE, "frame_too_large"),
    (DEEP_ARRAYS, "frame_too_deep"),
    (DEEP_OBJECT, "frame_too_deep"),
    (nested(MAX_JSON_DEPTH + 1), "frame_too_deep"),
]


async def assert_refused_and_still_usable(socket, unknown_code="unknown_type"):
    for text, code in BAD_FRAMES:
        await socket.send_to(text_data=text)
        error = await socket.receive_json_from(timeout=5)
        assert error["type"] == "error" and error["code"] == code, (text[:40], error)
        assert error["message"]
        if code == "frame_too_large":
            assert error["max_bytes"] == 65536
    # Not closed (no 1011): the next frame is answered as usual.
    await socket.send_to(text_data=nested(MAX_JSON_DEPTH))
    assert (await socket.receive_json_from(timeout=5))["code"] == unknown_code
    assert await socket.receive_nothing(timeout=0.2)


# Channels closes old database connections around each message; nothing is queried.
@pytest.mark.django_db
async def test_assistant_socket():
    socket = WebsocketCommunicator(application, "/ws/assistant/", headers=HEADERS)
    assert (await socket.connect())[0]
    await assert_refused_and_still_usable(socket)
    await socket.disconnect()


@pytest.mark.django_db
async def test_the_limit_comes_from_settings(settings):
    settings.WEBSOCKET_MAX_FRAME_BYTES = 2048
    socket = WebsocketCommunicator(application, "/ws/assistant/", headers=HEADERS)
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "ask", "question": "y" * 2100})
    error = await socket.receive_json_from()
    assert (error["code"], error["max_bytes"]) == ("frame_too_large", 2048)
    await socket.send_json_to({"type": "nope", "text": "y" * 1900})  # under the limit
    assert (await socket.receive_json_from())["code"] == "unknown_type"
    await socket.disconnect()


@sync_to_async
def signed_in_headers(username):
    client = Client()
    client.force_login(UserFactory(username=username))
    return [*HEADERS, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_chat_room_socket():
    await sync_to_async(Room.objects.create)(name="Lounge", slug="lounge")
    headers = await signed_in_headers("frames-room")
    socket = WebsocketCommunicator(application, "/ws/rooms/lounge/", headers=headers)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from())["type"] == "history"
    assert (await socket.receive_json_from())["type"] == "presence"
    await assert_refused_and_still_usable(socket)
    await socket.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_notification_socket():
    headers = await signed_in_headers("frames-bell")
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from())["type"] == "unread_count"
    await assert_refused_and_still_usable(socket)
    await socket.disconnect()
