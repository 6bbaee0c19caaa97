"""A real HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions protocol, and
Gemini's generateContent on `/<version>/models/<model>:generateContent`.

Tests script its replies one by one, including faults: an HTTP status (500, 429 with
Retry-After), hanging past the client's timeout, malformed or truncated JSON content, and
a refusal. Every request body is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    retry_after: float | None = None
    hang: float = 0.0
    refusal: str = ""


@dataclass
class FakeOpenAI:
    url: str = ""
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            body["_path"] = self.path
            fake.requests.append(body)
            reply = fake.replies.pop(0) if fake.replies else Reply(status=500)
            if reply.hang:
                time.sleep(reply.hang)
            if reply.status != 200:
                payload = json.dumps(
                    {"error": {"code": reply.status, "message": f"fake {reply.status}"}}
                ).encode()
                self.send_response(reply.status)
                if reply.retry_after is not None:
                    self.send_header("Retry-After", str(reply.retry_after))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            if ":generateContent" in self.path:
                self._gemini(reply)
                return
            message: dict[str, Any] = {"role": "assistant", "content": reply.content}
            if reply.refusal:
                message = {"role": "assistant", "content": None, "refusal": reply.refusal}
            payload = json.dumps(
                {
                    "id": f"chatcmpl-{len(fake.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "fake-model"),
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _gemini(self, reply: Reply) -> None:
            candidate: dict[str, Any] = {
                "content": {"role": "model", "parts": [{"text": reply.content}]},
                "finishReason": "STOP",
            }
            if reply.refusal:
                candidate = {"finishReason": "SAFETY"}
            payload = json.dumps(
                {
                    "candidates": [candidate],
                    "usageMetadata": {"promptTokenCount": 90, "candidatesTokenCount": 60},
                    "modelVersion": self.path.split("/models/")[1].split(":")[0],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def fake_openai_server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
