"""The base for Pressroom's WebSocket consumers: JSON frames in and out, and
every kind of bad input answered with an error frame on a socket that stays
usable."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ClientError(Exception):
    """A problem with a client frame, reported back as an error frame."""

    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class JsonFrameConsumer(AsyncJsonWebsocketConsumer):
    """Decodes text frames as JSON objects and hands them to `handle_frame()`.

    Binary frames, malformed JSON, non-object JSON and ClientError raised by
    the handler all become `{"type": "error", "code", "message"}` frames.
    """

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            if text_data is None:
                raise ClientError("binary_not_supported", "Send JSON text frames.")
            try:
                content = await self.decode_json(text_data)
            except ValueError as error:
                raise ClientError("invalid_json", "The frame is not valid JSON.") from error
            if not isinstance(content, dict):
                raise ClientError("invalid_frame", "A frame must be a JSON object.")
            await self.handle_frame(content)
        except ClientError as error:
            await self.send_error(error.code, error.message, **error.extra)

    async def handle_frame(self, content):
        raise NotImplementedError

    async def send_error(self, code, message, **extra):
        await self.send_json({"type": "error", "code": code, "message": message, **extra})
