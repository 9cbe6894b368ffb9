"""Restricted documents never leak through /media/ on the real server: each
path trick is sent byte for byte over a raw HTTP connection to a Daphne
process (test settings, FileSystemStorage), so no client normalises it."""

import http.client
import tempfile
import uuid
from pathlib import Path

import pytest
from django.test import Client

from tests import servers
from tests.factories import ImageFactory, UserFactory
from tests.restricted_media import TRICK_PATHS, restricted_document


@pytest.fixture(scope="module")
def shared_media_root():
    """One MEDIA_ROOT for this test process and its Daphne."""
    return Path(tempfile.mkdtemp(prefix="pressroom-media-"))


@pytest.fixture(scope="module")
def media_daphne(django_db_setup, service_settings_env, shared_media_root):
    server = servers.Daphne(
        extra_env={**service_settings_env, "DJANGO_MEDIA_ROOT": str(shared_media_root)},
        name="daphne-media",
    )
    yield server
    server.stop()


@pytest.fixture
def media_root(settings, shared_media_root):
    settings.MEDIA_ROOT = shared_media_root
    return shared_media_root


def raw_get(server, path, cookie=None):
    """(status, headers, body) of a GET whose request line carries `path`
    exactly as given."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        if cookie:
            connection.putheader("Cookie", cookie)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_no_path_trick_serves_a_restricted_document(live_db, media_daphne, media_root):
    canary = f"RESTRICTED-CANARY-{uuid.uuid4().hex}"
    document = restricted_document(canary)
    assert (media_root / document.file.name).read_text() == canary

    # Wagtail's serve view refuses a visitor and serves a signed-in reader.
    serve_url = f"/documents/{document.pk}/{document.filename}"
    status, headers, body = raw_get(media_daphne, serve_url)
    assert status == 302 and headers["Location"].startswith("/accounts/login/")
    assert canary.encode() not in body
    reader = session_cookie(UserFactory(username=f"reader-{uuid.uuid4().hex[:8]}"))
    assert raw_get(media_daphne, serve_url, cookie=reader)[2] == canary.encode()

    superuser = session_cookie(
        UserFactory(username=f"boss-{uuid.uuid4().hex[:8]}", is_staff=True, is_superuser=True)
    )
    served = []
    for trick in TRICK_PATHS:
        path = trick.format(name=document.filename)
        for cookie in (None, superuser):
            status, _, body = raw_get(media_daphne, path, cookie=cookie)
            if status != 404 or canary.encode() in body:
                served.append((path, status, canary.encode() in body))
    assert served == []


def test_images_are_still_served_by_the_real_server(live_db, media_daphne, media_root):
    image = ImageFactory()
    rendition = image.get_rendition("fill-80x60")
    for url, name in [(image.file.url, image.file.name), (rendition.url, rendition.file.name)]:
        status, headers, body = raw_get(media_daphne, url)
        assert status == 200, url
        assert headers["Content-Type"].startswith("image/")
        assert body == (media_root / name).read_bytes()
