"""The assistant end to end on real services: a browser-like WebSocket client
talks to a real Daphne process (PostgreSQL, channels-redis), which streams an
answer from the real groq SDK talking to a local chat-completions server."""

import json
import uuid

import pytest
from websockets.sync.client import connect

from tests import servers
from tests.live import groq_env, publish_indexed_post
from tests.llm_server import ChatCompletionsServer


@pytest.fixture(scope="module")
def llm_server():
    with ChatCompletionsServer() as server:
        yield server


@pytest.fixture(scope="module")
def groq_daphne(django_db_setup, service_settings_env, llm_server):
    """A Daphne whose language model is the groq SDK on the local server."""
    server = servers.Daphne(
        extra_env={**service_settings_env, **groq_env(llm_server)}, name="daphne-groq"
    )
    yield server
    server.stop()


@pytest.fixture
def indexed_post(live_db):
    return publish_indexed_post(
        "assistant-blog",
        f"Lighthouse keeping {uuid.uuid4().hex[:6]}",
        "How the lamp on the point was kept burning through the winter storms.",
        [
            "The keeper trimmed the lamp wick every four hours and polished the "
            "lens each morning so the beam reached twenty miles out to sea."
        ],
        headed="The lamp",
    )


def frames_until_done(socket, timeout=30):
    frames = []
    while True:
        frame = json.loads(socket.recv(timeout=timeout))
        frames.append(frame)
        if frame["type"] in ("done", "error"):
            return frames


def test_answer_streams_through_daphne_from_the_groq_sdk(groq_daphne, llm_server, indexed_post):
    llm_server.reply("The keeper trimmed the wick every four hours [1].", token_delay=0.02)
    with connect(
        f"{groq_daphne.ws_url}/ws/assistant/", additional_headers={"Origin": groq_daphne.url}
    ) as socket:
        socket.send(
            json.dumps(
                {
                    "type": "ask",
                    "question": "How often was the wick trimmed?",
                    "page_id": indexed_post.pk,
                }
            )
        )
        frames = frames_until_done(socket)
    tokens = [frame["text"] for frame in frames if frame["type"] == "token"]
    assert "".join(tokens) == "The keeper trimmed the wick every four hours [1]."
    assert len(tokens) == 9
    sources = next(frame for frame in frames if frame["type"] == "sources")["items"]
    assert sources[0]["url"].endswith(f"/{indexed_post.slug}/")
    assert frames[-1]["type"] == "done"
    request = llm_server.requests[-1]
    assert request["path"] == "/openai/v1/chat/completions"
    assert request["body"]["model"] == "llama-integration"
    assert "polished the lens" in request["body"]["messages"][-1]["content"]


def test_stop_through_daphne_closes_the_upstream_stream(groq_daphne, llm_server, indexed_post):
    llm_server.streams.clear()
    llm_server.reply(" ".join(["beam"] * 60), token_delay=0.1)
    with connect(
        f"{groq_daphne.ws_url}/ws/assistant/", additional_headers={"Origin": groq_daphne.url}
    ) as socket:
        socket.send(json.dumps({"type": "ask", "question": "Tell me about the lighthouse lamp"}))
        while json.loads(socket.recv(timeout=30))["type"] != "token":
            pass
        socket.send(json.dumps({"type": "stop"}))
        frames = frames_until_done(socket)
    assert frames[-1]["type"] == "done" and frames[-1]["stopped"] is True
    closed = llm_server.wait_for_closed_stream(timeout=10)
    assert closed is not None and not closed["completed"]


def test_oversized_and_deep_frames_get_error_frames_then_daphne_closes_past_1_mib(groq_daphne):
    from websockets.exceptions import ConnectionClosed

    with connect(
        f"{groq_daphne.ws_url}/ws/assistant/",
        additional_headers={"Origin": groq_daphne.url},
        max_size=None,
    ) as socket:
        # Over the consumers' 64 KiB: an error frame, and the socket stays open.
        socket.send(json.dumps({"type": "ask", "question": "x" * 70_000}))
        error = json.loads(socket.recv(timeout=10))
        assert (error["type"], error["code"]) == ("error", "frame_too_large")
        # 4 KB of nesting used to close the socket with 1011 and a traceback.
        socket.send("[" * 2048 + "]" * 2048)
        assert json.loads(socket.recv(timeout=10))["code"] == "frame_too_deep"
        socket.send(json.dumps({"type": "nope"}))
        assert json.loads(socket.recv(timeout=10))["code"] == "unknown_type"
        # Past Daphne's --websocket-max-message-size (1 MiB) the server drops the
        # connection (autobahn fails it without a close frame: 1006 here). The drop
        # can land while the client is still writing the frame, so either call may
        # be the one that sees it.
        with pytest.raises(ConnectionClosed) as dropped:
            socket.send("x" * (1024 * 1024 + 1))
            socket.recv(timeout=10)
        assert dropped.value.rcvd is None or dropped.value.rcvd.code != 1000
