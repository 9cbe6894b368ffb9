"""The assistant's fixtures (an indexed post, the offline and groq backends,
the local chat-completions server), shared with the HTTP stream's tests."""

import time
from types import SimpleNamespace

import pytest

from core import rate_limits
from tests.unit.assistant.conftest import ferry_post, groq_llm, llm_server, offline_llm

__all__ = ["ferry_post", "groq_llm", "llm_server", "offline_llm"]


@pytest.fixture
def one_rate_window(monkeypatch):
    """Every request of the test falls in the same rate-limit window (a slow
    test could otherwise straddle a minute boundary and get a fresh budget)."""
    now = time.time()
    monkeypatch.setattr(rate_limits, "time", SimpleNamespace(time=lambda: now))
