"""The assistant over HTTP for headless clients: POST a question to
/api/v2/assistant/ and read the answer as Server-Sent Events.

    POST {"question": "...", "page_id"?: 12, "conversation_id"?: "<uuid>"}
    200 text/event-stream, one event per frame of the socket protocol:
        event: sources / token / done / error
        data: the frame as JSON ({"type": "token", "text": "..."})

The frames, limits (CHAT_RATE_LIMIT questions a minute per address and per
user, counted together with the socket), privacy and citations are the
socket's: both run `chat.assistant.answering`. A request the assistant
cannot take is answered before any stream, as a JSON error (400, 403, 413,
429, 503). A client that disconnects cancels the answer, which closes the
stream to the language model and keeps what was said.

The view is async: under Daphne (ASGI) it streams; the production proxy
routes this path to Daphne (deploy/nginx.conf), since a WSGI server would
collect the whole answer before sending it.
"""

import asyncio
import contextlib
import json

from django.conf import settings
from django.http import StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from api.authentication import carries_session_cookie, csrf_failure
from api.errors import error_json_response
from chat.assistant import answering
from config.proxy import request_client_ip
from core.websocket import ClientError

# A question is at most CHAT_QUESTION_MAX_LENGTH characters; the body around
# it never needs more than this.
MAX_BODY_BYTES = 16 * 1024


def sse_event(frame):
    """One frame as a Server-Sent Event (its type names the event)."""
    data = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
    return f"event: {frame['type']}\ndata: {data}\n\n".encode()


HEARTBEAT = b": keep-alive\n\n"


def read_ask(request):
    """The `ask` frame in the request body; ClientError for anything else."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        raise ClientError("too_large", f"The body can be at most {MAX_BODY_BYTES} bytes.")
    if request.content_type != "application/json":
        raise ClientError("unsupported_media_type", "Send the question as application/json.")
    try:
        content = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ClientError("invalid_json", "The body is not valid JSON.") from error
    if not isinstance(content, dict):
        raise ClientError("invalid_json", "The body must be a JSON object.")
    return answering.parse_ask(content)


STATUS_OF = {"too_large": 413, "unsupported_media_type": 415, "rate_limited": 429}


async def event_stream(progress, page_id, conversation_id, user, session_key):
    """The answer's frames as events, with a comment line on every idle
    API_SSE_HEARTBEAT_SECONDS; cancelled when the client goes away."""
    queue = asyncio.Queue()

    async def produce():
        frames = answering.guarded_frames(progress, page_id, conversation_id, user, session_key)
        try:
            async with contextlib.aclosing(frames):
                async for frame in frames:
                    await queue.put(frame)
        finally:
            await queue.put(None)

    producer = asyncio.create_task(produce())
    try:
        while True:
            try:
                async with asyncio.timeout(settings.API_SSE_HEARTBEAT_SECONDS):
                    frame = await queue.get()
            except TimeoutError:
                yield HEARTBEAT
                continue
            if frame is None:
                break
            yield sse_event(frame)
    finally:
        if not producer.done():
            # The client left: stop the answer (it keeps what was said).
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer
            await answering.keep_partial(progress)


@csrf_exempt  # checked below, when the request carries the session cookie
async def assistant_stream(request):
    """POST a question, get the answer as Server-Sent Events."""
    if request.method != "POST":
        response = error_json_response(405, "method_not_allowed", "POST a question.")
        response["Allow"] = "POST"
        return response
    if carries_session_cookie(request) and (reason := csrf_failure(request)):
        return error_json_response(403, "csrf_failed", f"CSRF Failed: {reason}")
    user = await request.auser()
    user = user if user.is_authenticated else None
    try:
        question, page_id, conversation_id = read_ask(request)
        answering.take_question(user, request_client_ip(request) or "unknown")
    except ClientError as error:
        status = STATUS_OF.get(error.code, 503 if error.code == "unavailable" else 400)
        return error_json_response(status, error.code, error.message, **error.extra)
    session_key = request.session.session_key if hasattr(request, "session") else None
    progress = answering.AnswerProgress(question)
    response = StreamingHttpResponse(
        event_stream(progress, page_id, conversation_id, user, session_key),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return response
