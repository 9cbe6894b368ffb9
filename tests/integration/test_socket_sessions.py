"""Logging out through the real Daphne closes that session's open socket,
with the close sent across Redis (the pub/sub channel layer)."""

import json
import secrets
import urllib.parse
import urllib.request
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

SIGNED_OUT = 4401


def browser_session():
    name = f"ws-out-{uuid.uuid4().hex[:8]}"
    user = get_user_model().objects.create_user(name, f"{name}@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_logout_closes_the_sessions_socket_and_no_other(live_db, daphne):
    leaving, staying = browser_session(), browser_session()

    def open_socket(session_key):
        return connect(
            f"{daphne.ws_url}/ws/notifications/",
            additional_headers={"Cookie": f"sessionid={session_key}", "Origin": daphne.url},
            open_timeout=10,
        )

    with open_socket(leaving) as closing, open_socket(staying) as other:
        for socket in (closing, other):
            assert json.loads(socket.recv(timeout=10))["type"] == "unread_count"
        csrf = secrets.token_hex(16)
        request = urllib.request.Request(
            f"{daphne.url}/accounts/logout/",
            data=urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode(),
            headers={
                "Cookie": f"sessionid={leaving}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
        )
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            assert response.status == 302
        with pytest.raises(ConnectionClosed) as closed:
            closing.recv(timeout=10)
        assert closed.value.rcvd.code == SIGNED_OUT
        # The other session's socket is still open and answers.
        other.send(json.dumps({"type": "nope"}))
        assert json.loads(other.recv(timeout=10))["code"] == "unknown_type"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Return redirects as they are (the logout's 302), without following."""

    def http_error_302(self, req, fp, code, msg, headers):
        return fp
