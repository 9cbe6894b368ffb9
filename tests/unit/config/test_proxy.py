"""The client address and scheme come from X-Forwarded-* only when the direct
peer is a trusted proxy (config/proxy.py), and every rate limit uses that
address: allauth, axes, the assistant and search."""

import pytest
from allauth.account.adapter import get_adapter
from axes.helpers import get_client_ip_address
from channels.testing import HttpCommunicator
from django.test import RequestFactory

from config.asgi import application
from config.proxy import TrustedProxyMiddleware, rate_limit_address, resolve_scope
from config.settings.base import env

PROXY = "10.231.0.10"


def scope(peer, *headers, kind="http"):
    """An ASGI scope from `peer` carrying the given (name, value) headers."""
    return {
        "type": kind,
        "scheme": "http" if kind == "http" else "ws",
        "client": (peer, 51000),
        "headers": [(name.encode(), value.encode()) for name, value in headers],
    }


def resolved(peer, *headers, trusted=(PROXY,), kind="http"):
    result = resolve_scope(scope(peer, *headers, kind=kind), list(trusted))
    return result["client"][0], result["scheme"]


# Untrusted peers --------------------------------------------------------------


def test_nobody_is_trusted_by_default(settings):
    assert settings.TRUSTED_PROXIES == []
    original = scope("198.51.100.9", ("x-forwarded-for", "1.2.3.4"), ("x-forwarded-proto", "https"))
    assert resolve_scope(original, []) is original


@pytest.mark.parametrize(
    "forwarded_for",
    ["1.2.3.4", "1.2.3.4, 10.231.0.10", "2001:db8::1", "garbage", ""],
)
def test_an_untrusted_peer_cannot_choose_its_address_or_scheme(forwarded_for):
    original = scope(
        "198.51.100.9", ("x-forwarded-for", forwarded_for), ("x-forwarded-proto", "https")
    )
    assert resolve_scope(original, [PROXY]) is original  # untouched


# Trusted proxies ------------------------------------------------------------


def test_a_trusted_proxy_sets_the_client_address_and_scheme():
    assert resolved(PROXY, ("x-forwarded-for", "203.0.113.7"), ("x-forwarded-proto", "https")) == (
        "203.0.113.7",
        "https",
    )


def test_websocket_scheme_follows_the_forwarded_proto():
    assert resolved(PROXY, ("x-forwarded-proto", "https"), kind="websocket")[1] == "wss"
    assert resolved(PROXY, ("x-forwarded-proto", "http"), kind="websocket")[1] == "ws"


def test_a_spoofed_chain_yields_the_address_the_proxy_saw():
    # The client sent "X-Forwarded-For: 6.6.6.6, 10.231.0.10"; nginx appended
    # the address it saw. Only that right-most untrusted entry counts.
    header = ("x-forwarded-for", "6.6.6.6, 10.231.0.10, 203.0.113.7")
    assert resolved(PROXY, header)[0] == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    header = ("x-forwarded-for", "6.6.6.6, 203.0.113.7, 172.16.4.2")
    assert resolved(PROXY, header, trusted=[PROXY, "172.16.0.0/12"])[0] == "203.0.113.7"


def test_repeated_headers_are_read_as_one_list():
    headers = [("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.7")]
    assert resolved(PROXY, *headers)[0] == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("2001:DB8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("203.0.113.7:4711", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_addresses_are_normalised(forwarded_for, expected):
    assert resolved(PROXY, ("x-forwarded-for", forwarded_for))[0] == expected


def test_ipv6_proxies_and_mapped_peers_are_recognised():
    header = ("x-forwarded-for", "203.0.113.7")
    assert resolved("2001:db8:ffff::5", header, trusted=["2001:db8:ffff::/48"])[0] == "203.0.113.7"
    assert resolved(f"::ffff:{PROXY}", header)[0] == "203.0.113.7"


@pytest.mark.parametrize(
    "forwarded_for",
    ["not-an-ip", "203.0.113.7 garbage", "[2001:db8::1", "1.2.3.4:port", "", " , "],
)
def test_garbage_keeps_the_proxys_own_address(forwarded_for):
    assert resolved(PROXY, ("x-forwarded-for", forwarded_for))[0] == PROXY


def test_garbage_left_of_the_client_is_never_read():
    assert resolved(PROXY, ("x-forwarded-for", "<script>, 203.0.113.7"))[0] == "203.0.113.7"


def test_unknown_forwarded_proto_keeps_the_scheme():
    assert resolved(PROXY, ("x-forwarded-proto", "gopher"))[1] == "http"
    assert resolved(PROXY, ("x-forwarded-proto", "http, https"))[1] == "https"


def test_without_headers_a_trusted_peer_is_the_client():
    assert resolved(PROXY) == (PROXY, "http")


# Settings ---------------------------------------------------------------------


def test_trusted_proxies_setting_rejects_what_is_not_an_address(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12, ::1")
    assert env.ip_networks("TRUSTED_PROXIES", []) == ["10.0.0.1", "172.16.0.0/12", "::1"]
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1,nginx")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES: 'nginx'"):
        env.ip_networks("TRUSTED_PROXIES", [])


def test_ipv6_rate_limits_count_the_whole_64():
    assert rate_limit_address("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert rate_limit_address("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert rate_limit_address("203.0.113.7") == "203.0.113.7"


# Every limit reads REMOTE_ADDR, never the headers ------------------------------


def test_allauth_and_axes_use_remote_addr_only():
    request = RequestFactory().post(
        "/accounts/login/",
        REMOTE_ADDR="198.51.100.9",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
        HTTP_X_REAL_IP="5.6.7.8",
    )
    assert get_adapter().get_client_ip(request) == "198.51.100.9"
    assert get_client_ip_address(request) == "198.51.100.9"
    # Even the path axes takes when django-ipware is installed.
    assert get_client_ip_address(request, use_ipware=True) == "198.51.100.9"


@pytest.mark.asyncio
async def test_middleware_passes_other_scope_types_through():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    lifespan = {"type": "lifespan", "client": (PROXY, 1)}
    await TrustedProxyMiddleware(app)(lifespan, None, None)
    assert seen == [lifespan]


# Through the whole ASGI application: the search rate limit -----------------------


async def search(peer, forwarded_for):
    communicator = HttpCommunicator(
        application,
        "GET",
        "/search/?query=lighthouse",
        headers=[(b"host", b"testserver"), (b"x-forwarded-for", forwarded_for.encode())],
    )
    communicator.scope["client"] = (peer, 40000)
    response = await communicator.get_response(timeout=10)
    return response["status"]


# The views run in another thread: commit for real, restore the site after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_random_forwarded_for_from_an_untrusted_peer_does_not_escape_a_limit(settings):
    settings.SEARCH_RATE_LIMIT = 2
    settings.TRUSTED_PROXIES = []
    statuses = [await search("198.51.100.9", f"203.0.113.{n}") for n in range(3)]
    assert statuses == [200, 200, 429]


# The views run in another thread: commit for real, restore the site after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_a_trusted_proxys_forwarded_for_gives_each_client_its_own_limit(settings):
    settings.SEARCH_RATE_LIMIT = 2
    settings.TRUSTED_PROXIES = [PROXY]
    assert [await search(PROXY, "203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert await search(PROXY, "203.0.113.2") == 200
