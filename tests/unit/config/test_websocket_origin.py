"""The WebSocket origin check compares scheme, host and port
(config/websocket_origin.py), through the full ASGI stack with channels'
WebsocketCommunicator: a refused handshake is closed before it is accepted."""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application

# Channels closes old database connections around each socket; nothing is queried.
pytestmark = [pytest.mark.django_db, pytest.mark.asyncio]

PROXY = "10.231.0.10"


async def handshake(origin, host="testserver", scheme=None, peer="198.51.100.9", extra=()):
    """True when the assistant socket accepts a handshake with these headers."""
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    headers.extend((name.encode(), value.encode()) for name, value in extra)
    communicator = WebsocketCommunicator(application, "/ws/assistant/", headers=headers)
    if scheme is not None:
        communicator.scope["scheme"] = scheme
    communicator.scope["client"] = (peer, 40000)
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        ("http://testserver", "testserver", "ws"),
        ("http://testserver", "testserver", None),  # ASGI's default scheme is ws
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "ws"),  # make run
        ("http://localhost:53127", "localhost:53127", "ws"),  # a test server
        ("https://testserver", "testserver", "wss"),
        ("https://testserver", "testserver:443", "wss"),
        ("HTTP://TestServer", "testserver", "ws"),
    ],
)
async def test_the_sites_own_origin_is_accepted(origin, host, scheme):
    assert await handshake(origin, host, scheme)


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        ("https://evil.example", "testserver", "ws"),
        ("http://testserver", "testserver", "wss"),  # a plain-HTTP page on an https site
        ("https://testserver", "testserver", "ws"),
        ("http://testserver:8080", "testserver", "ws"),  # another port of the same host
        ("http://127.0.0.1:8001", "127.0.0.1:8000", "ws"),
        ("http://sub.testserver", "testserver", "ws"),
        ("http://evil.example", "evil.example", "ws"),  # a host not in ALLOWED_HOSTS
        ("null", "testserver", "ws"),
        ("http://testserver/path", "testserver", "ws"),
        ("http://user@testserver", "testserver", "ws"),
        ("ftp://testserver", "testserver", "ws"),
        (None, "testserver", "ws"),
        ("http://testserver", None, "ws"),
    ],
)
async def test_other_origins_are_refused(origin, host, scheme):
    assert not await handshake(origin, host, scheme)


async def test_csrf_trusted_origins_are_accepted_with_their_scheme_and_port(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.com", "https://*.pressroom.example"]
    assert await handshake("https://app.example.com")
    assert await handshake("https://app.example.com:443")
    assert await handshake("https://news.pressroom.example")
    assert not await handshake("http://app.example.com")
    assert not await handshake("https://app.example.com:8443")
    assert not await handshake("http://news.pressroom.example")
    assert not await handshake("https://pressroom.example.evil.test")


async def test_https_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    forwarded = [("x-forwarded-proto", "https"), ("x-forwarded-for", "203.0.113.7")]
    # The proxy terminated TLS: Daphne sees ws, the page was https.
    assert await handshake("https://testserver", scheme="ws", peer=PROXY, extra=forwarded)
    assert not await handshake("http://testserver", scheme="ws", peer=PROXY, extra=forwarded)
    # The same header from anyone else changes nothing.
    assert not await handshake("https://testserver", scheme="ws", extra=forwarded)


async def test_repeated_origin_headers_are_refused():
    assert not await handshake("http://testserver", extra=[("origin", "https://evil.example")])
