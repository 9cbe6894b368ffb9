"""Rate limits count the address of the socket's peer, whatever X-Forwarded-For
says, unless the peer is a trusted proxy (TRUSTED_PROXIES): then the address
the proxy recorded. Against real Daphne processes on PostgreSQL and Redis.

Two Daphnes: one trusting nobody (the default), one trusting 127.0.0.1, which
stands for the reverse proxy since this test connects from there. Both keep
their cache in a Redis database of their own, so the limits this module uses
up for 127.0.0.1 never reach the other integration tests.
"""

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.contrib.auth import get_user_model
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests import servers

CHAT_RATE_LIMIT = 3
LOGIN_FAILED_PER_IP = 10  # ACCOUNT_RATE_LIMITS["login_failed"]: 10/m/ip
# allauth answers a login past that limit with the form and this error.
TOO_MANY_LOGINS = "Too many failed login attempts"
MISSING_PAGE_ID = 2_000_000_000


def isolated_env(service_settings_env, **extra):
    redis_url = servers.os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/7"
    return {
        **service_settings_env,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url.rsplit("/", 1)[0] + "/1",
        "CHAT_RATE_LIMIT": str(CHAT_RATE_LIMIT),
        **extra,
    }


@pytest.fixture(scope="module")
def untrusting_daphne(django_db_setup, service_settings_env):
    """Daphne as shipped: TRUSTED_PROXIES empty, so nobody's headers count."""
    server = servers.Daphne(
        extra_env=isolated_env(service_settings_env, TRUSTED_PROXIES=""),
        name="daphne-untrusting",
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxied_daphne(django_db_setup, service_settings_env):
    """Daphne behind a proxy at 127.0.0.1 (TRUSTED_PROXIES=127.0.0.1)."""
    server = servers.Daphne(
        extra_env=isolated_env(service_settings_env, TRUSTED_PROXIES="127.0.0.1"),
        name="daphne-proxied",
    )
    yield server
    server.stop()


def random_address():
    return f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def post(url, fields, forwarded_for):
    """POST a form as a browser would (CSRF cookie and token): (status, body)."""
    csrf = secrets.token_hex(16)  # 32 characters: Django's cookie format
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf}).encode(),
        headers={
            "Cookie": f"csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": forwarded_for,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def failed_login(server, forwarded_for):
    """A reader login with a wrong password: "refused", or "limited" once
    allauth's per-address limit is reached."""
    # A new email address every time, so only the per-address limit can trip.
    email = f"nobody-{uuid.uuid4().hex[:10]}@example.com"
    status, body = post(
        f"{server.url}/accounts/login/", {"login": email, "password": "wrong"}, forwarded_for
    )
    assert status == 200, status
    return "limited" if TOO_MANY_LOGINS in body else "refused"


def ask(server, forwarded_for, origin=None):
    """One question on a new assistant socket; the answer's first frame."""
    with connect(
        f"{server.ws_url}/ws/assistant/",
        additional_headers={"Origin": origin or server.url, "X-Forwarded-For": forwarded_for},
        open_timeout=10,
    ) as socket:
        socket.send(json.dumps({"type": "ask", "question": "Hello?", "page_id": MISSING_PAGE_ID}))
        return json.loads(socket.recv(timeout=20))


# Untrusted peers: a new X-Forwarded-For per request changes nothing --------------


def test_random_forwarded_for_does_not_escape_the_login_limit(live_db, untrusting_daphne):
    outcomes = [
        failed_login(untrusting_daphne, random_address()) for _ in range(LOGIN_FAILED_PER_IP + 1)
    ]
    assert outcomes == ["refused"] * LOGIN_FAILED_PER_IP + ["limited"]


def test_random_forwarded_for_does_not_escape_the_admin_lockout(live_db, untrusting_daphne):
    from django.conf import settings

    username = f"chief-{uuid.uuid4().hex[:8]}"
    get_user_model().objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    url = f"{untrusting_daphne.url}/admin/login/"
    statuses = [
        post(url, {"username": username, "password": "wrong"}, random_address())[0]
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses[0] == 200
    assert statuses[-1] == 429, statuses


def test_random_forwarded_for_does_not_escape_the_assistant_limit(live_db, untrusting_daphne):
    frames = [ask(untrusting_daphne, random_address()) for _ in range(CHAT_RATE_LIMIT + 1)]
    assert [frame["code"] for frame in frames[:CHAT_RATE_LIMIT]] == ["page_not_found"] * 3
    assert frames[-1]["code"] == "rate_limited" and frames[-1]["retry_after"] >= 1


def test_forwarded_proto_from_anyone_is_ignored_by_the_origin_check(live_db, untrusting_daphne):
    https_origin = untrusting_daphne.url.replace("http://", "https://")
    with pytest.raises(InvalidStatus) as refused:
        connect(
            f"{untrusting_daphne.ws_url}/ws/assistant/",
            additional_headers={"Origin": https_origin, "X-Forwarded-Proto": "https"},
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403


# A trusted proxy: the address it recorded is the client's ------------------------


def test_a_trusted_proxys_header_gives_each_client_its_own_login_limit(live_db, proxied_daphne):
    client = random_address()
    outcomes = [failed_login(proxied_daphne, client) for _ in range(LOGIN_FAILED_PER_IP + 1)]
    assert outcomes == ["refused"] * LOGIN_FAILED_PER_IP + ["limited"]
    # Another client behind the same proxy is not limited.
    assert failed_login(proxied_daphne, random_address()) == "refused"
    # The client cannot escape by prepending addresses: the right-most counts.
    assert failed_login(proxied_daphne, f"{random_address()}, {client}") == "limited"


def test_a_trusted_proxys_header_gives_each_client_its_own_assistant_limit(live_db, proxied_daphne):
    client = random_address()
    frames = [ask(proxied_daphne, client) for _ in range(CHAT_RATE_LIMIT + 1)]
    assert frames[-1]["code"] == "rate_limited"
    assert ask(proxied_daphne, random_address())["code"] == "page_not_found"


def test_a_trusted_proxys_https_is_the_sockets_scheme(live_db, proxied_daphne):
    https_origin = proxied_daphne.url.replace("http://", "https://")
    with connect(
        f"{proxied_daphne.ws_url}/ws/assistant/",
        additional_headers={"Origin": https_origin, "X-Forwarded-Proto": "https"},
        open_timeout=10,
    ) as socket:
        socket.send(json.dumps({"type": "nope"}))
        assert json.loads(socket.recv(timeout=10))["code"] == "unknown_type"
    # The same page over plain http is another origin once the proxy says https.
    with pytest.raises(InvalidStatus):
        connect(
            f"{proxied_daphne.ws_url}/ws/assistant/",
            additional_headers={"Origin": proxied_daphne.url, "X-Forwarded-Proto": "https"},
            open_timeout=10,
        )
