"""The assistant socket at ws/assistant/: questions in, streamed answers out.

Frames in:  {"type": "ask", "question", "page_id"?, "conversation_id"?}, {"type": "stop"}
Frames out: {"type": "sources", "items": [...]}, {"type": "token", "text"},
            {"type": "done", "conversation_id", "usage", "stopped"?},
            {"type": "error", "code", "message", "retry_after"?}

The consumer validates, limits and sends: the answer itself (retrieve,
prompt, stream, record) is `chat.assistant.answering`. One answer is in
flight per connection: a new question or "stop" cancels it, and so does
disconnecting; cancelling closes the stream to the language model.
"""

import asyncio
import contextlib
import logging
import time

from django.conf import settings

from ai.llm import LLMError
from chat.assistant import answering
from config.proxy import rate_limit_address, scope_client_ip
from core import rate_limits
from core.websocket import ClientError, JsonFrameConsumer
from observability.metrics import ASSISTANT_TIME_TO_FIRST_TOKEN

logger = logging.getLogger(__name__)


class AssistantConsumer(JsonFrameConsumer):
    """Answers questions about live, public content, streaming token by token."""

    async def connect(self):
        self.answer_task = None
        await self.accept()

    async def disconnect(self, code):
        await self.cancel_answer()

    # Client frames ------------------------------------------------------

    async def handle_frame(self, content):
        frame_type = content.get("type")
        if frame_type == "ask":
            await self.ask(content)
        elif frame_type == "stop":
            await self.cancel_answer()
        else:
            raise ClientError("unknown_type", "Send an 'ask' or 'stop' frame.")

    async def ask(self, content):
        question, page_id, conversation_id = answering.parse_ask(content)
        # A question costs a language-model call: while nothing can be
        # counted (the shared cache is down) questions wait, not flood.
        attempt = rate_limits.attempt(self.rate_budgets(), when_unavailable="refuse")
        if attempt.unavailable:
            raise ClientError(
                "unavailable",
                "The assistant is unavailable for a moment. Try again shortly.",
                retry_after=attempt.retry_after,
            )
        if not attempt.allowed:
            raise ClientError(
                "rate_limited",
                f"Too many questions. Try again in {attempt.retry_after} seconds.",
                retry_after=attempt.retry_after,
            )
        await self.cancel_answer()  # one answer in flight: the new question wins
        self.answer_task = asyncio.create_task(self.answer(question, page_id, conversation_id))

    def rate_budgets(self):
        """CHAT_RATE_LIMIT questions a minute per signed-in user and per address."""
        subjects = []
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            subjects.append(f"user:{user.pk}")
        # The scope's client was resolved by config.proxy: a trusted proxy's
        # X-Forwarded-For, else the socket's peer.
        subjects.append(f"ip:{rate_limit_address(scope_client_ip(self.scope))}")
        return [rate_limits.Budget("assistant", s, settings.CHAT_RATE_LIMIT) for s in subjects]

    async def cancel_answer(self):
        task, self.answer_task = self.answer_task, None
        if task is not None and not task.done():
            task.cancel()
            # Wait for it to unwind (it closes the model stream) without
            # swallowing a cancellation of this coroutine itself.
            await asyncio.wait({task})

    # Answering ------------------------------------------------------------

    def owner(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None) if session is not None else None
        return (user if user is not None and user.is_authenticated else None), session_key

    async def answer(self, question, page_id, conversation_id):
        asked_at = time.perf_counter()
        progress = answering.AnswerProgress(question)
        user, session_key = self.owner()
        try:
            async with asyncio.timeout(settings.CHAT_ANSWER_TIMEOUT):
                frames = answering.answer_frames(
                    progress, page_id, conversation_id, user, session_key
                )
                async for frame in frames:
                    await self.send_json(frame)
                    if asked_at is not None and frame["type"] == "token":
                        ASSISTANT_TIME_TO_FIRST_TOKEN.observe(time.perf_counter() - asked_at)
                        asked_at = None
        except ClientError as error:
            await self.send_error(error.code, error.message, **error.extra)
        except LLMError as error:
            await answering.keep_partial(progress)
            await self.send_error(f"llm_{error.code}", error.message)
        except TimeoutError:
            await answering.keep_partial(progress)
            await self.send_error("timeout", "The answer took too long and was stopped.")
        except asyncio.CancelledError:
            # Stopped, replaced by a new question, or the reader left. Keep what
            # they saw; the stream to the model was closed by the cancellation.
            await answering.keep_partial(progress)
            with contextlib.suppress(Exception):  # the socket may already be gone
                await self.send_json(answering.done_frame(progress.conversation, {}, stopped=True))
            raise
        except Exception:
            logger.exception("assistant answer failed")
            await self.send_error("internal_error", "Something went wrong; please try again.")
