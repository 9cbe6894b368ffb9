"""LLM deadlines cover retries: the SDKs' own retry loops are off, a hanging
provider costs one request and one deadline, retries never run past the
deadline, and a stream that never starts ends at the first-token deadline.
The real groq and openai SDKs talk to the local protocol server."""

import asyncio

import pytest

from ai import llm

MESSAGES = [{"role": "user", "content": "Say hello"}]


def make_backend(kind, server, timeout=1.0, first_token_timeout=None, max_retries=2):
    if kind == "groq":
        return llm.GroqBackend(
            api_key="gsk_test",
            model="llama-test",
            base_url=server.base_url,
            timeout=timeout,
            max_retries=max_retries,
            first_token_timeout=first_token_timeout,
        )
    return llm.OpenAICompatibleBackend(
        api_key="",
        model="local-model",
        base_url=server.openai_base_url,
        timeout=timeout,
        max_retries=max_retries,
        first_token_timeout=first_token_timeout,
    )


@pytest.fixture(params=["groq", "openai"])
def kind(request):
    return request.param


def test_the_sdk_clients_never_retry_on_their_own(kind, llm_server):
    backend = make_backend(kind, llm_server)
    assert backend.client().max_retries == 0

    async def async_client_retries():
        return backend.client(asynchronous=True).max_retries

    assert asyncio.run(async_client_retries()) == 0


def test_a_hanging_provider_costs_one_request_not_one_per_retry(kind, llm_server):
    backend = make_backend(kind, llm_server, timeout=1.0, max_retries=2)
    llm_server.hang(times=3)
    with pytest.raises(llm.LLMError) as error:
        backend.complete(MESSAGES)
    assert error.value.code == "timeout"
    # The SDKs' own loop would have sent three (and waited three timeouts).
    assert len(llm_server.requests) == 1


def test_a_retry_that_would_end_past_the_deadline_is_not_made(kind, llm_server):
    backend = make_backend(kind, llm_server, timeout=1.0, max_retries=2)
    llm_server.fail(500, times=3, retry_after_ms=5000)  # asks us to wait 5 s
    with pytest.raises(llm.LLMError) as error:
        backend.complete(MESSAGES)
    assert error.value.code == "upstream_error"
    assert len(llm_server.requests) == 1


def test_retries_within_the_deadline_still_recover(kind, llm_server):
    backend = make_backend(kind, llm_server, timeout=5.0, max_retries=2)
    llm_server.fail(500, times=2, retry_after_ms=10)
    llm_server.reply("recovered")
    assert backend.complete(MESSAGES).text == "recovered"
    assert len(llm_server.requests) == 3


@pytest.mark.parametrize("silence", ["no_headers", "no_first_token"])
def test_an_async_stream_that_never_starts_ends_at_the_first_token_deadline(
    kind, llm_server, silence
):
    # LLM_TIMEOUT is long: only the first-token deadline can end this.
    backend = make_backend(kind, llm_server, timeout=60.0, first_token_timeout=1.0)
    if silence == "no_headers":
        llm_server.hang()
    else:
        llm_server.stall("never sent", after=0)  # headers and an empty role chunk only

    async def consume():
        return [token async for token in backend.astream(MESSAGES)]

    with pytest.raises(llm.LLMError) as error:
        asyncio.run(consume())
    assert error.value.code == "timeout"
    assert "did not start answering" in error.value.message
    assert len(llm_server.requests) == 1


def test_a_sync_stream_that_never_starts_ends_at_the_first_token_deadline(kind, llm_server):
    backend = make_backend(kind, llm_server, timeout=60.0, first_token_timeout=1.0)
    llm_server.stall("never sent", after=0)
    with pytest.raises(llm.LLMError) as error:
        list(backend.stream(MESSAGES))
    assert error.value.code == "timeout"
    assert llm_server.wait_for_closed_stream() is not None


def test_a_stream_retries_a_failed_start_then_streams(kind, llm_server):
    backend = make_backend(kind, llm_server, timeout=5.0, first_token_timeout=5.0)
    llm_server.fail(503, retry_after_ms=10)
    llm_server.reply("second time lucky")

    async def consume():
        return [token async for token in backend.astream(MESSAGES)]

    assert asyncio.run(consume()) == ["second", " time", " lucky"]
    assert len(llm_server.requests) == 2


def test_settings_reach_the_backend(settings):
    settings.LLM_BACKEND = "groq"
    settings.GROQ_API_KEY = "gsk_x"
    settings.LLM_TIMEOUT = 12.0
    settings.LLM_FIRST_TOKEN_TIMEOUT = 4.0
    llm.reset_llm()
    try:
        backend = llm.get_llm()
        assert (backend.timeout, backend.first_token_timeout) == (12.0, 4.0)
    finally:
        llm.reset_llm()
