"""CDN purge on publish: the right URLs reach the purge endpoint after commit."""

import uuid
from urllib.parse import urlsplit

import pytest

from core import frontend_cache
from tests.community import live_post
from tests.factories import publish
from tests.purge_server import PurgeServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def purge_server(settings):
    server = PurgeServer()
    settings.WAGTAILFRONTENDCACHE = {
        "http": {"BACKEND": "core.frontend_cache.HTTPPurgeBackend", "LOCATION": server.url}
    }
    yield server
    server.stop()


def purged_paths(server):
    return {path for method, path, host in server.requests if method == "PURGE"}


def test_publish_purges_the_page_its_listings_feeds_tags_and_sitemap(
    purge_server, django_capture_on_commit_callbacks
):
    post = live_post(live=False)
    post.tags.set(["rye"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post = publish(post)
        assert purge_server.requests == []  # nothing leaves before the commit
    assert callbacks
    blog = post.get_parent().url
    assert {
        post.url,
        blog,
        f"{blog}feed/",
        f"{blog}feed/atom/",
        f"{blog}tag/rye/",
        f"{blog}tag/rye/feed/",
        "/sitemap.xml",
        "/",
    } <= purged_paths(purge_server)
    # The CDN is told which site's URL to purge.
    assert {host for _, _, host in purge_server.requests} == {urlsplit(post.full_url).netloc}


def test_unpublish_purges_the_page(purge_server, django_capture_on_commit_callbacks):
    post = publish(live_post())
    purge_server.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post.unpublish()
    assert post.url in purged_paths(purge_server)


def test_a_move_purges_the_old_and_the_new_url(purge_server, django_capture_on_commit_callbacks):
    post = publish(live_post())
    old_url = post.url
    other_blog = live_post().get_parent()
    purge_server.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post.move(other_blog, pos="last-child")
    post.refresh_from_db()
    paths = purged_paths(purge_server)
    assert old_url in paths and post.url in paths and old_url != post.url


def test_a_refused_purge_never_fails_the_publish(settings, django_capture_on_commit_callbacks):
    server = PurgeServer(status=503)
    settings.WAGTAILFRONTENDCACHE = {
        "http": {"BACKEND": "core.frontend_cache.HTTPPurgeBackend", "LOCATION": server.url}
    }
    try:
        post = live_post(live=False)
        with django_capture_on_commit_callbacks(execute=True):
            post = publish(post)
        assert post.live
        assert server.requests  # tried (and the task retries with backoff)
    finally:
        server.stop()


def test_purging_is_off_by_default(settings, django_capture_on_commit_callbacks):
    assert settings.WAGTAILFRONTENDCACHE == {}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(live_post(live=False))
    assert not any("purge" in repr(callback) for callback in callbacks)
    assert not frontend_cache.purging_enabled()


def test_cloudflare_receives_the_urls_and_a_refusal_raises_for_a_retry(
    settings, django_capture_on_commit_callbacks
):
    from wagtail.contrib.frontend_cache.utils import get_backends

    server = PurgeServer()
    settings.WAGTAILFRONTENDCACHE = {
        "cloudflare": {
            "BACKEND": "core.frontend_cache.CloudflarePurgeBackend",
            "ZONEID": "zone-1",
            "BEARER_TOKEN": "token",
            "API_URL": server.url,
        }
    }
    try:
        post = live_post(live=False)
        with django_capture_on_commit_callbacks(execute=True):
            post = publish(post)
        assert server.requests[0][:2] == ("POST", "/zones/zone-1/purge_cache")
        assert post.full_url in server.purged_files
        assert post.get_parent().full_url + "feed/" in server.purged_files

        server.status = 400  # Cloudflare answers {"success": false, "errors": [...]}
        backend = get_backends()["cloudflare"]
        with pytest.raises(frontend_cache.PurgeFailed, match="refused"):
            backend.purge_batch([post.full_url])
    finally:
        server.stop()


@pytest.fixture
def cloudfront(monkeypatch):
    """A local server speaking CloudFront's API (moto's), with one distribution."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in {
        "AWS_ENDPOINT_URL_CLOUDFRONT": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("cloudfront")
    origin = {
        "Id": "site",
        "DomainName": "example.com",
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
        },
    }
    config = {
        "CallerReference": f"pressroom-test-{uuid.uuid4()}",
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all"},
        "Comment": "",
        "Enabled": True,
    }
    distribution = client.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    yield client, distribution
    server.stop()


def test_cloudfront_invalidates_the_page_paths(
    settings, cloudfront, django_capture_on_commit_callbacks
):
    client, distribution = cloudfront
    settings.WAGTAILFRONTENDCACHE = {
        "cloudfront": {
            "BACKEND": "core.frontend_cache.CloudFrontPurgeBackend",
            "DISTRIBUTION_ID": distribution,
        }
    }
    post = live_post(live=False)
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(post)
    invalidations = client.list_invalidations(DistributionId=distribution)["InvalidationList"]
    (summary,) = invalidations["Items"]
    batch = client.get_invalidation(DistributionId=distribution, Id=summary["Id"])
    paths = set(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
    assert {post.url, post.get_parent().url + "feed/", "/sitemap.xml"} <= paths


def test_a_cloudfront_refusal_raises_for_a_retry(settings, cloudfront):
    from wagtail.contrib.frontend_cache.utils import get_backends

    settings.WAGTAILFRONTENDCACHE = {
        "cloudfront": {
            "BACKEND": "core.frontend_cache.CloudFrontPurgeBackend",
            "DISTRIBUTION_ID": "NO-SUCH-DISTRIBUTION",
        }
    }
    with pytest.raises(frontend_cache.PurgeFailed, match="CloudFront"):
        get_backends()["cloudfront"].purge_batch(["https://example.com/blog/"])
