"""Avatar uploads are fully decoded while the form is cleaned: PNGs crafted
byte by byte (an oversized text chunk, a truncated image, a decompression
bomb) are refused with a form error through the profile view, never a 500,
and nothing is stored."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from accounts.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNREADABLE = "That file is not a picture we can read."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def chunk(kind, data):
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width=8, height=8, *, before_image=b"", after_image=b"", image_data=None):
    """An RGB PNG with extra chunks before or after its IDAT."""
    rows = b"".join(b"\x00" + b"\x20\x80\x40" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + before_image
        + chunk(b"IDAT", zlib.compress(rows) if image_data is None else image_data)
        + after_image
        + chunk(b"IEND", b"")
    )


def oversized_ztxt():
    """A zTXt chunk of about 2 KB that inflates past PngImagePlugin.MAX_TEXT_CHUNK."""
    text = b"A" * (PngImagePlugin.MAX_TEXT_CHUNK * 2)
    return chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(text, 9))


def oversized_itxt():
    text = b"B" * (PngImagePlugin.MAX_TEXT_CHUNK * 2)
    return chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + zlib.compress(text, 9))


def upload_avatar(client, data):
    return client.post(
        reverse("accounts_profile"),
        {"display_name": "Typed name", "bio": "", "avatar": SimpleUploadedFile("me.png", data)},
    )


@pytest.fixture
def reader(client):
    user = UserFactory(username="rita")
    client.force_login(user)
    return user


def test_the_crafted_png_passes_a_header_check():
    # What the old validation did (open + verify) accepts the chunk after the
    # image data: only decoding reaches it.
    with Image.open(io.BytesIO(png(after_image=oversized_ztxt()))) as image:
        image.verify()
    with (
        pytest.raises(ValueError, match="MAX_TEXT_CHUNK"),
        Image.open(io.BytesIO(png(after_image=oversized_ztxt()))) as image,
    ):
        image.load()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(png(after_image=oversized_ztxt()), UNREADABLE, id="zTXt-after-image-data"),
        pytest.param(png(before_image=oversized_ztxt()), UNREADABLE, id="zTXt-before-image-data"),
        pytest.param(png(after_image=oversized_itxt()), UNREADABLE, id="iTXt-after-image-data"),
        pytest.param(
            png(image_data=zlib.compress(b"\x00" * 10)), UNREADABLE, id="truncated-image-data"
        ),
        pytest.param(png(width=64, height=64)[:-40], UNREADABLE, id="cut-off-file"),
        pytest.param(png(image_data=b"not zlib at all"), UNREADABLE, id="corrupt-image-data"),
        pytest.param(
            png(width=20_000, height=20_000),
            "The picture has too many pixels; the limit is 4000x4000.",
            id="decompression-bomb",
        ),
    ],
)
def test_undecodable_pngs_are_a_form_error(client, reader, media_root, data, message):
    response = upload_avatar(client, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Typed name"' in html
    assert not Profile.objects.filter(user=reader, display_name="Typed name").exists()
    assert not (media_root / "avatars").exists()


def test_a_large_declared_size_is_refused_before_decoding(client, reader):
    response = upload_avatar(client, png(width=4001, height=1))
    assert response.status_code == 200
    assert "The picture is 4001x1 pixels; the limit is 4000x4000." in response.content.decode()


def test_a_crafted_png_with_a_small_text_chunk_is_accepted(client, reader, media_root):
    note = chunk(b"tEXt", b"Comment\x00hello")
    response = upload_avatar(client, png(width=40, height=30, after_image=note))
    assert response.status_code == 302
    profile = Profile.objects.get(user=reader)
    assert profile.display_name == "Typed name"
    with Image.open(media_root / profile.avatar.name) as stored:
        assert (stored.format, stored.size) == ("WEBP", (256, 256))
        assert "Comment" not in stored.info
