"""The media bucket as Django storage: django-storages' S3Storage, with reads
that fail like a missing file, and fast, while the bucket does not answer.

Wagtail draws an image whose source file cannot be opened as its "not found"
placeholder (it catches OSError) and renders the rest of the page. botocore's
connection and timeout errors are not OSErrors, so without this an image
whose rendition was never made would turn a whole page into an error page
while the bucket is down. Renditions already made need no request to the
bucket at all: their signed URLs are computed locally.

A hung bucket costs each read up to AWS_S3_MAX_ATTEMPTS x (connect + read
timeout); a page with several new renditions would add those up past the
worker's timeout. So after one failed read the process stops asking for
AWS_S3_RETRY_SECONDS and fails reads at once, as core/cache.py does for Redis.
Uploads are not short-circuited: an editor's upload always asks the bucket
(core/media_forms.py).

With AWS_S3_PUBLIC_URL, URLs handed to browsers start there instead of at the
endpoint the servers use; the proxy in front forwards them to the endpoint
with its host, so the signature, computed over the endpoint's host and the
path, still holds.
"""

from botocore.exceptions import ConnectionError as BucketConnectionError
from botocore.exceptions import HTTPClientError as BucketTransportError
from django.conf import settings
from storages.backends.s3 import S3Storage

from core.breaker import Breaker

BUCKET_UNREACHABLE = (BucketConnectionError, BucketTransportError)


class MediaBucketUnavailable(OSError):
    """The media bucket could not be reached (refused, timed out, cut off)."""


def new_read_breaker():
    """The breaker for reads from the media bucket (one per process)."""
    return Breaker("media bucket", "AWS_S3_RETRY_SECONDS", "images not rendered yet are left out")


read_breaker = new_read_breaker()


class MediaBucketStorage(S3Storage):
    """S3Storage whose `open()` raises MediaBucketUnavailable, an OSError, when
    the bucket does not answer, and at once for a while after it did not."""

    def _open(self, name, mode="rb"):
        if read_breaker.is_open():
            raise MediaBucketUnavailable(f"media bucket unavailable: not reading {name!r}")
        try:
            opened = super()._open(name, mode)
        except BUCKET_UNREACHABLE as error:
            read_breaker.trip(error)
            raise MediaBucketUnavailable(f"media bucket unavailable: {error}") from error
        read_breaker.reset()
        return opened

    def url(self, name, parameters=None, expire=None, http_method=None):
        """The object's signed URL, as browsers reach it (AWS_S3_PUBLIC_URL)."""
        url = super().url(name, parameters, expire, http_method)
        public = getattr(settings, "AWS_S3_PUBLIC_URL", "")
        endpoint = (self.endpoint_url or "").rstrip("/")
        if public and endpoint and url.startswith(endpoint + "/"):
            return public + url[len(endpoint) :]
        return url
