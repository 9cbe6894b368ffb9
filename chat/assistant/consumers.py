"""The assistant socket at ws/assistant/: questions in, streamed answers out.

Frames in:  {"type": "ask", "question", "page_id"?, "conversation_id"?}, {"type": "stop"}
Frames out: {"type": "sources", "items": [...]}, {"type": "token", "text"},
            {"type": "done", "conversation_id", "usage", "stopped"?},
            {"type": "error", "code", "message", "retry_after"?}

The consumer only validates, limits and moves bytes: retrieval and prompting
are plain functions (chat/retrieval.py, chat/prompting.py). Embedding and
database work run in worker threads, never on the event loop. One answer is in
flight per connection: a new question or "stop" cancels it, and so does
disconnecting; cancelling closes the stream to the language model.
"""

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings

from ai.llm import LLMError, StreamResult, get_llm
from ai.retrieval import retrieve, source_items, visible_page
from chat.assistant import conversations
from chat.assistant.prompting import build_prompt
from config.proxy import rate_limit_address, scope_client_ip
from core import rate_limits
from core.websocket import ClientError, JsonFrameConsumer

logger = logging.getLogger(__name__)

NOTHING_FOUND = (
    "The site has nothing on that yet. Try asking about something we have written "
    "about, or search the site."
)

# Embedding is CPU work: run it in the thread pool, not the single sync thread
# that serialises database calls, so one reader's question never blocks others.
retrieve_off_loop = DatabaseSyncToAsync(retrieve, thread_sensitive=False)


@dataclass
class AnswerProgress:
    """What an answer has produced so far (kept if it is cut short)."""

    question: str
    conversation: object = None
    sources: list = field(default_factory=list)
    parts: list = field(default_factory=list)


def _validated_ask(content):
    question = content.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ClientError("invalid_question", "Ask a question in words.")
    question = " ".join(question.split())
    if len(question) > settings.CHAT_QUESTION_MAX_LENGTH:
        raise ClientError(
            "question_too_long",
            f"Questions can be at most {settings.CHAT_QUESTION_MAX_LENGTH} characters.",
        )
    page_id = content.get("page_id")
    if page_id is not None and (not isinstance(page_id, int) or isinstance(page_id, bool)):
        raise ClientError("invalid_page", "page_id must be an integer.")
    conversation_id = content.get("conversation_id")
    if conversation_id is not None:
        try:
            conversation_id = uuid.UUID(str(conversation_id))
        except ValueError as error:
            raise ClientError("invalid_conversation", "Unknown conversation.") from error
    return question, page_id, conversation_id


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
        question, page_id, conversation_id = _validated_ask(content)
        retry_after = rate_limits.attempt(self.rate_budgets()).retry_after
        if retry_after:
            raise ClientError(
                "rate_limited",
                f"Too many questions. Try again in {retry_after} seconds.",
                retry_after=retry_after,
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
        progress = AnswerProgress(question)
        try:
            async with asyncio.timeout(settings.CHAT_ANSWER_TIMEOUT):
                await self.stream_answer(progress, page_id, conversation_id)
        except ClientError as error:
            await self.send_error(error.code, error.message, **error.extra)
        except LLMError as error:
            await self.keep_partial(progress)
            await self.send_error(f"llm_{error.code}", error.message)
        except TimeoutError:
            await self.keep_partial(progress)
            await self.send_error("timeout", "The answer took too long and was stopped.")
        except asyncio.CancelledError:
            # Stopped, replaced by a new question, or the reader left. Keep what
            # they saw; the stream to the model was closed by the cancellation.
            await self.keep_partial(progress)
            with contextlib.suppress(Exception):  # the socket may already be gone
                await self.send_done(progress.conversation, {}, stopped=True)
            raise
        except Exception:
            logger.exception("assistant answer failed")
            await self.send_error("internal_error", "Something went wrong; please try again.")

    async def keep_partial(self, progress):
        if progress.conversation is not None and progress.parts:
            await database_sync_to_async(conversations.record)(
                progress.conversation,
                progress.question,
                "".join(progress.parts),
                progress.sources,
                {},
                stopped=True,
            )

    async def stream_answer(self, progress, page_id, conversation_id):
        question = progress.question
        user, session_key = self.owner()
        page = None
        if page_id is not None:
            page = await database_sync_to_async(visible_page)(page_id)
            if page is None:
                raise ClientError("page_not_found", "That page is not available.")
        conversation, history = await database_sync_to_async(conversations.open_conversation)(
            user, session_key, conversation_id, page, question
        )
        progress.conversation = conversation
        retrieval = await retrieve_off_loop(question, page)
        if not retrieval.found:
            await self.send_json({"type": "sources", "items": []})
            await self.send_json({"type": "token", "text": NOTHING_FOUND})
            await database_sync_to_async(conversations.record)(
                conversation, question, NOTHING_FOUND, [], {}
            )
            await self.send_done(conversation, {})
            return
        prompt = await DatabaseSyncToAsync(build_prompt, thread_sensitive=False)(
            question, retrieval.passages, history
        )
        progress.sources = source_items(prompt.passages)
        await self.send_json({"type": "sources", "items": progress.sources})
        result = StreamResult()
        stream = get_llm().astream(
            prompt.messages,
            passages=prompt.passages,
            question=retrieval.question_for_ranking,
            max_tokens=settings.CHAT_MAX_ANSWER_TOKENS,
            result=result,
        )
        async for delta in stream:
            progress.parts.append(delta)
            await self.send_json({"type": "token", "text": delta})
        await database_sync_to_async(conversations.record)(
            conversation, question, "".join(progress.parts), progress.sources, result.usage
        )
        progress.parts = []  # recorded: nothing partial left to keep
        await self.send_done(conversation, result.usage)

    async def send_done(self, conversation, usage, stopped=False):
        saved = conversation is not None and not conversation._state.adding
        frame = {
            "type": "done",
            "conversation_id": str(conversation.pk) if saved else None,
            "usage": usage,
        }
        if stopped:
            frame["stopped"] = True
        await self.send_json(frame)
