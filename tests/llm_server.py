"""A local HTTP server that speaks the chat-completions protocol (Groq's and
OpenAI's), streaming included, for testing the real SDKs without a network.

Tests script its answers: plain replies (JSON or server-sent events), error
statuses (429 with Retry-After, 500), a stream that stalls after a few
tokens, and a request never answered at all (`hang`). It records every
request body and whether each stream was closed by the client before it
finished, so tests can assert that a cancelled answer really hung up on the
provider.
"""

import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Scripted:
    """One scripted answer."""

    text: str = "A scripted answer."
    status: int = 200
    retry_after_ms: int | None = None
    token_delay: float = 0.0
    stall_after: int | None = None  # stream this many tokens, then go silent
    tokens: list = field(default_factory=list)
    timestamps: bool = False  # each token is the time it was sent (for latency benchmarks)
    hang: bool = False  # accept the request, then send nothing until the client hangs up

    def split(self):
        if self.tokens:
            return self.tokens
        words = self.text.split(" ")
        return [word if index == 0 else " " + word for index, word in enumerate(words)]


class ChatCompletionsServer:
    """Start with `with ChatCompletionsServer() as server:`; see `base_url`."""

    def __init__(self):
        self.script = deque()
        self.default = None  # the answer when nothing is scripted
        self.requests = []
        self.streams = []  # one dict per streamed answer: {"closed_by_client": bool, ...}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # Lifecycle -------------------------------------------------------------

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base_url(self):
        """Root URL: the groq SDK appends /openai/v1/..., use `openai_base_url` for openai."""
        host, port = self._httpd.server_address
        return f"http://{host}:{port}"

    @property
    def openai_base_url(self):
        return f"{self.base_url}/v1"

    # Scripting ---------------------------------------------------------------

    def reply(self, text="A scripted answer.", **options):
        self.script.append(Scripted(text=text, **options))

    def fail(self, status, times=1, retry_after_ms=None):
        for _ in range(times):
            self.script.append(Scripted(status=status, retry_after_ms=retry_after_ms))

    def stall(self, text="This answer never finishes because", after=3):
        self.script.append(Scripted(text=text, stall_after=after))

    def hang(self, times=1):
        """Answer the next `times` requests with silence (not even headers)."""
        for _ in range(times):
            self.script.append(Scripted(hang=True))

    def next_answer(self):
        with self._lock:
            if self.script:
                return self.script.popleft()
            return self.default or Scripted()

    def wait_for_closed_stream(self, timeout=5.0):
        """Block until a stream has been closed by the client; returns it or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for stream in self.streams:
                if stream["closed_by_client"]:
                    return stream
            time.sleep(0.02)
        return None

    # HTTP --------------------------------------------------------------------

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # the body ends when the connection closes

            def log_message(self, *args):
                pass

            def do_POST(self):
                if not self.path.endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(
                    {"path": self.path, "body": body, "headers": dict(self.headers)}
                )
                answer = server.next_answer()
                if answer.hang:
                    self._wait_for_hang_up({"closed_by_client": False})
                    return
                if answer.status != 200:
                    headers = {}
                    if answer.retry_after_ms is not None:
                        headers["retry-after-ms"] = str(answer.retry_after_ms)
                    self._json(
                        answer.status,
                        {"error": {"message": f"scripted {answer.status}", "type": "test"}},
                        headers,
                    )
                    return
                if body.get("stream"):
                    self._stream(body, answer)
                else:
                    self._json(200, self._completion(body, answer.text))

            def _json(self, status, payload, headers=None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _completion(self, body, text):
                return {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "test-model"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": 11,
                        "completion_tokens": len(text.split()),
                        "total_tokens": 11 + len(text.split()),
                    },
                }

            def _chunk(self, body, delta, finish_reason=None, usage=None):
                chunk = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": body.get("model", "test-model"),
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
                }
                if usage is not None:
                    chunk["usage"] = usage
                    chunk["x_groq"] = {"id": "req-test", "usage": usage}
                return b"data: " + json.dumps(chunk).encode() + b"\n\n"

            def _stream(self, body, answer):
                record = {"closed_by_client": False, "completed": False, "sent": 0}
                server.streams.append(record)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                tokens = answer.split()
                try:
                    self.wfile.write(self._chunk(body, {"role": "assistant", "content": ""}))
                    for index, token in enumerate(tokens):
                        if answer.stall_after is not None and index >= answer.stall_after:
                            self._wait_for_hang_up(record)
                            return
                        if answer.timestamps:
                            token = f" {time.time():.6f}"
                        self.wfile.write(self._chunk(body, {"content": token}))
                        self.wfile.flush()
                        record["sent"] += 1
                        if answer.token_delay and self._hung_up_within(answer.token_delay):
                            record["closed_by_client"] = True
                            return
                    usage = {
                        "prompt_tokens": 11,
                        "completion_tokens": len(tokens),
                        "total_tokens": 11 + len(tokens),
                    }
                    self.wfile.write(self._chunk(body, {}, "stop", usage))
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                    record["completed"] = True
                except (BrokenPipeError, ConnectionResetError):
                    record["closed_by_client"] = True

            def _hung_up_within(self, seconds):
                """Wait up to `seconds`; True if the client closed the connection."""
                readable, _, _ = select.select([self.connection], [], [], seconds)
                if not readable:
                    return False
                try:
                    return self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

            def _wait_for_hang_up(self, record, limit=60.0):
                deadline = time.monotonic() + limit
                while time.monotonic() < deadline:
                    if self._hung_up_within(0.05):
                        record["closed_by_client"] = True
                        return

        return Handler
