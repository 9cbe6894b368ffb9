"""The assistant's fixtures (an indexed post, the offline and groq backends,
the local chat-completions server), shared with the HTTP stream's tests."""

from tests.unit.assistant.conftest import ferry_post, groq_llm, llm_server, offline_llm

__all__ = ["ferry_post", "groq_llm", "llm_server", "offline_llm"]
