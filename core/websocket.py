"""The base for Pressroom's WebSocket consumers: JSON frames in and out, and
every kind of bad input answered with an error frame on a socket that stays
usable.

Frames past WEBSOCKET_MAX_FRAME_BYTES get `frame_too_large` before they are
decoded, and frames nested deeper than MAX_JSON_DEPTH `frame_too_deep`
(deeply nested JSON would otherwise exhaust the decoder's recursion and
close the socket with 1011). Frames beyond Daphne's own
--websocket-max-message-size never reach a consumer: Daphne (autobahn)
drops the connection without a close frame, which clients report as 1006.

The sockets of a signed-in user join their session's and account's groups
(core/socket_sessions.py) and close when that sign-in ends.

Each connection has one request id (observability.request_ids) for all its
log lines and Sentry events, and is counted in the WebSocket series
(connections open and accepted, frames in and out, by consumer).
"""

import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from core.socket_sessions import SIGNED_OUT_CLOSE_CODE, signed_in_groups
from observability.metrics import (
    WEBSOCKET_CONNECTIONS,
    WEBSOCKET_CONNECTIONS_OPEN,
    WEBSOCKET_FRAMES_RECEIVED,
    WEBSOCKET_FRAMES_SENT,
)
from observability.request_ids import REQUEST_ID_HEADER, accepted_request_id, bound_request_id

logger = logging.getLogger(__name__)

# A live socket that cannot join its channel-layer group (Redis restarting)
# closes with "try again later"; clients reconnect with backoff.
TRY_AGAIN_LATER = 1013

# No frame of ours nests more than a few levels; this leaves room to grow.
MAX_JSON_DEPTH = 20


class ClientError(Exception):
    """A problem with a client frame, reported back as an error frame."""

    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


def frame_size(text):
    """The size of a text frame in bytes, as it travelled (UTF-8)."""
    if len(text) * 4 <= settings.WEBSOCKET_MAX_FRAME_BYTES:
        return len(text)  # cannot be over the limit: skip the encoding
    return len(text.encode("utf-8", errors="surrogatepass"))


def nested_too_deep(content, limit=MAX_JSON_DEPTH):
    """True when arrays and objects in the decoded frame nest deeper than `limit`."""
    stack = [(content, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JsonFrameConsumer(AsyncJsonWebsocketConsumer):
    """Decodes text frames as JSON objects and hands them to `handle_frame()`.

    Binary, oversized, too deeply nested, malformed and non-object frames,
    and ClientError raised by the handler, all become
    `{"type": "error", "code", "message"}` frames.
    """

    signed_out = False
    counted_open = False

    async def __call__(self, scope, receive, send):
        # One request id for the connection's whole life (every handler runs
        # inside this call), taken from the proxy's X-Request-ID when sane.
        header = dict(scope.get("headers") or ()).get(REQUEST_ID_HEADER.lower().encode())
        self.request_id = accepted_request_id(header.decode("latin-1") if header else None)
        with bound_request_id(self.request_id):
            await super().__call__(scope, receive, send)

    @property
    def metric_name(self):
        """The consumer's label in the WebSocket series: its class name."""
        return type(self).__name__

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        if not self.counted_open:
            self.counted_open = True
            WEBSOCKET_CONNECTIONS.labels(self.metric_name).inc()
            WEBSOCKET_CONNECTIONS_OPEN.labels(self.metric_name).inc()

    async def send(self, text_data=None, bytes_data=None, close=False):
        await super().send(text_data, bytes_data, close)
        if text_data is not None or bytes_data is not None:
            WEBSOCKET_FRAMES_SENT.labels(self.metric_name).inc()

    async def send_json(self, content, close=False):
        # Channels' send_json calls the plain consumer's send(), not ours.
        await super().send_json(content, close)
        WEBSOCKET_FRAMES_SENT.labels(self.metric_name).inc()

    async def websocket_connect(self, message):
        # The sign-in groups are joined before connect() runs and left on
        # disconnect. A channel layer that is down (Redis restarting) costs
        # only the close-on-logout, never the socket.
        wanted = [*self.groups, *signed_in_groups(self.scope)]
        self.groups = []  # so Channels does not join them again
        joined = [group for group in wanted if await self.join_group(group)]
        try:
            await super().websocket_connect(message)
        finally:
            self.groups = joined

    async def websocket_disconnect(self, message):
        if self.counted_open:
            self.counted_open = False
            WEBSOCKET_CONNECTIONS_OPEN.labels(self.metric_name).dec()
        groups, self.groups = self.groups, []
        for group in groups:
            await self.leave_group(group)
        await super().websocket_disconnect(message)

    async def join_group(self, group):
        """Join a channel-layer group; False (logged) when the layer is down."""
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception as error:  # redis down, timeouts: whatever the layer raises
            logger.warning("could not join %s: %s", group, error)
            return False
        return True

    async def leave_group(self, group):
        """Leave a channel-layer group; a layer that is down is only logged."""
        try:
            await self.channel_layer.group_discard(group, self.channel_name)
        except Exception as error:
            logger.warning("could not leave %s: %s", group, error)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        WEBSOCKET_FRAMES_RECEIVED.labels(self.metric_name).inc()
        if self.signed_out:
            return  # closing: nothing more is acted on for this sign-in
        try:
            content = await self.decode_frame(text_data)
            await self.handle_frame(content)
        except ClientError as error:
            await self.send_error(error.code, error.message, **error.extra)

    async def decode_frame(self, text_data):
        """The frame's JSON object, or ClientError saying what is wrong with it."""
        if text_data is None:
            raise ClientError("binary_not_supported", "Send JSON text frames.")
        limit = settings.WEBSOCKET_MAX_FRAME_BYTES
        if frame_size(text_data) > limit:
            raise ClientError(
                "frame_too_large", f"Frames can be at most {limit} bytes.", max_bytes=limit
            )
        try:
            content = await self.decode_json(text_data)
        except RecursionError as error:
            raise ClientError("frame_too_deep", "The frame is nested too deeply.") from error
        except ValueError as error:
            raise ClientError("invalid_json", "The frame is not valid JSON.") from error
        # Only a frame with that many brackets can nest that deep: skip the walk otherwise.
        brackets = text_data.count("[") + text_data.count("{")
        if brackets > MAX_JSON_DEPTH and nested_too_deep(content):
            raise ClientError("frame_too_deep", "The frame is nested too deeply.")
        if not isinstance(content, dict):
            raise ClientError("invalid_frame", "A frame must be a JSON object.")
        return content

    async def handle_frame(self, content):
        raise NotImplementedError

    async def send_error(self, code, message, **extra):
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    # Channel-layer events ---------------------------------------------------

    async def session_ended(self, event):
        """The session logged out, or the account's password or status changed."""
        self.signed_out = True
        await self.close(code=SIGNED_OUT_CLOSE_CODE)
