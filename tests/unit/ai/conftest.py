import logging

import pytest

from ai import llm
from tests.llm_server import ChatCompletionsServer


@pytest.fixture
def llm_server():
    with ChatCompletionsServer() as server:
        yield server


@pytest.fixture
def groq_backend(llm_server):
    """The real groq SDK pointed at the local protocol server."""
    return llm.GroqBackend(
        api_key="gsk_test",
        model="llama-test",
        base_url=llm_server.base_url,
        timeout=2.0,
        max_retries=2,
    )


@pytest.fixture
def openai_backend(llm_server):
    """The real openai SDK pointed at the local protocol server."""
    return llm.OpenAICompatibleBackend(
        api_key="",
        model="local-model",
        base_url=llm_server.openai_base_url,
        timeout=2.0,
        max_retries=2,
    )


@pytest.fixture
def ai_job_log():
    """Records of the ai.jobs logger (independent of pytest's log capture)."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("ai.jobs")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)
