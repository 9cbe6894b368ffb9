"""The assistant over HTTP (Server-Sent Events) through the full ASGI stack:
the socket's frames, limits, privacy and citations."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from wagtail.models import PageViewRestriction

from ai import indexing
from chat.assistant.models import Conversation
from tests.factories import PostPageFactory, UserFactory, paragraph, publish

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]

URL = "/api/v2/assistant/"


def parse_events(raw):
    """[(event name, frame)] from an SSE body; comment lines are skipped."""
    events = []
    for block in raw.decode().split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


async def ask(client, body, **extra):
    response = await client.post(URL, body, content_type="application/json", **extra)
    if response.streaming:
        chunks = [chunk async for chunk in response.streaming_content]
        return response, parse_events(b"".join(chunks))
    return response, None


async def test_answer_streams_as_events_with_cited_sources(ferry_post, offline_llm):
    response, events = await ask(
        AsyncClient(), {"question": "What is this about?", "page_id": ferry_post.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    names = [name for name, _ in events]
    assert names[0] == "sources" and names[-1] == "done"
    assert names.count("token") > 5  # streamed, not one blob
    assert all(name == frame["type"] for name, frame in events)
    sources = events[0][1]["items"]
    assert sources and all(item["url"] == ferry_post.url for item in sources)
    assert {"number", "title", "url", "anchor", "score"} <= set(sources[0])
    text = "".join(frame["text"] for name, frame in events if name == "token")
    assert "ferry" in text.lower()
    # No cookie: answered, but nothing is kept.
    assert events[-1][1]["conversation_id"] is None
    assert await Conversation.objects.acount() == 0


async def test_a_signed_in_reader_keeps_the_conversation(ferry_post, offline_llm):
    user = await sync_to_async(UserFactory)()
    client = AsyncClient(enforce_csrf_checks=True)
    await client.aforce_login(user)
    # The session cookie without its CSRF token is refused.
    response, _ = await ask(client, {"question": "When does the ferry leave?"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    client.cookies["csrftoken"] = "a" * 32
    response, events = await ask(
        client, {"question": "When does the ferry leave?"}, headers={"X-CSRFToken": "a" * 32}
    )
    assert response.status_code == 200
    conversation_id = events[-1][1]["conversation_id"]
    conversation = await Conversation.objects.aget(pk=conversation_id)
    assert conversation.user_id == user.pk
    assert await conversation.messages.acount() == 2


async def test_private_pages_never_reach_answers(ferry_post, groq_llm, llm_server):
    blog = await sync_to_async(lambda: ferry_post.get_parent())()

    def make_private_page():
        private = publish(
            PostPageFactory(
                parent=blog,
                title="Ferry crew notes",
                body=[paragraph("The night ferry crew password is PRIVATE-SECRET-8812.")],
            )
        )
        indexing.index_page(private.pk)
        PageViewRestriction.objects.create(page=private, restriction_type="login")
        return private

    private = await sync_to_async(make_private_page)()
    llm_server.reply("Answer [1].")
    _, events = await ask(AsyncClient(), {"question": "night ferry crew password"})
    assert events[-1][0] == "done"
    dump = json.dumps(events) + json.dumps(llm_server.requests)
    assert "PRIVATE-SECRET-8812" not in dump
    _, events = await ask(AsyncClient(), {"question": "crew password", "page_id": private.pk})
    assert events == [
        ("error", {"type": "error", "code": "page_not_found", "message": events[0][1]["message"]})
    ]


async def test_model_failure_ends_in_an_error_event(ferry_post, groq_llm, llm_server):
    llm_server.fail(500, times=5)
    _, events = await ask(AsyncClient(), {"question": "When does the ferry leave?"})
    assert events[-1][0] == "error"
    assert events[-1][1]["code"].startswith("llm_")


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{}", "application/json", 400, "invalid_question"),
        ('{"question": "   "}', "application/json", 400, "invalid_question"),
        ('{"question": "x", "page_id": "1"}', "application/json", 400, "invalid_page"),
        (
            '{"question": "x", "conversation_id": "no"}',
            "application/json",
            400,
            "invalid_conversation",
        ),
        ("[1]", "application/json", 400, "invalid_json"),
        ("{", "application/json", 400, "invalid_json"),
        (b"\xff\xfe", "application/json", 400, "invalid_json"),
        ("question=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ('{"question": "' + "x" * 20000 + '"}', "application/json", 413, "too_large"),
    ],
)
async def test_bad_requests_get_json_errors_before_any_stream(
    offline_llm, body, content_type, status, code
):
    response = await AsyncClient().post(URL, body, content_type=content_type)
    assert response.status_code == status
    assert not response.streaming
    assert response.json()["error"]["code"] == code


async def test_questions_share_the_sockets_rate_limit(
    ferry_post, offline_llm, settings, one_rate_window
):
    settings.CHAT_RATE_LIMIT = 1
    client = AsyncClient()
    response, _ = await ask(client, {"question": "When does the ferry leave?"})
    assert response.status_code == 200
    response, _ = await ask(client, {"question": "When does the ferry leave?"})
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "rate_limited"
    assert body["error"]["retry_after"] == int(response["Retry-After"]) >= 1


async def test_only_post(offline_llm):
    response = await AsyncClient().get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"
