"""A WebSocket client connected to a real Daphne process receives what another
process sent through channels-redis."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from notifications.services import notify


def login_cookie(username):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw")
    client = Client()
    client.force_login(user)
    return user, f"sessionid={client.cookies['sessionid'].value}"


def test_notification_sent_from_this_process_reaches_the_daphne_socket(live_db, daphne):
    user, cookie = login_cookie(f"ws-{uuid.uuid4().hex[:8]}")
    with connect(
        f"{daphne.ws_url}/ws/notifications/",
        additional_headers={"Cookie": cookie, "Origin": daphne.url},
        open_timeout=10,
    ) as socket:
        assert json.loads(socket.recv(timeout=10)) == {"type": "unread_count", "count": 0}
        # This pytest process is not Daphne: the message crosses Redis.
        notify([user], "page_published", data={"title": "From another process", "url": "/x/"})
        frame = json.loads(socket.recv(timeout=10))
    assert frame["type"] == "notification"
    assert frame["notification"]["verb"] == "page_published"
    assert frame["notification"]["text"] == "“From another process” is live"
    assert frame["notification"]["url"] == "/x/"
    assert frame["unread_count"] == 1


def test_daphne_closes_anonymous_and_refuses_cross_origin_sockets(live_db, daphne):
    # Anonymous: accepted, then closed with 4401 so the browser learns why
    # and stops reconnecting; nothing is ever sent.
    with (
        connect(
            f"{daphne.ws_url}/ws/notifications/",
            additional_headers={"Origin": daphne.url},
            open_timeout=10,
        ) as socket,
        pytest.raises(ConnectionClosed),
    ):
        socket.recv(timeout=10)
    assert socket.close_code == 4401

    _, cookie = login_cookie(f"ws-{uuid.uuid4().hex[:8]}")
    with pytest.raises(InvalidStatus) as foreign:
        connect(
            f"{daphne.ws_url}/ws/notifications/",
            additional_headers={"Cookie": cookie, "Origin": "https://evil.example"},
        )
    assert foreign.value.response.status_code == 403
