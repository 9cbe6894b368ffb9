import pytest

from ai import indexing, llm
from tests.factories import BlogIndexPageFactory, PostPageFactory, heading, paragraph, publish
from tests.llm_server import ChatCompletionsServer

FERRY_BODY = [
    heading("Leaving the harbour"),
    paragraph(
        "The night ferry leaves the harbour at eleven and crosses the strait in four hours. "
        "Cabins sell out in summer, but the lounge seats are free for every foot passenger."
    ),
    heading("On board"),
    paragraph(
        "The cafeteria serves soup until two in the morning. The outer deck stays open in "
        "calm weather, and on clear nights passengers watch the lighthouse on the point."
    ),
]


@pytest.fixture
def ferry_post(db):
    """A published, indexed post about the night ferry."""
    blog = BlogIndexPageFactory(slug="blog")
    post = publish(
        PostPageFactory(
            parent=blog,
            slug="night-ferry",
            title="Crossing on the night ferry",
            intro="What to expect when you take the night boat across the strait.",
            body=FERRY_BODY,
        )
    )
    indexing.index_page(post.pk)
    return post


@pytest.fixture
def llm_server():
    with ChatCompletionsServer() as server:
        yield server


@pytest.fixture
def groq_llm(llm_server, settings):
    """Answers come from the real groq SDK talking to the local protocol server."""
    settings.LLM_TIMEOUT = 1.5
    backend = llm.GroqBackend(
        api_key="gsk_test",
        model="llama-test",
        base_url=llm_server.base_url,
        timeout=1.5,
        max_retries=0,
    )
    llm._backend = backend
    yield backend
    llm.reset_llm()


@pytest.fixture
def offline_llm():
    llm._backend = llm.OfflineBackend()
    yield llm._backend
    llm.reset_llm()
