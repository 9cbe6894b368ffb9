"""Answering one question: retrieve, build the prompt, stream the model's
answer, keep the conversation. A plain service that yields the protocol's
frames (`sources`, `token`, `done`); the socket consumer only sends them,
and the tests call it directly.

Embedding and prompt building run in the thread pool (CPU work must not
block the event loop or the single thread that serialises database calls);
database work runs through `database_sync_to_async`.
"""

import asyncio
import contextlib
import logging
import re
import time
import uuid
from dataclasses import dataclass, field

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings

from ai.llm import LLMError, StreamResult, get_llm
from ai.retrieval import retrieve
from chat.assistant import conversations
from chat.assistant.prompting import build_prompt
from config.proxy import rate_limit_address
from core import rate_limits
from core.privacy import visible_page
from core.websocket import ClientError
from observability.metrics import ASSISTANT_TIME_TO_FIRST_TOKEN

logger = logging.getLogger(__name__)

NOTHING_FOUND = (
    "The site has nothing on that yet. Try asking about something we have written "
    "about, or search the site."
)

retrieve_off_loop = DatabaseSyncToAsync(retrieve, thread_sensitive=False)
build_prompt_off_loop = DatabaseSyncToAsync(build_prompt, thread_sensitive=False)


@dataclass
class AnswerProgress:
    """What an answer has produced so far (kept if it is cut short)."""

    question: str
    conversation: object = None
    sources: list = field(default_factory=list)
    parts: list = field(default_factory=list)


def parse_ask(content):
    """(question, page id or None, conversation UUID or None) from an `ask`
    frame; ClientError for anything malformed."""
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


def source_items(passages):
    """The `sources` frame items for passages."""
    return [
        {
            "number": passage.number,
            "title": passage.title,
            "url": passage.url,
            "anchor": passage.anchor,
            "score": passage.score,
        }
        for passage in passages
    ]


CITATION = re.compile(r"\[(\d+)\]")


def cited_numbers(answer, sources):
    """The numbers of the `sources` items that `answer` cites as "[n]", in
    source order; [] when it cites none of them."""
    cited = {int(number) for number in CITATION.findall(answer)}
    return [item["number"] for item in sources if item["number"] in cited]


def sources_to_keep(sources, cited):
    """The sources whose numbers are `cited`, or all of them when none are (an
    answer without citations still came from these passages)."""
    return [item for item in sources if item["number"] in cited] if cited else sources


def done_frame(conversation, usage, stopped=False, cited=None):
    """The `done` frame; the conversation id only once it is saved, and the
    numbers of the sources the answer cites when it cites any."""
    saved = conversation is not None and not conversation._state.adding
    frame = {
        "type": "done",
        "conversation_id": str(conversation.pk) if saved else None,
        "usage": usage,
    }
    if cited:
        frame["cited"] = cited
    if stopped:
        frame["stopped"] = True
    return frame


async def answer_frames(progress, page_id=None, conversation_id=None, user=None, session_key=None):
    """Yield the frames answering `progress.question` about the page `page_id`
    (None: the whole site), continuing `conversation_id` if given, for a
    signed-in `user` or an anonymous `session_key`. Raises ClientError for an
    unknown page or conversation and ai.llm.LLMError when the model fails;
    `progress` keeps what was produced, for `keep_partial()`."""
    question = progress.question
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
        yield {"type": "sources", "items": []}
        yield {"type": "token", "text": NOTHING_FOUND}
        await database_sync_to_async(conversations.record)(
            conversation, question, NOTHING_FOUND, [], {}
        )
        yield done_frame(conversation, {})
        return
    prompt = await build_prompt_off_loop(question, retrieval.passages, history)
    progress.sources = source_items(prompt.passages)
    yield {"type": "sources", "items": progress.sources}
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
        yield {"type": "token", "text": delta}
    answer = "".join(progress.parts)
    # Retrieval found more passages than the answer needed: keep, and tell
    # the client, the ones it cites.
    cited = cited_numbers(answer, progress.sources)
    await database_sync_to_async(conversations.record)(
        conversation, question, answer, sources_to_keep(progress.sources, cited), result.usage
    )
    progress.parts = []  # recorded: nothing partial left to keep
    yield done_frame(conversation, result.usage, cited=cited)


async def keep_partial(progress):
    """Record an answer that was cut short (stopped, timed out, failed), as
    far as the reader saw it, marked as stopped."""
    if progress.conversation is not None and progress.parts:
        answer = "".join(progress.parts)
        await database_sync_to_async(conversations.record)(
            progress.conversation,
            progress.question,
            answer,
            sources_to_keep(progress.sources, cited_numbers(answer, progress.sources)),
            {},
            stopped=True,
        )
        progress.parts = []  # recorded once, whoever noticed the cut first


def question_budgets(user, client_address):
    """CHAT_RATE_LIMIT questions a minute per signed-in user and per address,
    one budget for every way in (the socket and the HTTP stream)."""
    subjects = []
    if user is not None and user.is_authenticated:
        subjects.append(f"user:{user.pk}")
    subjects.append(f"ip:{rate_limit_address(client_address)}")
    return [rate_limits.Budget("assistant", s, settings.CHAT_RATE_LIMIT) for s in subjects]


def take_question(user, client_address):
    """Count one question against the budgets; ClientError `rate_limited`
    (or `unavailable` while nothing can be counted) with retry_after."""
    # A question costs a language-model call: while nothing can be counted
    # (the shared cache is down) questions wait, not flood.
    attempt = rate_limits.attempt(question_budgets(user, client_address), when_unavailable="refuse")
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


def error_frame(code, message, **extra):
    """The `error` frame."""
    return {"type": "error", "code": code, "message": message, **extra}


async def guarded_frames(progress, page_id=None, conversation_id=None, user=None, session_key=None):
    """`answer_frames` within CHAT_ANSWER_TIMEOUT, with every failure turned
    into a last `error` frame (what was said so far is kept). Cancellation
    (stop, a new question, the reader left) keeps the partial answer and
    propagates; the caller says `done` with `stopped` if it still can.
    Time to the first token is recorded for the socket and the HTTP stream."""
    asked_at = time.perf_counter()
    try:
        async with asyncio.timeout(settings.CHAT_ANSWER_TIMEOUT):
            frames = answer_frames(progress, page_id, conversation_id, user, session_key)
            async with contextlib.aclosing(frames):  # closing it closes the model's stream
                async for frame in frames:
                    if asked_at is not None and frame["type"] == "token":
                        ASSISTANT_TIME_TO_FIRST_TOKEN.observe(time.perf_counter() - asked_at)
                        asked_at = None
                    yield frame
    except ClientError as error:
        yield error_frame(error.code, error.message, **error.extra)
    except LLMError as error:
        await keep_partial(progress)
        yield error_frame(f"llm_{error.code}", error.message)
    except TimeoutError:
        await keep_partial(progress)
        yield error_frame("timeout", "The answer took too long and was stopped.")
    except asyncio.CancelledError:
        await keep_partial(progress)
        raise
    except Exception:
        logger.exception("assistant answer failed")
        yield error_frame("internal_error", "Something went wrong; please try again.")
