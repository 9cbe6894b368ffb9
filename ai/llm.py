"""Language-model adapters behind one interface: complete and stream, sync and async.

Backends:
- `groq`: the groq SDK (`GROQ_API_KEY`, `LLM_MODEL`, optional `GROQ_BASE_URL`).
- `openai`: any OpenAI-compatible server by base URL (Ollama, vLLM, llama.cpp
  server, OpenAI itself) through the openai SDK.
- `offline` (the default): no network. It answers extractively from the
  supplied passages: it quotes the sentences most similar to the question,
  each with its source number, and never writes a word of its own.

Both SDKs retry 429 and 5xx responses with backoff (honouring Retry-After) up
to `LLM_MAX_RETRIES`, and every request has a `LLM_TIMEOUT` that also bounds
the wait between streamed chunks, so a stalled stream ends in an error, never
a hang. Failures surface as `LLMError` with a stable `code`.
"""

import asyncio
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import numpy as np
from django.conf import settings


class LLMError(Exception):
    """A language-model call failed; `code` is stable for clients and logs."""

    def __init__(self, code, message, retryable=False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable


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

    def __init__(self, model, timeout, max_retries):
        self.model = model
        self.timeout = timeout
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
        if isinstance(error, httpx.TimeoutException):
            return LLMError("timeout", "The language model stopped answering.", True)
        if isinstance(error, httpx.TransportError):
            return LLMError("unavailable", "The connection to the language model broke.", True)
        if isinstance(error, sdk.APITimeoutError):
            return LLMError("timeout", "The language model did not answer in time.", True)
        if isinstance(error, sdk.APIConnectionError):
            return LLMError("unavailable", "The language model could not be reached.", True)
        if isinstance(error, sdk.RateLimitError):
            return LLMError("rate_limited", "The language model is rate limiting us.", True)
        if isinstance(error, sdk.AuthenticationError):
            return LLMError("misconfigured", "The language model rejected our API key.")
        if isinstance(error, sdk.APIStatusError):
            retryable = error.status_code >= 500
            return LLMError(
                "upstream_error",
                f"The language model answered with HTTP {error.status_code}.",
                retryable,
            )
        return error

    # Synchronous -----------------------------------------------------------

    def complete(self, messages, max_tokens=512, temperature=0.2, json_mode=False, **_):
        """The whole answer at once."""
        with self.translated_errors():
            response = self.client().chat.completions.create(
                **self._request(messages, max_tokens, temperature, False, json_mode)
            )
        text = response.choices[0].message.content or ""
        return Completion(text=text, usage=_usage_dict(response.usage))

    def stream(self, messages, max_tokens=512, temperature=0.2, result=None, **_):
        """Text deltas as they arrive; closing the generator closes the stream."""
        with self.translated_errors():
            stream = self.client().chat.completions.create(
                **self._request(messages, max_tokens, temperature, True)
            )
            with stream:
                for chunk in stream:
                    yield from _chunk_deltas(chunk, result)

    # Asynchronous ----------------------------------------------------------

    async def acomplete(self, messages, max_tokens=512, temperature=0.2, json_mode=False, **_):
        with self.translated_errors():
            response = await self.client(asynchronous=True).chat.completions.create(
                **self._request(messages, max_tokens, temperature, False, json_mode)
            )
        text = response.choices[0].message.content or ""
        return Completion(text=text, usage=_usage_dict(response.usage))

    async def astream(self, messages, max_tokens=512, temperature=0.2, result=None, **_):
        """Async text deltas; cancelling the consumer closes the HTTP stream."""
        with self.translated_errors():
            stream = await self.client(asynchronous=True).chat.completions.create(
                **self._request(messages, max_tokens, temperature, True)
            )
            async with stream:
                async for chunk in stream:
                    for delta in _chunk_deltas(chunk, result):
                        yield delta


class GroqBackend(ChatCompletionsBackend):
    name = "groq"
    stream_usage_option = False  # Groq always sends usage in x_groq

    def __init__(self, api_key, model, base_url, timeout, max_retries):
        import groq

        self.error_module = groq
        self.api_key = api_key
        self.base_url = base_url or None
        super().__init__(model, timeout, max_retries)

    def make_client(self, asynchronous):
        import groq

        client_class = groq.AsyncGroq if asynchronous else groq.Groq
        return client_class(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )


class OpenAICompatibleBackend(ChatCompletionsBackend):
    name = "openai"

    def __init__(self, api_key, model, base_url, timeout, max_retries):
        import openai

        self.error_module = openai
        self.api_key = api_key or "not-needed"  # local servers ignore the key
        self.base_url = base_url
        super().__init__(model, timeout, max_retries)

    def make_client(self, asynchronous):
        import openai

        client_class = openai.AsyncOpenAI if asynchronous else openai.OpenAI
        return client_class(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )


# Offline ------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+")  # noqa: RUF001 - CJK full stops
_WORD_OR_SPACE = re.compile(r"\S+\s*")


class OfflineBackend:
    """Answers by quoting the passages' most relevant sentences, with sources.

    It reads only `passages` and `question`; it cannot write free text, so
    `complete()` on plain messages raises LLMNotSupported (callers such as the
    tagger then use their offline method).
    """

    name = "offline"
    offline = True
    max_quotes = 3
    min_similarity = 0.25

    def answer(self, passages, question):
        """The extractive answer text."""
        from ai.embeddings import get_embedder

        candidates = []
        for passage in passages:
            for sentence in _SENTENCE.split(passage.text):
                sentence = " ".join(sentence.split())
                if len(sentence) >= 20:
                    candidates.append((passage.number, sentence))
        if not candidates or not question:
            return "I could not find anything on this site that answers that."
        embedder = get_embedder()
        vectors = embedder.encode([question] + [sentence for _, sentence in candidates])
        scores = vectors[1:] @ vectors[0]
        chosen = []
        for index in np.argsort(-scores, kind="stable"):
            if scores[index] < self.min_similarity or len(chosen) == self.max_quotes:
                break
            if any(candidates[index][1] == sentence for _, sentence in chosen):
                continue
            chosen.append(candidates[index])
        if not chosen:
            return "I could not find anything on this site that answers that."
        # Quote in reading order so the answer flows like the source.
        order = {candidate: position for position, candidate in enumerate(candidates)}
        chosen.sort(key=lambda candidate: order[candidate])
        lines = [f"“{sentence}” [{number}]" for number, sentence in chosen]
        return "Here is what the site says:\n\n" + "\n\n".join(lines)

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
                _backend = build_backend()
    return _backend


def reset_llm():
    """Forget the cached backend (after settings change, in tests)."""
    global _backend
    with _backend_lock:
        _backend = None
