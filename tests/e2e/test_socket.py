"""static/js/socket.js, the WebSocket client under the bell, the assistant and
the rooms, in headless Chromium: JSON frames both ways, reconnection with
capped exponential backoff and jitter (reset by a successful open), no
reconnection after a refusal (44xx close codes), on close() or when the page
is left, and a reconnect when the page comes back from the back/forward cache.

The socket server is Playwright's in-page mock (`route_web_socket`), so each
test decides when and how a connection ends; the backoff is checked on the
delays the module reports, with Math.random pinned, never by measuring time.
"""

import json
import re

import pytest

# Opens window.testSocket on `path`, logging every callback in window.socketLog.
OPEN_SOCKET = """([path, options, random]) => {
  Math.random = () => random;
  window.socketLog = [];
  window.testSocket = window.Pressroom.openSocket(path, {
    onOpen: () => socketLog.push({event: "open"}),
    onFrame: (frame) => socketLog.push({event: "frame", frame: frame}),
    onClose: (event, info) =>
      socketLog.push(Object.assign({event: "close", code: event.code}, info)),
  }, options);
}"""


def logged(page, event, count):
    """The first `count` entries of socketLog for `event`, once there are that many."""
    page.wait_for_function(
        "([event, count]) => socketLog.filter((entry) => entry.event === event).length >= count",
        arg=[event, count],
    )
    entries = page.evaluate("(event) => socketLog.filter((entry) => entry.event === event)", event)
    return entries[:count]


@pytest.fixture
def page(live_db, demo_site, new_context):
    """The home page, which loads socket.js like every page of the site."""
    page = new_context().new_page()
    page.goto("/")
    assert page.evaluate("typeof window.Pressroom.openSocket") == "function"
    return page


@pytest.fixture
def server(page):
    """A mock socket server at /ws/test/: greets each connection with a JSON
    frame and a non-JSON one, and echoes what it receives as JSON."""
    connections = []

    def accept(socket):
        connections.append(socket)
        socket.on_message(
            lambda message: socket.send(json.dumps({"type": "echo", "received": message}))
        )
        socket.send(json.dumps({"type": "hello", "connection": len(connections)}))
        socket.send("not json")

    page.route_web_socket(re.compile(r".*/ws/test/$"), accept)
    return connections


def test_frames_are_json_both_ways_and_a_dropped_socket_comes_back(page, server):
    page.evaluate(OPEN_SOCKET, ["/ws/test/", {"firstDelay": 40}, 1])
    logged(page, "open", 1)
    # The non-JSON message is dropped; the JSON one arrives as an object.
    assert logged(page, "frame", 1) == [
        {"event": "frame", "frame": {"type": "hello", "connection": 1}}
    ]
    assert page.evaluate("testSocket.send({type: 'ping', n: 1})") is True
    echo = logged(page, "frame", 2)[1]["frame"]
    assert json.loads(echo["received"]) == {"type": "ping", "n": 1}

    server[0].close(code=1011, reason="server error")
    first_close = logged(page, "close", 1)[0]
    assert first_close == {
        "event": "close",
        "code": 1011,
        "opened": True,
        "reconnecting": True,
        "delay": 40,
        "refused": False,
    }
    # It reconnects by itself; the server greets the new connection.
    logged(page, "open", 2)
    assert logged(page, "frame", 3)[2]["frame"] == {"type": "hello", "connection": 2}
    # That open reset the backoff: the next drop waits the first delay again.
    server[1].close(code=1012)
    assert logged(page, "close", 2)[1]["delay"] == 40
    logged(page, "open", 3)
    page.evaluate("testSocket.close()")


def test_the_delay_doubles_up_to_its_cap_while_no_connection_opens(page):
    # Nothing listens at this path: every handshake fails (code 1006).
    page.evaluate(OPEN_SOCKET, ["/ws/nowhere/", {"firstDelay": 20, "maxDelay": 160}, 1])
    closes = logged(page, "close", 6)
    page.evaluate("testSocket.close()")
    assert [close["delay"] for close in closes] == [20, 40, 80, 160, 160, 160]
    assert {(close["code"], close["opened"], close["reconnecting"]) for close in closes} == {
        (1006, False, True)
    }


@pytest.mark.parametrize(("random", "first_delay"), [(0, 500), (0.5, 750), (1, 1000)])
def test_the_first_default_delay_is_jittered_between_half_a_second_and_a_second(
    page, random, first_delay
):
    page.evaluate(OPEN_SOCKET, ["/ws/nowhere/", None, random])
    close = logged(page, "close", 1)[0]
    page.evaluate("testSocket.close()")
    assert close["delay"] == first_delay


@pytest.mark.parametrize("code", [4401, 4403, 4404])
def test_a_refusal_close_code_ends_the_reconnecting(page, server, code):
    page.evaluate(OPEN_SOCKET, ["/ws/test/", {"firstDelay": 40}, 1])
    logged(page, "open", 1)
    server[0].close(code=code, reason="refused")
    close = logged(page, "close", 1)[0]
    assert close == {
        "event": "close",
        "code": code,
        "opened": True,
        "reconnecting": False,
        "delay": None,
        "refused": True,
    }
    assert page.evaluate("[testSocket.isOpen(), testSocket.send({type: 'ping'})]") == [
        False,
        False,
    ]


def test_close_ends_the_socket_for_good(page, server):
    page.evaluate(OPEN_SOCKET, ["/ws/test/", {"firstDelay": 40}, 1])
    logged(page, "open", 1)
    page.evaluate("testSocket.close()")
    close = logged(page, "close", 1)[0]
    assert (close["code"], close["reconnecting"], close["delay"]) == (1000, False, None)
    assert page.evaluate("testSocket.send({type: 'ping'})") is False


def test_leaving_the_page_closes_the_socket_and_coming_back_reconnects(page, server):
    page.evaluate(OPEN_SOCKET, ["/ws/test/", {"firstDelay": 40}, 1])
    logged(page, "open", 1)
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: true}))")
    close = logged(page, "close", 1)[0]
    assert (close["code"], close["reconnecting"]) == (1000, False)
    # Back from the back/forward cache: a new connection, without waiting.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    logged(page, "open", 2)
    assert logged(page, "frame", 2)[1]["frame"] == {"type": "hello", "connection": 2}
    page.evaluate("testSocket.close()")
