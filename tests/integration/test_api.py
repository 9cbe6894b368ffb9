"""The headless API on real services: a real Daphne process on PostgreSQL
and Redis. The assistant streams Server-Sent Events through it, and
schemathesis fuzzes every operation of the live schema."""

import http.client
import json
import logging
import urllib.request
import uuid

import pytest
import schemathesis
from wagtail.models import PageViewRestriction

from tests import servers
from tests.api_fuzz import fuzz
from tests.live import groq_env, publish_indexed_post
from tests.llm_server import ChatCompletionsServer

logger = logging.getLogger(__name__)

# Fuzzed cases per operation and mode (positive, negative).
FUZZ_EXAMPLES = 40


@pytest.fixture(scope="module")
def llm_server():
    with ChatCompletionsServer() as server:
        yield server


@pytest.fixture(scope="module")
def api_daphne(django_db_setup, service_settings_env, llm_server):
    """A Daphne whose language model is the groq SDK on the local server, with
    API limits high enough for the fuzzer (the limits have their own tests)."""
    server = servers.Daphne(
        extra_env={
            **service_settings_env,
            **groq_env(
                llm_server,
                API_RATE_LIMIT="100000",
                SEARCH_RATE_LIMIT="100000",
                API_SSE_HEARTBEAT_SECONDS="1",
            ),
        },
        name="daphne-api",
    )
    yield server
    server.stop()


@pytest.fixture
def api_posts(live_db):
    """A public, indexed post and a login-only one (its canary must never show)."""
    marker = uuid.uuid4().hex[:8]
    public = publish_indexed_post(
        "api-blog",
        f"Harbour lights {marker}",
        "How the harbour lights guide the night ferry home.",
        ["Green to starboard, red to port, and the ferry steers between."],
        headed="The lights",
    )
    private = publish_indexed_post(
        "api-blog",
        f"Harbour CANARY{marker}",
        f"The harbour master's code is CANARY{marker}.",
        [f"The harbour lights code is CANARY{marker}."],
    )
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    return public, private, f"CANARY{marker}"


def open_stream(server, body):
    """POST a question; the open HTTP response (read it line by line)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(
        "POST", "/api/v2/assistant/", json.dumps(body), {"Content-Type": "application/json"}
    )
    return connection, connection.getresponse()


def next_event(response):
    """The next (event, frame) of an SSE stream; heartbeat comments are skipped."""
    name = data = None
    while True:
        line = response.fp.readline().decode()
        if line == "":
            raise EOFError("the stream ended")
        line = line.rstrip("\n")
        if line.startswith(":"):
            continue
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
        elif line == "" and name is not None:
            return name, data


def test_answer_streams_as_events_through_daphne(api_daphne, llm_server, api_posts):
    public, _, canary = api_posts
    llm_server.reply("Green to starboard and red to port [1].", token_delay=0.02)
    connection, response = open_stream(
        api_daphne, {"question": "Which light is to starboard?", "page_id": public.pk}
    )
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    events = [next_event(response)]
    while events[-1][0] not in ("done", "error"):
        events.append(next_event(response))
    connection.close()
    names = [name for name, _ in events]
    assert names[0] == "sources" and names[-1] == "done"
    tokens = [frame["text"] for name, frame in events if name == "token"]
    assert "".join(tokens) == "Green to starboard and red to port [1]."
    assert len(tokens) > 5
    assert events[0][1]["items"][0]["url"].endswith(f"/{public.slug}/")
    assert canary not in json.dumps(events) + json.dumps(llm_server.requests)


def test_tokens_arrive_before_the_answer_ends_and_leaving_stops_it(
    api_daphne, llm_server, api_posts
):
    # The model sends three tokens, then stalls: they can only be read here if
    # Daphne streams each event as it comes (nothing buffers the answer).
    llm_server.streams.clear()
    llm_server.stall("The ferry steers between the lights", after=3)
    connection, response = open_stream(api_daphne, {"question": "How does the ferry steer?"})
    assert next_event(response)[0] == "sources"
    for _ in range(3):
        assert next_event(response)[0] == "token"
    connection.close()  # the reader leaves mid-answer
    closed = llm_server.wait_for_closed_stream(timeout=10)
    assert closed is not None and not closed["completed"]


def test_private_pages_never_appear_through_the_live_api(api_daphne, api_posts):
    _, private, canary = api_posts
    for path in (
        "/api/v2/pages/?type=blog.PostPage&fields=*&limit=50",
        f"/api/v2/pages/?search={canary}",
        "/api/v2/pages/?search=harbour%20lights%20code",
        f"/api/v2/pages/{private.pk}/",
    ):
        try:
            with urllib.request.urlopen(f"{api_daphne.url}{path}", timeout=10) as response:
                body = response.read().decode()
        except urllib.error.HTTPError as error:
            assert error.code == 404
            body = error.read().decode()
        assert canary not in body, path


@pytest.mark.parametrize(
    "path",
    [
        # What the fuzzer once found on PostgreSQL: ?site= is read with the
        # base queryset, before any filter could refuse the NUL.
        "/api/v2/products/?site=%C2%BF%C3%B4.%C2%95%C2%94%00-O%1ELk%F4%8C%B9",
        "/api/v2/pages/?site=a%00b",
        "/api/v2/documents/?title=a%00b",
    ],
)
def test_a_nul_in_any_parameter_is_a_400_on_postgresql(api_daphne, path):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{api_daphne.url}{path}", timeout=10)
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"]["code"] == "bad_request"


def test_fuzzing_the_live_schema_finds_no_5xx_and_no_schema_violation(
    api_daphne, api_posts, record_property
):
    schema = schemathesis.openapi.from_url(f"{api_daphne.url}/api/v2/schema/?format=json")
    counts = fuzz(schema, examples=FUZZ_EXAMPLES)
    # The case counts for the record (pytest --junitxml, or -o log_cli=true).
    record_property("schemathesis_cases", sum(counts.values()))
    logger.info("schemathesis: %d cases: %s", sum(counts.values()), sorted(counts.items()))
    assert len(counts) == 16
    assert all(count >= 1 for count in counts.values()), counts
