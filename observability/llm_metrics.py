"""Language-model calls timed, counted and their tokens summed, by backend.

`metered(backend)` wraps the four calls of an ai.llm backend instance in
place (the instance keeps its class, so callers and isinstance checks see
the same object). A stream is timed until its last chunk; one the reader
stopped counts with outcome "cancelled".
"""

import asyncio
import contextlib
import contextvars
import time
from types import SimpleNamespace

from observability.metrics import LLM_ERRORS, LLM_REQUEST_DURATION, LLM_TOKENS

# The offline backend's way of saying "not for free text": a signal to the
# caller (the tagger then uses its offline method), not a failure.
_NOT_A_FAILURE = {"not_supported"}


# Set only while a metered stream advances its inner stream (never across
# a yield), so a backend whose stream calls its own complete() (the offline
# one) is counted once, as a stream.
_streaming = contextvars.ContextVar("llm_metrics_streaming", default=False)
_END = object()


@contextlib.contextmanager
def _inside_stream():
    token = _streaming.set(True)
    try:
        yield
    finally:
        _streaming.reset(token)


def error_code(error):
    """The stable code of an ai.llm.LLMError, else the exception's class name."""
    return getattr(error, "code", None) or type(error).__name__


class _Call:
    """The bookkeeping of one call."""

    def __init__(self, backend, operation):
        self.backend = backend
        self.operation = operation
        self.started = time.perf_counter()

    def finished(self, outcome, usage=None):
        LLM_REQUEST_DURATION.labels(self.backend, self.operation, outcome).observe(
            time.perf_counter() - self.started
        )
        for kind in ("prompt", "completion"):
            tokens = (usage or {}).get(f"{kind}_tokens")
            if tokens:
                LLM_TOKENS.labels(self.backend, kind).inc(tokens)

    def failed(self, error):
        code = error_code(error)
        if code in _NOT_A_FAILURE:
            return
        LLM_ERRORS.labels(self.backend, code).inc()
        self.finished("error")


def metered(backend):
    """`backend` with complete/acomplete/stream/astream measured; returns it."""
    name = backend.name
    complete, acomplete, stream, astream = (
        backend.complete,
        backend.acomplete,
        backend.stream,
        backend.astream,
    )

    def metered_complete(*args, **kwargs):
        if _streaming.get():  # a stream built on complete(): counted as the stream
            return complete(*args, **kwargs)
        call = _Call(name, "complete")
        try:
            completion = complete(*args, **kwargs)
        except Exception as error:
            call.failed(error)
            raise
        call.finished("ok", completion.usage)
        return completion

    async def metered_acomplete(*args, **kwargs):
        if _streaming.get():
            return await acomplete(*args, **kwargs)
        call = _Call(name, "complete")
        try:
            completion = await acomplete(*args, **kwargs)
        except Exception as error:
            call.failed(error)
            raise
        call.finished("ok", completion.usage)
        return completion

    def metered_stream(*args, result=None, **kwargs):
        result = result if result is not None else SimpleNamespace(usage={})
        call = _Call(name, "stream")
        try:
            with contextlib.closing(stream(*args, result=result, **kwargs)) as deltas:
                while True:
                    with _inside_stream():
                        delta = next(deltas, _END)
                    if delta is _END:
                        break
                    yield delta
        except GeneratorExit:
            call.finished("cancelled", result.usage)
            raise
        except Exception as error:
            call.failed(error)
            raise
        call.finished("ok", result.usage)

    async def metered_astream(*args, result=None, **kwargs):
        result = result if result is not None else SimpleNamespace(usage={})
        call = _Call(name, "stream")
        try:
            async with contextlib.aclosing(astream(*args, result=result, **kwargs)) as deltas:
                while True:
                    with _inside_stream():
                        delta = await anext(deltas, _END)
                    if delta is _END:
                        break
                    yield delta
        except (GeneratorExit, asyncio.CancelledError):
            call.finished("cancelled", result.usage)
            raise
        except Exception as error:
            call.failed(error)
            raise
        call.finished("ok", result.usage)

    backend.complete = metered_complete
    backend.acomplete = metered_acomplete
    backend.stream = metered_stream
    backend.astream = metered_astream
    return backend
