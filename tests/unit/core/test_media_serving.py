"""Local media: public image files and avatars are served from /media/;
documents only through Wagtail's serve view, however the path is spelled."""

import uuid

import pytest

from core.media import public_media_path
from tests.factories import ImageFactory, UserFactory
from tests.restricted_media import TRICK_PATHS, restricted_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def canary():
    return f"RESTRICTED-CANARY-{uuid.uuid4().hex}"


@pytest.fixture
def document(canary, media_root):
    document = restricted_document(canary)
    # The file really is where the tricks aim: under MEDIA_ROOT/documents/.
    stored = media_root / document.file.name
    assert document.file.name.startswith("documents/")
    assert stored.read_text() == canary
    return document


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_the_document_is_restricted_through_wagtails_serve_view(client, document, canary):
    url = f"/documents/{document.pk}/{document.filename}"
    refused = client.get(url)
    assert refused.status_code == 302
    assert refused.url.startswith("/accounts/login/")
    assert canary.encode() not in body(refused)

    client.force_login(UserFactory())
    allowed = client.get(url)
    assert allowed.status_code == 200
    assert body(allowed) == canary.encode()


@pytest.mark.parametrize("trick", TRICK_PATHS)
def test_no_spelling_of_a_document_path_serves_it(client, document, canary, trick):
    response = client.get(trick.format(name=document.filename))
    assert response.status_code == 404
    assert canary.encode() not in body(response)


def test_logged_in_users_get_no_document_from_media_either(client, document, canary):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for trick in TRICK_PATHS[:6]:
        response = client.get(trick.format(name=document.filename))
        assert response.status_code == 404, trick
        assert canary.encode() not in body(response)


def test_image_originals_renditions_and_avatars_are_still_served(client, media_root):
    image = ImageFactory()
    rendition = image.get_rendition("fill-80x60")
    avatar = media_root / "avatars" / f"{uuid.uuid4().hex}.webp"
    avatar.parent.mkdir()
    avatar.write_bytes(b"RIFF-avatar-bytes")
    for url, path in [
        (image.file.url, media_root / image.file.name),
        (rendition.url, media_root / rendition.file.name),
        (f"/media/avatars/{avatar.name}", avatar),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert body(response) == path.read_bytes()
    assert image.file.url.startswith("/media/original_images/")
    assert rendition.url.startswith("/media/images/")


def test_other_folders_and_write_methods_are_refused(client, media_root):
    (media_root / "wagtail_uploads").mkdir()
    (media_root / "wagtail_uploads" / "pending.png").write_bytes(b"in-progress upload")
    (media_root / "images").mkdir()
    (media_root / "images" / "pic.png").write_bytes(b"picture")
    assert client.get("/media/wagtail_uploads/pending.png").status_code == 404
    assert client.get("/media/images/").status_code == 404
    assert client.get("/media/images").status_code == 404
    assert client.get("/media/images/.hidden").status_code == 404
    assert client.post("/media/images/pic.png").status_code == 405
    assert client.head("/media/images/pic.png").status_code == 200


def test_a_symbolic_link_cannot_lead_out_of_a_public_folder(client, document, canary, media_root):
    (media_root / "images").mkdir()
    (media_root / "images" / "minutes.txt").symlink_to(media_root / document.file.name)
    response = client.get("/media/images/minutes.txt")
    assert response.status_code == 404
    assert canary.encode() not in body(response)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("images/pic.fill-80x60.png", "images/pic.fill-80x60.png"),
        ("original_images/caf\u00e9_1.jpg", "original_images/caf\u00e9_1.jpg"),
        ("avatars/0f3c.webp", "avatars/0f3c.webp"),
        ("avatar_images/avatar_1_me.png", "avatar_images/avatar_1_me.png"),
        ("documents/report.pdf", None),
        ("/documents/report.pdf", None),
        ("images/../documents/report.pdf", None),
        ("images/%2e%2e/documents/report.pdf", None),
        ("images/sub/pic.png", None),
        ("images/pic.png.", None),
        ("images/pic\x00.png", None),
        ("images\\pic.png", None),
        ("Images/pic.png", None),
        ("", None),
    ],
)
def test_public_media_path_allows_only_canonical_public_files(path, expected):
    assert public_media_path(path) == expected
