"""The LLM adapters drive the real groq and openai SDKs against a local server
that speaks the chat-completions protocol (no mocks of the SDKs)."""

import asyncio

import pytest

from ai import llm

MESSAGES = [{"role": "user", "content": "Say hello"}]


@pytest.fixture(params=["groq", "openai"])
def backend(request, groq_backend, openai_backend):
    return {"groq": groq_backend, "openai": openai_backend}[request.param]


def test_complete_returns_text_and_usage(backend, llm_server):
    llm_server.reply("Hello from the model.")
    completion = backend.complete(MESSAGES, max_tokens=50)
    assert completion.text == "Hello from the model."
    assert completion.usage["completion_tokens"] == 4
    [request] = llm_server.requests
    assert request["body"]["messages"] == MESSAGES
    assert request["body"]["stream"] is False
    assert request["path"].endswith("/chat/completions")


def test_groq_uses_its_own_path_and_key(groq_backend, llm_server):
    groq_backend.complete(MESSAGES)
    request = llm_server.requests[0]
    assert request["path"] == "/openai/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer gsk_test"


def test_stream_yields_tokens_in_order_and_usage(backend, llm_server):
    llm_server.reply("one two three four")
    result = llm.StreamResult()
    tokens = list(backend.stream(MESSAGES, result=result))
    assert tokens == ["one", " two", " three", " four"]
    assert result.usage["completion_tokens"] == 4
    assert llm_server.streams[0]["completed"]


def test_async_stream(backend, llm_server):
    llm_server.reply("alpha beta")

    async def collect():
        return [token async for token in backend.astream(MESSAGES)]

    assert asyncio.run(collect()) == ["alpha", " beta"]


def test_rate_limit_is_retried_then_succeeds(backend, llm_server):
    llm_server.fail(429, times=2, retry_after_ms=10)
    llm_server.reply("finally")
    assert backend.complete(MESSAGES).text == "finally"
    assert len(llm_server.requests) == 3


def test_persistent_rate_limit_becomes_a_clear_error(backend, llm_server):
    llm_server.fail(429, times=3, retry_after_ms=10)
    with pytest.raises(llm.LLMError) as error:
        backend.complete(MESSAGES)
    assert error.value.code == "rate_limited"
    assert error.value.retryable


def test_server_errors_are_retried_then_reported(backend, llm_server):
    llm_server.fail(500, times=3, retry_after_ms=10)
    with pytest.raises(llm.LLMError) as error:
        backend.complete(MESSAGES)
    assert error.value.code == "upstream_error"
    assert "500" in error.value.message
    assert len(llm_server.requests) == 3


def test_a_stalled_stream_times_out_instead_of_hanging(backend, llm_server):
    llm_server.stall("partial answer that stops here", after=2)
    received = []
    with pytest.raises(llm.LLMError) as error:
        for token in backend.stream(MESSAGES):
            received.append(token)
    assert error.value.code == "timeout"
    assert received == ["partial", " answer"]
    assert llm_server.wait_for_closed_stream() is not None


def test_closing_the_stream_early_hangs_up_on_the_server(backend, llm_server):
    llm_server.reply("a b c d e f g h", token_delay=0.2)
    stream = backend.stream(MESSAGES)
    assert next(stream) == "a"
    stream.close()
    closed = llm_server.wait_for_closed_stream()
    assert closed is not None and not closed["completed"]


def test_cancelling_an_async_stream_hangs_up_on_the_server(backend, llm_server):
    llm_server.reply("slow words arrive one by one", token_delay=0.3)

    async def consume_then_cancel():
        async def consume():
            async for _ in backend.astream(MESSAGES):
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(consume_then_cancel())
    closed = llm_server.wait_for_closed_stream()
    assert closed is not None and not closed["completed"]


def test_unreachable_server_is_a_clear_error():
    backend = llm.OpenAICompatibleBackend(
        api_key="", model="m", base_url="http://127.0.0.1:9/v1", timeout=1.0, max_retries=0
    )
    with pytest.raises(llm.LLMError) as error:
        backend.complete(MESSAGES)
    assert error.value.code == "unavailable"


def test_offline_backend_refuses_free_text():
    with pytest.raises(llm.LLMNotSupported):
        llm.OfflineBackend().complete(MESSAGES)


def test_backend_selection_follows_settings(settings):
    settings.LLM_BACKEND = "offline"
    llm.reset_llm()
    assert isinstance(llm.get_llm(), llm.OfflineBackend)
    settings.LLM_BACKEND = "groq"
    settings.GROQ_API_KEY = "gsk_x"
    llm.reset_llm()
    assert isinstance(llm.get_llm(), llm.GroqBackend)
    llm.reset_llm()
