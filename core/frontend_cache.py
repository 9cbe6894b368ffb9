"""CDN purge on publish through Wagtail's frontend cache backends.

A publish, unpublish, move or deletion purges the page, its ancestors'
listings and feeds, its tag listings and the sitemap from the CDN named in
`WAGTAILFRONTENDCACHE` (built from the environment in settings; empty, the
default, turns purging off). The URLs are worked out at the change, and
`core.tasks.purge_frontend_cache` sends them once the change commits, through
Celery's durable path (parked while the broker is down, retried with backoff
when the CDN refuses), so a purge never slows or fails a publish and a lost
connection does not lose it.

`wagtail.contrib.frontend_cache` is deliberately not an installed app: its
own signal handlers purge inside the publish request and only log failures.
"""

import json
import logging
import uuid
from urllib.error import HTTPError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

from django.conf import settings
from wagtail.contrib.frontend_cache.backends.cloudflare import CloudflareBackend
from wagtail.contrib.frontend_cache.backends.cloudfront import CloudfrontBackend
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest

logger = logging.getLogger(__name__)

FEED_SUFFIXES = ("", "feed/", "feed/atom/")


class PurgeFailed(OSError):
    """A CDN refused a purge or could not be reached: the purge task retries
    (an OSError, like the HTTP purger's network errors)."""


class HTTPPurgeBackend(HTTPBackend):
    """Wagtail's generic HTTP PURGE backend (Varnish, Fastly-style caches),
    raising on failure so the purge task retries instead of only logging."""

    def purge(self, url):
        parts = urlsplit(url)
        request = PurgeRequest(
            url=urlunsplit([self.cache_scheme, self.cache_netloc, parts.path, parts.query, ""]),
            headers={"Host": parts.netloc, "User-Agent": "Pressroom-frontendcache"},
        )
        with urlopen(request, timeout=settings.FRONTEND_CACHE_TIMEOUT):  # noqa: S310 (configured)
            pass


class CloudflarePurgeBackend(CloudflareBackend):
    """Wagtail's Cloudflare backend, raising PurgeFailed where Wagtail only
    logs, so the purge task retries. `API_URL` (FRONTEND_CACHE_CLOUDFLARE_API_URL)
    is Cloudflare's v4 API unless a compatible endpoint is named."""

    def __init__(self, params):
        self.api_url = params.pop("API_URL", "https://api.cloudflare.com/client/v4").rstrip("/")
        super().__init__(params)

    def _purge_urls(self, urls):
        headers = {"Content-Type": "application/json"}
        if self.cloudflare_token:
            headers["Authorization"] = f"Bearer {self.cloudflare_token}"
        else:
            headers["X-Auth-Email"] = self.cloudflare_email
            headers["X-Auth-Key"] = self.cloudflare_api_key
        request = Request(  # noqa: S310 (the configured API's https URL)
            f"{self.api_url}/zones/{self.cloudflare_zoneid}/purge_cache",
            data=json.dumps({"files": urls}).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urlopen(request, timeout=settings.FRONTEND_CACHE_TIMEOUT) as response:  # noqa: S310
                status, body = response.status, response.read()
        except HTTPError as error:  # Cloudflare explains a refusal in the body
            status, body = error.code, error.read()
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise PurgeFailed(f"Cloudflare purge failed ({status}): not JSON") from error
        if status != 200 or not answer.get("success"):
            messages = ", ".join(str(e.get("message")) for e in answer.get("errors") or [])
            raise PurgeFailed(f"Cloudflare refused the purge ({status}): {messages}")


class CloudFrontPurgeBackend(CloudfrontBackend):
    """Wagtail's CloudFront backend, raising PurgeFailed where Wagtail only
    logs, so the purge task retries. Credentials and endpoint come from the
    usual AWS variables (AWS_ENDPOINT_URL_CLOUDFRONT included)."""

    def _create_invalidation(self, distribution_id, paths):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.create_invalidation(
                DistributionId=distribution_id,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": str(uuid.uuid4()),
                },
            )
        except (BotoCoreError, ClientError) as error:
            raise PurgeFailed(f"CloudFront invalidation failed: {error}") from error


def purging_enabled():
    """True when a CDN purge backend is configured."""
    return bool(settings.WAGTAILFRONTENDCACHE)


def urls_for_page(page, old_url=None):
    """Every public URL a change to `page` can alter: the page (and its old
    URL after a move), each ancestor listing with its feeds, the page's tag
    listings under its parent, and the sitemap."""
    page = page.specific
    full_url = page.full_url
    if not full_url:
        return []
    urls = [full_url]
    if old_url:
        urls.append(old_url)
    ancestors = [ancestor for ancestor in page.get_ancestors() if ancestor.depth > 1]
    for ancestor in ancestors:
        base = ancestor.full_url
        if base:
            urls.extend(base + suffix for suffix in FEED_SUFFIXES)
    parent = ancestors[-1] if ancestors else None
    tags = getattr(page, "tags", None)
    if parent is not None and parent.full_url and tags is not None:
        for slug in tags.values_list("slug", flat=True):
            urls.extend(f"{parent.full_url}tag/{slug}/{suffix}" for suffix in FEED_SUFFIXES)
    root = urlsplit(full_url)
    urls.append(urlunsplit([root.scheme, root.netloc, "/sitemap.xml", "", ""]))
    return list(dict.fromkeys(urls))


def queue_purge(urls):
    """Purge `urls` from the CDN once the current transaction commits."""
    from core.tasks import purge_frontend_cache

    if urls:
        purge_frontend_cache.delay_on_commit(urls)


def on_page_changed(sender, instance, **kwargs):
    """Signal receiver (published, unpublished): purge the page's URLs."""
    if purging_enabled():
        queue_purge(urls_for_page(instance))


def on_page_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs):
    """Signal receiver (post_page_move): purge the new and the old URLs."""
    if not purging_enabled():
        return
    old_url = None
    full_url = instance.full_url
    if full_url and url_path_before and url_path_after:
        # Both paths share the site root's prefix; swap the tails.
        shared = len(url_path_after) - len(urlsplit(full_url).path)
        old_url = full_url[: len(full_url) - len(urlsplit(full_url).path)] + (
            url_path_before[shared:] if shared >= 0 else url_path_before
        )
    queue_purge(urls_for_page(instance, old_url=old_url))


def on_page_deleted(sender, instance, **kwargs):
    """Signal receiver (pre_delete of a live page): purge while its URLs exist."""
    from wagtail.models import Page

    if isinstance(instance, Page) and instance.live and purging_enabled():
        queue_purge(urls_for_page(instance))


def connect_receivers():
    """Purge on publish, unpublish, move and deletion of any page."""
    from django.db.models.signals import pre_delete
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(on_page_changed, dispatch_uid="core.frontend_cache.published")
    page_unpublished.connect(on_page_changed, dispatch_uid="core.frontend_cache.unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="core.frontend_cache.moved")
    pre_delete.connect(on_page_deleted, dispatch_uid="core.frontend_cache.deleted")
