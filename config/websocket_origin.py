"""The WebSocket origin check: a handshake is accepted only from the site's
own pages, compared by scheme, host and port.

Channels' AllowedHostsOriginValidator compares host names only, so a page
served over plain HTTP, or on another port of an allowed host, could open
sockets that carry the reader's session. This check applies the rule
Django's CSRF protection applies to POSTs: the Origin must be the origin the
request was made to (its Host header, if allowed, with the scheme it came
in on: `wss` from a trusted proxy's X-Forwarded-Proto counts as https), or
one of CSRF_TRUSTED_ORIGINS. So `make run` on http://127.0.0.1:8000, test
servers on random ports and https behind the proxy all work unconfigured.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_parts(origin):
    """(scheme, host, port) of a serialized origin such as "https://example.com",
    with the default port filled in; None for anything else ("null", paths)."""
    try:
        parsed = urlsplit(origin)
        port = parsed.port
    except ValueError:
        return None
    scheme = parsed.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parsed.hostname:
        return None
    if parsed.path or parsed.query or parsed.fragment or "@" in parsed.netloc:
        return None
    return scheme, parsed.hostname.lower().rstrip("."), port or DEFAULT_PORTS[scheme]


def header(scope, name):
    """The value of a header that must appear once, or None."""
    values = [value for key, value in scope.get("headers", ()) if key == name]
    if len(values) != 1:
        return None
    try:
        return values[0].decode("ascii")
    except UnicodeDecodeError:
        return None


def allowed_hosts():
    """ALLOWED_HOSTS as Django's request.get_host() applies it."""
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]
    return settings.ALLOWED_HOSTS


def own_origin(scope):
    """The origin this handshake was addressed to: the scope's scheme and the
    Host header, when that host is allowed; else None."""
    host = header(scope, b"host")
    if not host:
        return None
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, allowed_hosts()):
        return None
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return origin_parts(f"{scheme}://{host}")


def trusted_origin(origin, parts):
    """True when the origin is one of CSRF_TRUSTED_ORIGINS (with Django's
    `https://*.example.com` subdomain patterns)."""
    netloc = urlsplit(origin).netloc.lower()
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" in trusted:
            pattern = urlsplit(trusted.lower())
            if pattern.scheme == parts[0] and is_same_domain(netloc, pattern.netloc.lstrip("*")):
                return True
        elif origin_parts(trusted) == parts:
            return True
    return False


def origin_allowed(scope):
    """True when the handshake's Origin is the site's own origin or a trusted one."""
    origin = header(scope, b"origin")
    parts = origin_parts(origin) if origin else None
    if parts is None:
        return False
    return parts == own_origin(scope) or trusted_origin(origin, parts)


class SiteOriginValidator:
    """ASGI middleware for the WebSocket router: refuses (403) a handshake
    whose Origin is not the site's, by scheme, host and port."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
