"""Language-model adapters behind one interface: complete and stream, sync and async.

Backends:
- `groq`: the groq SDK (`GROQ_API_KEY`, `LLM_MODEL`, optional `GROQ_BASE_URL`).
- `openai`: any OpenAI-compatible server by base URL (Ollama, vLLM, llama.cpp
  server, OpenAI itself) through the openai SDK.
- `offline` (the default): no network. It answers extractively from the
  supplied passages: it quotes the sentences most similar to the question,
  each with its source number, and never writes a word of its own.

Deadlines are the caller's promise, so they cover retries: the SDKs' own
retry loops are off (each retry would restart their timeout) and the
adapters retry 429, 5xx and connection failures themselves, with backoff
honouring Retry-After, up to `LLM_MAX_RETRIES` times and only while the
deadline allows. A whole call (`complete`) ends within `LLM_TIMEOUT`; a
stream's first token arrives within `LLM_FIRST_TOKEN_TIMEOUT`, and after it
no chunk is more than `LLM_TIMEOUT` apart, so a stalled or hanging provider
ends in an error, never a hang. Failures surface as `LLMError` with a stable
`code` (`timeout`, `unavailable`, `rate_limited`, `upstream_error`, ...).
"""

import asyncio
import random
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from django.conf import settings

from observability.llm_metrics import metered

try:  # the openai SDK talks through httpx2, a fork with its own exceptions
    import httpx2
except ImportError:  # pragma: no cover - older openai SDKs use httpx itself
    httpx2 = httpx

TIMEOUT_ERRORS = (httpx.TimeoutException, httpx2.TimeoutException)
TRANSPORT_ERRORS = (httpx.TransportError, httpx2.TransportError)
RETRY_BASE_DELAY = 0.5  # seconds before the first retry, doubled each time
RETRY_MAX_DELAY = 8.0


class LLMError(Exception):
    """A language-model call failed; `code` is stable for clients and logs."""

    def __init__(self, code, message, retryable=False, retry_after=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after  # seconds the provider asked us to wait


def deadline_passed(message="The language model did not answer in time."):
    """The error for a call that ran out of time."""
    return LLMError("timeout", message, retryable=True)


def retry_after_seconds(headers):
    """The provider's Retry-After (or retry-after-ms) in seconds, or None."""
    if headers is None:
        return None
    for name, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / divisor)
        except ValueError:
            continue
    return None


class LLMNotSupported(LLMError):
    """The backend cannot do this (the offline backend has no free text)."""

    def __init__(self, message):
        super().__init__("not_supported", message)


@dataclass
class Passage:
    """A piece of retrieved context the model may draw on (always untrusted)."""

    number: int
    title: str
    text: str
    url: str = ""
    anchor: str = ""
    score: float = 0.0


@dataclass
class Completion:
    text: str
    usage: dict = field(default_factory=dict)


@dataclass
class StreamResult:
    """Filled in while a stream is consumed: usage arrives with the last chunk."""

    usage: dict = field(default_factory=dict)


def _usage_dict(usage):
    if usage is None:
        return {}
    return {
        "prompt_tokens": getattr(usage, "prompt_tokens", None),
        "completion_tokens": getattr(usage, "completion_tokens", None),
        "total_tokens": getattr(usage, "total_tokens", None),
    }


def _chunk_deltas(chunk, result):
    """Text pieces of one streamed chunk; records usage when the chunk has it."""
    usage = getattr(chunk, "usage", None)
    if usage is None and getattr(chunk, "x_groq", None) is not None:
        usage = getattr(chunk.x_groq, "usage", None)  # Groq reports usage here
    if result is not None and usage is not None:
        result.usage = _usage_dict(usage)
    for choice in chunk.choices:
        delta = choice.delta.content if choice.delta else None
        if delta:
            yield delta


class ChatCompletionsBackend:
    """Shared code for SDKs that speak the OpenAI chat-completions protocol."""

    name = "chat-completions"
    offline = False
    stream_usage_option = True  # OpenAI needs asking for usage on streams
    error_module = None  # the SDK module whose exception classes we translate

    def __init__(self, model, timeout, max_retries, first_token_timeout=None):
        self.model = model
        self.timeout = timeout
        self.first_token_timeout = first_token_timeout or timeout
        self.max_retries = max_retries
        self._clients = {}
        self._lock = threading.Lock()

    def make_client(self, asynchronous):
        raise NotImplementedError

    def client(self, asynchronous=False):
        # Async clients are bound to the event loop that first uses them.
        key = id(asyncio.get_running_loop()) if asynchronous else "sync"
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.make_client(asynchronous)
            return self._clients[key]

    def _request(self, messages, max_tokens, temperature, stream, json_mode=False):
        request = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": stream,
        }
        if stream and self.stream_usage_option:
            request["stream_options"] = {"include_usage": True}
        if json_mode:
            request["response_format"] = {"type": "json_object"}
        return request

    @contextmanager
    def translated_errors(self):
        """Re-raise SDK exceptions as LLMError (others pass through)."""
        try:
            yield
        except Exception as error:
            translated = self.translate(error)
            if translated is error:
                raise
            raise translated from error

    def translate(self, error):
        """An LLMError for an SDK exception (or the exception itself if foreign)."""
        sdk = self.error_module
        # Mid-stream failures come straight from httpx, not wrapped by the SDK.
        if isinstance(error, TIMEOUT_ERRORS):
            return LLMError("timeout", "The language model stopped answering.", True)
        if isinstance(error, TRANSPORT_ERRORS):
            return LLMError("unavailable", "The connection to the language model broke.", True)
        if isinstance(error, sdk.APITimeoutError):
            return LLMError("timeout", "The language model did not answer in time.", True)
        if isinstance(error, sdk.APIConnectionError):
            return LLMError("unavailable", "The language model could not be reached.", True)
        if isinstance(error, sdk.RateLimitError):
            return LLMError(
                "rate_limited",
                "The language model is rate limiting us.",
                True,
                retry_after_seconds(error.response.headers),
            )
        if isinstance(error, sdk.AuthenticationError):
            return LLMError("misconfigured", "The language model rejected our API key.")
        if isinstance(error, sdk.APIStatusError):
            retryable = error.status_code >= 500
            return LLMError(
                "upstream_error",
                f"The language model answered with HTTP {error.status_code}.",
                retryable,
                retry_after_seconds(error.response.headers),
            )
        return error

    # Retries within a deadline --------------------------------------------

    def retry_delay(self, error, attempt, remaining):
        """Seconds to wait before retry number `attempt + 1` after `error`, or
        None when it should not be retried (not retryable, retries used up, a
        timeout, or no time left for the wait and another try)."""
        if not error.retryable or error.code == "timeout" or attempt >= self.max_retries:
            return None
        if error.retry_after is not None:
            delay = error.retry_after
        else:
            jitter = random.uniform(0.75, 1.25)  # noqa: S311 - spreading retries, not a secret
            delay = min(RETRY_MAX_DELAY, RETRY_BASE_DELAY * 2**attempt) * jitter
        return delay if delay < remaining else None

    def _with_retries(self, deadline, call):
        """`call(seconds_left)` until it succeeds, retrying within the deadline
        (a time.monotonic() value)."""
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise deadline_passed()
            try:
                with self.translated_errors():
                    return call(remaining)
            except LLMError as error:
                delay = self.retry_delay(error, attempt, deadline - time.monotonic())
                if delay is None:
                    raise
                time.sleep(delay)
                attempt += 1

    async def _awith_retries(self, deadline, call, timeout_message=None):
        """The async `_with_retries`: `await call(seconds_left)`, each attempt
        cut off at the deadline (an event-loop time) even if the provider
        keeps trickling bytes."""
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise deadline_passed(*([timeout_message] if timeout_message else []))
            try:
                async with asyncio.timeout_at(deadline):
                    with self.translated_errors():
                        return await call(remaining)
            except TimeoutError as error:
                raise deadline_passed(*([timeout_message] if timeout_message else [])) from error
            except LLMError as error:
                delay = self.retry_delay(error, attempt, deadline - loop.time())
                if delay is None:
                    raise
                await asyncio.sleep(delay)
                attempt += 1

    # Synchronous -----------------------------------------------------------

    def complete(self, messages, max_tokens=512, temperature=0.2, json_mode=False, **_):
        """The whole answer at once, within LLM_TIMEOUT (retries included)."""
        request = self._request(messages, max_tokens, temperature, False, json_mode)
        response = self._with_retries(
            time.monotonic() + self.timeout,
            lambda remaining: self.client().chat.completions.create(**request, timeout=remaining),
        )
        text = response.choices[0].message.content or ""
        return Completion(text=text, usage=_usage_dict(response.usage))

    def stream(self, messages, max_tokens=512, temperature=0.2, result=None, **_):
        """Text deltas as they arrive; closing the generator closes the stream.

        Blocking reads cannot be cut off from outside, so here every read waits
        at most what is left of the first-token deadline (capped at
        LLM_TIMEOUT), for the whole stream; `astream` is exact.
        """
        request = self._request(messages, max_tokens, temperature, True)
        deadline = time.monotonic() + self.first_token_timeout

        def open_until_first_delta(remaining):
            stream = self.client().chat.completions.create(
                **request, timeout=min(self.timeout, remaining)
            )
            chunks = iter(stream)
            try:
                for chunk in chunks:
                    first = list(_chunk_deltas(chunk, result))
                    if first:
                        return stream, chunks, first
                return stream, chunks, []
            except BaseException:
                stream.close()
                raise

        stream, chunks, first = self._with_retries(deadline, open_until_first_delta)
        with stream:
            yield from first
            with self.translated_errors():
                for chunk in chunks:
                    yield from _chunk_deltas(chunk, result)

    # Asynchronous ----------------------------------------------------------

    async def acomplete(self, messages, max_tokens=512, temperature=0.2, json_mode=False, **_):
        """The whole answer at once, within LLM_TIMEOUT (retries included)."""
        request = self._request(messages, max_tokens, temperature, False, json_mode)
        client = self.client(asynchronous=True)

        async def attempt(remaining):
            return await client.chat.completions.create(**request, timeout=remaining)

        response = await self._awith_retries(
            asyncio.get_running_loop().time() + self.timeout, attempt
        )
        text = response.choices[0].message.content or ""
        return Completion(text=text, usage=_usage_dict(response.usage))

    async def astream(self, messages, max_tokens=512, temperature=0.2, result=None, **_):
        """Async text deltas: the first within LLM_FIRST_TOKEN_TIMEOUT (retries
        included), the others at most LLM_TIMEOUT apart; cancelling the
        consumer closes the HTTP stream."""
        request = self._request(messages, max_tokens, temperature, True)
        client = self.client(asynchronous=True)
        opened = []  # the stream of the current attempt, closed if it fails

        async def open_until_first_delta(remaining):
            stream = await client.chat.completions.create(**request, timeout=self.timeout)
            opened.append(stream)
            chunks = stream.__aiter__()
            while (chunk := await anext(chunks, None)) is not None:
                first = list(_chunk_deltas(chunk, result))
                if first:
                    return stream, chunks, first
            return stream, chunks, []

        deadline = asyncio.get_running_loop().time() + self.first_token_timeout
        try:
            stream, chunks, first = await self._awith_retries(
                deadline,
                open_until_first_delta,
                "The language model did not start answering in time.",
            )
        except BaseException:
            for stream in opened:
                await stream.close()
            raise
        for abandoned in opened[:-1]:  # failed attempts before the one that answered
            await abandoned.close()
        try:
            for delta in first:
                yield delta
            with self.translated_errors():
                async for chunk in chunks:
                    for delta in _chunk_deltas(chunk, result):
                        yield delta
        finally:
            await stream.close()


class GroqBackend(ChatCompletionsBackend):
    name = "groq"
    stream_usage_option = False  # Groq always sends usage in x_groq

    def __init__(self, api_key, model, base_url, timeout, max_retries, first_token_timeout=None):
        import groq

        self.error_module = groq
        self.api_key = api_key
        self.base_url = base_url or None
        super().__init__(model, timeout, max_retries, first_token_timeout)

    def make_client(self, asynchronous):
        import groq

        client_class = groq.AsyncGroq if asynchronous else groq.Groq
        return client_class(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            # The adapter retries within the caller's deadline (see above).
            max_retries=0,
        )


class OpenAICompatibleBackend(ChatCompletionsBackend):
    name = "openai"

    def __init__(self, api_key, model, base_url, timeout, max_retries, first_token_timeout=None):
        import openai

        self.error_module = openai
        self.api_key = api_key or "not-needed"  # local servers ignore the key
        self.base_url = base_url
        super().__init__(model, timeout, max_retries, first_token_timeout)

    def make_client(self, asynchronous):
        import openai

        client_class = openai.AsyncOpenAI if asynchronous else openai.OpenAI
        return client_class(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            # The adapter retries within the caller's deadline (see above).
            max_retries=0,
        )


# Offline ------------------------------------------------------------------

_WORD_OR_SPACE = re.compile(r"\S+\s*")


class OfflineBackend:
    """Answers by quoting the passages' most relevant sentences, with sources.

    It reads only `passages` and `question`; it cannot write free text, so
    `complete()` on plain messages raises LLMNotSupported (callers such as the
    tagger then use their offline method).
    """

    name = "offline"
    offline = True

    def answer(self, passages, question):
        """The extractive answer text (`ai.extractive`): quotes chosen for
        each part of the question, cited, or a plain "the site does not say"."""
        from ai import extractive
        from ai.embeddings import get_embedder

        return extractive.answer(passages, question, get_embedder().encode)

    def complete(self, messages, passages=None, question=None, **_):
        if passages is None:
            raise LLMNotSupported("The offline backend only answers from supplied passages.")
        return Completion(text=self.answer(passages, question), usage={})

    def stream(self, messages, passages=None, question=None, result=None, **_):
        text = self.complete(messages, passages=passages, question=question).text
        yield from _WORD_OR_SPACE.findall(text)

    async def acomplete(self, messages, passages=None, question=None, **_):
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.complete, thread_sensitive=False)(
            messages, passages=passages, question=question
        )

    async def astream(self, messages, passages=None, question=None, result=None, **_):
        completion = await self.acomplete(messages, passages=passages, question=question)
        for word in _WORD_OR_SPACE.findall(completion.text):
            yield word


# Selection ------------------------------------------------------------------

_backend = None
_backend_lock = threading.Lock()


def build_backend():
    """A backend from the LLM_* settings."""
    backend = settings.LLM_BACKEND
    common = {
        "model": settings.LLM_MODEL,
        "timeout": settings.LLM_TIMEOUT,
        "first_token_timeout": settings.LLM_FIRST_TOKEN_TIMEOUT,
        "max_retries": settings.LLM_MAX_RETRIES,
    }
    if backend == "groq":
        return GroqBackend(api_key=settings.GROQ_API_KEY, base_url=settings.GROQ_BASE_URL, **common)
    if backend == "openai":
        return OpenAICompatibleBackend(
            api_key=settings.OPENAI_API_KEY, base_url=settings.OPENAI_BASE_URL, **common
        )
    return OfflineBackend()


def get_llm():
    """The process-wide backend chosen by settings."""
    global _backend
    if _backend is None:
        with _backend_lock:
            if _backend is None:
                _backend = metered(build_backend())  # pressroom_llm_* series
    return _backend


def reset_llm():
    """Forget the cached backend (after settings change, in tests)."""
    global _backend
    with _backend_lock:
        _backend = None
