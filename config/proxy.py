"""The client's address and scheme behind a reverse proxy, trusted only when
the deployment says so.

Daphne's own `--proxy-headers` believes X-Forwarded-For from anyone who can
reach its port, so any client could pick the address every rate limit
counts. `TrustedProxyMiddleware` wraps the whole ASGI application (HTTP and
WebSocket) instead: only when the direct peer is in TRUSTED_PROXIES does it
replace `scope["client"]` with the address the proxies recorded and
`scope["scheme"]` with X-Forwarded-Proto. Django then sees that address as
REMOTE_ADDR, and every limit (allauth, axes, the assistant, search) uses it.
`TrustedProxyWSGIMiddleware` applies the same rule to the WSGI environ for
HTTP served by gunicorn (config/wsgi.py).
"""

import functools
import ipaddress

from django.conf import settings

FORWARDED_FOR = b"x-forwarded-for"
FORWARDED_PROTO = b"x-forwarded-proto"
SECURE_SCHEMES = {"http": "https", "websocket": "wss"}
PLAIN_SCHEMES = {"http": "http", "websocket": "ws"}
# IPv6 clients usually hold a whole /64: rate limits count the network, as
# allauth's do (ALLAUTH_RATE_LIMIT_IPV6_PREFIX).
IPV6_RATE_LIMIT_PREFIX = 64


def parse_address(text):
    """The IP address in one X-Forwarded-For entry ("203.0.113.7",
    "203.0.113.7:4711", "2001:db8::1", "[2001:db8::1]:443"), or None."""
    text = text.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest[:1] == ":" and rest[1:].isdigit())):
            return None
        text = host
    elif text.count(":") == 1:  # IPv4 with a port
        text, _, port = text.partition(":")
        if not port.isdigit():
            return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


@functools.lru_cache(maxsize=8)
def trusted_networks(entries):
    """The networks of a TRUSTED_PROXIES tuple, parsed once."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def is_trusted(address, networks):
    """True when the address lies in one of the trusted networks."""
    return address is not None and any(address in network for network in networks)


def header_values(scope, name):
    """Every value of one request header, in order, decoded as latin-1."""
    return [value.decode("latin-1") for key, value in scope.get("headers", ()) if key == name]


def forwarded_client(scope, networks):
    """The client address the trusted proxies recorded, or None to keep the peer.

    X-Forwarded-For is read from the right: each trusted hop appended the
    address it saw, so the first address from the right that is not itself
    a trusted proxy is the client. Anything left of it was written by the
    client and is ignored. An entry that is not an address ends the walk at
    the last address a trusted hop vouched for.
    """
    entries = [entry for value in header_values(scope, FORWARDED_FOR) for entry in value.split(",")]
    client = None
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            break
        client = address
        if not is_trusted(address, networks):
            break
    return client


def forwarded_scheme(scope):
    """The scheme the trusted proxy reports (X-Forwarded-Proto), in the scope's
    vocabulary (http/https or ws/wss), or None to keep the scope's own."""
    values = [v for value in header_values(scope, FORWARDED_PROTO) for v in value.split(",")]
    if not values:
        return None
    proto = values[-1].strip().lower()  # the hop nearest to us wrote the last one
    if proto in ("https", "wss"):
        return SECURE_SCHEMES[scope["type"]]
    if proto in ("http", "ws"):
        return PLAIN_SCHEMES[scope["type"]]
    return None


def resolve_scope(scope, trusted_proxies):
    """The scope with the client address and scheme from a trusted proxy's
    headers; the scope itself when the direct peer is not trusted."""
    peer = scope.get("client")
    networks = trusted_networks(tuple(trusted_proxies))
    if not peer or not networks or not is_trusted(parse_address(str(peer[0])), networks):
        return scope
    resolved = dict(scope)
    client = forwarded_client(scope, networks)
    if client is not None:
        resolved["client"] = (str(client), 0)  # the client's own port is not forwarded
    scheme = forwarded_scheme(scope)
    if scheme is not None:
        resolved["scheme"] = scheme
    return resolved


class TrustedProxyMiddleware:
    """ASGI middleware: client address and scheme from X-Forwarded-For and
    X-Forwarded-Proto, for requests whose direct peer is in TRUSTED_PROXIES."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            scope = resolve_scope(scope, settings.TRUSTED_PROXIES)
        return await self.application(scope, receive, send)


class TrustedProxyWSGIMiddleware:
    """WSGI middleware with the same rule: REMOTE_ADDR and wsgi.url_scheme
    from the trusted proxy's headers, only when the peer is in TRUSTED_PROXIES."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        headers = [
            (name, environ[key].encode("latin-1"))
            for name, key in (
                (FORWARDED_FOR, "HTTP_X_FORWARDED_FOR"),
                (FORWARDED_PROTO, "HTTP_X_FORWARDED_PROTO"),
            )
            if key in environ
        ]
        scope = {
            "type": "http",
            "scheme": environ.get("wsgi.url_scheme", "http"),
            "client": (environ.get("REMOTE_ADDR", ""), 0),
            "headers": headers,
        }
        resolved = resolve_scope(scope, settings.TRUSTED_PROXIES)
        if resolved is not scope:
            environ = {
                **environ,
                "REMOTE_ADDR": resolved["client"][0],
                "wsgi.url_scheme": resolved["scheme"],
            }
        return self.application(environ, start_response)


def request_client_ip(request):
    """The client's address for a Django request: REMOTE_ADDR, which
    TrustedProxyMiddleware has already resolved (AXES_CLIENT_IP_CALLABLE)."""
    return request.META.get("REMOTE_ADDR")


def scope_client_ip(scope):
    """The client's address for an ASGI scope (already resolved), or "unknown"."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def rate_limit_address(address):
    """The address a rate limit counts: IPv4 as it is, IPv6 as its /64
    network (one client can rotate through a /64 at will)."""
    parsed = parse_address(str(address))
    if parsed is None:
        return str(address)
    if parsed.version == 6:
        network = ipaddress.ip_network(f"{parsed}/{IPV6_RATE_LIMIT_PREFIX}", strict=False)
        return f"{network.network_address}/{IPV6_RATE_LIMIT_PREFIX}"
    return str(parsed)
