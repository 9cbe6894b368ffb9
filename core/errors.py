"""Error pages that say what happened: an outage of a backing service is a
503 with `Retry-After` (come back soon), a bug is a 500.

Django calls `handler500` inside the `except` block of whatever failed (a
view, a middleware, the session or auth machinery), so the exception is
still at hand in `sys.exc_info()`. Both pages are standalone templates that
render without the database or the cache, which may be what is down.
"""

import logging
import sys

from botocore.exceptions import ClientError as MediaBucketRefusal
from botocore.exceptions import ConnectionError as MediaBucketConnectionError
from botocore.exceptions import HTTPClientError as MediaBucketTransportError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.media_storage import MediaBucketUnavailable

logger = logging.getLogger(__name__)

# Seconds a client (or a proxy, or a crawler) is asked to wait.
OUTAGE_RETRY_AFTER = 30

# The database refused or dropped the connection, or the pool had none free
# within its timeout (psycopg_pool.PoolTimeout arrives as OperationalError);
# Redis, where a view used it directly (the channel layer); the media bucket,
# where a view read it (a document download: images degrade in the page).
OUTAGES = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    MediaBucketConnectionError,
    MediaBucketTransportError,
    MediaBucketUnavailable,
)


def is_outage(error):
    """True when `error` means a backing service is unreachable, not a bug."""
    if isinstance(error, MediaBucketRefusal):
        # The bucket answered, but with a server error (500, 503 SlowDown)
        # after botocore's retries; a 403 or 404 is ours to fix, not an outage.
        return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
    return isinstance(error, OUTAGES)


def outage_response(request=None):
    """The site's 503 page with Retry-After, rendered without the database."""
    body = loader.get_template("503.html").render({"retry_after": OUTAGE_RETRY_AFTER})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER)
    return response


def server_error(request, template_name="500.html"):
    """handler500: 503 for an outage, else Django's own 500 page."""
    error = sys.exc_info()[1]
    if is_outage(error):
        logger.warning("answered 503 for %s: %s", request.path, error)
        return outage_response(request)
    return defaults.server_error(request, template_name)
