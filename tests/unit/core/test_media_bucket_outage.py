"""A media bucket that does not answer costs an editor a form error and a
reader nothing but the images not rendered yet; a document download answers
the site's 503. The storage is the production one (MediaBucketStorage, real
botocore) aimed at the discard port, where nothing answers.
tests/integration/test_media_s3.py does the same against a real S3 server."""

import html
import io
import json
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from core import media_storage
from core.errors import is_outage
from core.media_forms import STORAGE_UNAVAILABLE_MESSAGE
from tests.factories import (
    BlogIndexPageFactory,
    PostPageFactory,
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
)

pytestmark = pytest.mark.django_db

DEAD_BUCKET = "http://127.0.0.1:9"


@pytest.fixture
def dead_bucket(settings, monkeypatch):
    """Media in a bucket nobody answers for; counts the reads that reach botocore."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "core.media_storage.MediaBucketStorage",
            "OPTIONS": {
                "bucket_name": "pressroom-media",
                "endpoint_url": DEAD_BUCKET,
                "region_name": "us-east-1",
                "access_key": "test-key",
                "secret_key": "test-secret",
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": True,
                "client_config": Config(
                    signature_version="s3v4",
                    connect_timeout=1,
                    read_timeout=1,
                    retries={"mode": "standard", "max_attempts": 1},
                ),
            },
        },
    }
    settings.AWS_S3_RETRY_SECONDS = 60
    settings.WAGTAILIMAGES_IMAGE_FORM_BASE = "core.media_forms.ImageForm"
    settings.WAGTAILDOCS_DOCUMENT_FORM_BASE = "core.media_forms.DocumentForm"
    monkeypatch.setattr(media_storage, "read_breaker", media_storage.new_read_breaker())
    reads = []
    real_open = media_storage.S3Storage._open

    def counting_open(storage, name, mode="rb"):
        reads.append(name)
        return real_open(storage, name, mode)

    monkeypatch.setattr(media_storage.S3Storage, "_open", counting_open)
    return reads


def png(name="lost.png"):
    buffer = io.BytesIO()
    PillowImage.new("RGB", (32, 20), "red").save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


def image_in_the_bucket():
    """An image row whose original is (said to be) in the bucket, never rendered."""
    return get_image_model().objects.create(
        title=f"Harbour {uuid.uuid4().hex[:8]}",
        file=f"original_images/harbour-{uuid.uuid4().hex[:8]}.png",
        width=320,
        height=200,
    )


def test_the_add_image_form_refuses_the_upload_with_a_clear_error(admin_client, dead_bucket):
    response = admin_client.post(
        "/admin/images/add/", {"title": "Lost?", "file": png(), "tags": ""}
    )
    assert response.status_code == 200
    assert STORAGE_UNAVAILABLE_MESSAGE in html.unescape(response.content.decode())
    assert not get_image_model().objects.filter(title="Lost?").exists()


def test_the_multiple_uploader_answers_the_error_in_its_json(admin_client, dead_bucket):
    response = admin_client.post("/admin/images/multiple/add/", {"files[]": png("many.png")})
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer["success"] is False
    assert STORAGE_UNAVAILABLE_MESSAGE in answer["error_message"]
    assert get_image_model().objects.count() == 0


def test_the_add_document_form_refuses_the_upload_with_a_clear_error(admin_client, dead_bucket):
    response = admin_client.post(
        "/admin/documents/add/",
        {"title": "Minutes", "file": ContentFile(b"minutes", name="minutes.txt"), "tags": ""},
    )
    assert response.status_code == 200
    assert STORAGE_UNAVAILABLE_MESSAGE in html.unescape(response.content.decode())
    assert get_document_model().objects.count() == 0


def test_a_page_renders_without_images_it_cannot_read_and_stops_asking(client, dead_bucket):
    post = PostPageFactory(
        parent=BlogIndexPageFactory(), title="On the harbour", hero_image=image_in_the_bucket()
    )
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory())
    product = ProductPageFactory(parent=category, social_image=image_in_the_bucket())
    first = client.get(post.url)
    assert first.status_code == 200
    assert "On the harbour" in first.content.decode()
    assert len(dead_bucket) == 1
    # The process now leaves unread images out without asking the bucket.
    for page in (post, product):
        response = client.get(page.url)
        assert response.status_code == 200
        assert page.title in response.content.decode()
    assert len(dead_bucket) == 1


def test_a_document_download_answers_503_with_retry_after(admin_user, dead_bucket):
    document = get_document_model().objects.create(title="Minutes", file="documents/minutes.txt")
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get(f"/documents/{document.pk}/{document.filename}")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(
    ("status", "outage"), [(500, True), (503, True), (403, False), (404, False)]
)
def test_a_bucket_answering_a_server_error_is_an_outage_and_a_refusal_is_not(status, outage):
    error = ClientError(
        {"Error": {"Code": str(status)}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "HeadObject",
    )
    assert is_outage(error) is outage
