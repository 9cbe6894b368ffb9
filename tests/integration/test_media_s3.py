"""Media on S3, on the real stack: gunicorn with the production storage
settings against a real S3-protocol server (moto's standalone server, over
HTTP on localhost), driven through the real admin by a logged-in editor.

Uploads land in a private bucket; renditions are written there and served
from it through signed URLs; a restricted document is reachable only through
Wagtail's serve view. A hung bucket and a stopped one cost an editor a form
error (nothing saved, nothing lost) and a reader nothing on pages whose
images were already rendered; both recover without a restart. Statuses,
bytes and saved rows are asserted; never timings.
"""

import html
import io
import re
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from django.contrib.auth import get_user_model
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from tests import servers
from tests.factories import BlogIndexPageFactory, PostPageFactory
from tests.live import wait_until

PASSWORD = "correct horse battery staple"
UNAVAILABLE = "The media storage cannot be reached, so the file was not saved."


@pytest.fixture(scope="module")
def media_web(django_db_setup, service_settings_env, s3_server):
    """gunicorn serving HTTP with media in the test bucket. Short bounds, so
    each request to a hung bucket gives up after about 2 x (1 + 2) seconds,
    and reads are tried again one second after a failure."""
    env = {
        **service_settings_env,
        **s3_server.env(),
        "AWS_S3_CONNECT_TIMEOUT": "1",
        "AWS_S3_READ_TIMEOUT": "2",
        "AWS_S3_MAX_ATTEMPTS": "2",
        "AWS_S3_RETRY_SECONDS": "1",
    }
    web = servers.Gunicorn(env, "gunicorn-media-s3", workers=1, threads=4)
    yield web
    web.stop()


@pytest.fixture
def editor(live_db, media_web):
    """An httpx client logged in to the admin as a new superuser, through the
    real login form."""
    name = f"editor{uuid.uuid4().hex[:8]}"
    get_user_model().objects.create_superuser(name, f"{name}@example.com", PASSWORD)
    client = httpx.Client(base_url=media_web.url, follow_redirects=False, timeout=60)
    login_page = client.get("/admin/login/")
    response = client.post(
        "/admin/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(login_page.text),
            "username": name,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302, response.text[:300]
    yield client
    client.close()


@pytest.fixture
def private_collection(live_db):
    """A collection only logged-in users may view."""
    collection = Collection.get_first_root_node().add_child(name=f"Board {uuid.uuid4().hex[:8]}")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    return collection


def csrf_token(page_html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_html).group(1)


def png_bytes(color):
    """A real 320 x 200 PNG, so renditions have something to resize."""
    buffer = io.BytesIO()
    PillowImage.new("RGB", (320, 200), color).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, kind, title, filename, content, collection=None):
    """Post the admin's add form for `kind` ("images" or "documents") as the
    browser does; the response."""
    form = client.get(f"/admin/{kind}/add/")
    assert form.status_code == 200, form.text[:300]
    data = {"csrfmiddlewaretoken": csrf_token(form.text), "title": title, "tags": ""}
    if collection is not None:
        data["collection"] = str(collection.pk)
    elif 'name="collection"' in form.text:
        data["collection"] = str(Collection.get_first_root_node().pk)
    return client.post(f"/admin/{kind}/add/", data=data, files={"file": (filename, content)})


def upload_image(client, s3_server):
    """An image uploaded through the admin; its saved row, checked against the bucket."""
    title = f"Harbour {uuid.uuid4().hex[:8]}"
    content = png_bytes("teal")
    response = upload(client, "images", title, "harbour.png", content)
    assert response.status_code == 302, response.text[:500]
    image = get_image_model().objects.get(title=title)
    assert s3_server.object_bytes(image.file.name) == content
    return image


def post_with_hero(image):
    """A live post under a new blog index, showing `image` as its hero."""
    index = BlogIndexPageFactory(slug=f"blog-{uuid.uuid4().hex[:8]}")
    return PostPageFactory(
        parent=index, slug=f"post-{uuid.uuid4().hex[:8]}", title="On the harbour", hero_image=image
    )


def media_urls(page_html, endpoint_url):
    """Every URL on the page that points into the bucket (src and srcset)."""
    found = re.findall(re.escape(endpoint_url) + r'[^"\s,]+', page_html)
    return sorted({html.unescape(url) for url in found})


def test_uploads_land_in_a_private_bucket_and_renditions_are_served_signed(
    editor, media_web, s3_server
):
    image = upload_image(editor, s3_server)
    bucket = s3_server.client()
    acl = bucket.get_object_acl(Bucket=s3_server.bucket, Key=image.file.name)
    assert [grant["Grantee"]["Type"] for grant in acl["Grants"]] == ["CanonicalUser"]

    post = post_with_hero(image)
    page = httpx.get(f"{media_web.url}{post.url}", timeout=60)
    assert page.status_code == 200
    urls = media_urls(page.text, s3_server.endpoint_url)
    assert urls, "the post shows no image from the bucket"

    # Every rendition the page uses was written to the bucket and is served
    # from it through its signed URL (signature version 4), and only so.
    renditions = image.renditions.all()
    assert renditions.count() >= 3
    stored = {
        entry["Key"]
        for entry in bucket.list_objects_v2(Bucket=s3_server.bucket, Prefix="images/")["Contents"]
    }
    assert {rendition.file.name for rendition in renditions} <= stored
    for url in urls:
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url, url
        served = httpx.get(url, timeout=30)
        assert served.status_code == 200, url
        assert served.headers["content-type"].startswith("image/")
        key = urlsplit(url).path.removeprefix(f"/{s3_server.bucket}/")
        assert served.content == s3_server.object_bytes(key)
        unsigned = url.split("?")[0]
        assert httpx.get(unsigned, timeout=30).status_code == 403


def test_a_restricted_document_is_reachable_only_through_the_serve_view(
    editor, media_web, s3_server, private_collection
):
    canary = f"BOARD-MINUTES-{uuid.uuid4().hex}".encode()
    title = f"Minutes {uuid.uuid4().hex[:8]}"
    response = upload(editor, "documents", title, "minutes.txt", canary, private_collection)
    assert response.status_code == 302, response.text[:500]
    document = get_document_model().objects.get(title=title)
    assert document.collection == private_collection
    assert s3_server.object_bytes(document.file.name) == canary

    # The bucket refuses the object to anyone without a signature...
    direct = f"{s3_server.endpoint_url}/{s3_server.bucket}/{document.file.name}"
    assert httpx.get(direct, timeout=30).status_code == 403
    # ...and Wagtail's view sends a visitor to log in, not to the bucket,
    serve_url = f"{media_web.url}/documents/{document.pk}/{document.filename}"
    visitor = httpx.get(serve_url, timeout=30)
    assert visitor.status_code == 302
    assert urlsplit(visitor.headers["location"]).path == "/accounts/login/"
    assert canary not in visitor.content
    # ...while a logged-in reader gets the bytes from the view itself.
    served = editor.get(f"/documents/{document.pk}/{document.filename}")
    assert served.status_code == 200
    assert served.content == canary
    assert s3_server.endpoint_url not in served.headers.get("location", "")


def test_a_hung_bucket_costs_a_form_error_and_pages_still_render(
    editor, media_web, s3_server, private_collection
):
    shown = upload_image(editor, s3_server)
    shown_post = post_with_hero(shown)
    assert httpx.get(f"{media_web.url}{shown_post.url}", timeout=60).status_code == 200
    # An image in the bucket whose renditions were never made.
    unseen_post = post_with_hero(upload_image(editor, s3_server))
    canary = f"HUNG-{uuid.uuid4().hex}".encode()
    title = f"Hung minutes {uuid.uuid4().hex[:8]}"
    added = upload(editor, "documents", title, "m.txt", canary, private_collection)
    assert added.status_code == 302
    document = get_document_model().objects.get(title=title)
    images_before = get_image_model().objects.count()

    s3_server.pause_server()
    try:
        rejected = upload(editor, "images", "Lost?", "lost.png", png_bytes("red"))
        assert rejected.status_code == 200
        assert UNAVAILABLE in rejected.text
        assert get_image_model().objects.count() == images_before

        page = httpx.get(f"{media_web.url}{shown_post.url}", timeout=60)
        assert page.status_code == 200
        assert "X-Amz-Signature=" in page.text
        # The rendition cannot be made: the page shows the rest, not an error.
        unseen = httpx.get(f"{media_web.url}{unseen_post.url}", timeout=60)
        assert unseen.status_code == 200
        assert "On the harbour" in unseen.text

        download = editor.get(f"/documents/{document.pk}/{document.filename}")
        assert download.status_code == 503
        assert download.headers["retry-after"] == "30"
        assert canary not in download.content and "Traceback" not in download.text
    finally:
        s3_server.resume_server()

    # Back by itself (reads are tried again after AWS_S3_RETRY_SECONDS), with
    # every object intact.
    wait_until(
        lambda: editor.get(f"/documents/{document.pk}/{document.filename}").content == canary,
        timeout=30,
        message="the document after the bucket returned",
    )
    upload_image(editor, s3_server)
    # The page gets its image once the process tries the bucket again.
    wait_until(
        lambda: "X-Amz-Signature=" in httpx.get(f"{media_web.url}{unseen_post.url}").text,
        timeout=30,
        message="the unrendered image after the bucket returned",
    )


def test_a_stopped_bucket_costs_a_form_error_then_uploads_recover(editor, media_web, s3_server):
    shown_post = post_with_hero(upload_image(editor, s3_server))
    assert httpx.get(f"{media_web.url}{shown_post.url}", timeout=60).status_code == 200
    documents_before = get_document_model().objects.count()

    s3_server.stop_server()
    try:
        for kind, filename, content in [
            ("images", "lost.png", png_bytes("red")),
            ("documents", "lost.txt", b"not lost, never taken"),
        ]:
            rejected = upload(editor, kind, f"Refused {uuid.uuid4().hex[:8]}", filename, content)
            assert rejected.status_code == 200, (kind, rejected.text[:300])
            assert UNAVAILABLE in rejected.text
        assert get_document_model().objects.count() == documents_before
        page = httpx.get(f"{media_web.url}{shown_post.url}", timeout=60)
        assert page.status_code == 200
        assert "X-Amz-Signature=" in page.text
    finally:
        s3_server.start_server()

    # The server came back (empty, as moto keeps objects in memory): uploads
    # work again in the same gunicorn process.
    upload_image(editor, s3_server)
    title = f"After {uuid.uuid4().hex[:8]}"
    assert upload(editor, "documents", title, "after.txt", b"after").status_code == 302
    document = get_document_model().objects.get(title=title)
    assert editor.get(f"/documents/{document.pk}/{document.filename}").content == b"after"
