"""A real HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions protocol and Gemini's
generateContent (`/<version>/models/<model>:generateContent`) and file upload.

Tests script its replies, including faults: an HTTP status (500, 429 with Retry-After), hanging
past the client's timeout, malformed or truncated JSON content, and a refusal. Replies can be
queued for everyone or per schema (the agents ask for different JSON schemas, so the server
tells a generator call from a verifier call by the schema's name), or computed by a responder
function from the request. Every request body is recorded.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.drafting.schema_rules import gemini_problems, openai_strict_problems


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    retry_after: float | None = None
    hang: float = 0.0
    refusal: str = ""
    prompt_tokens: int = 120
    completion_tokens: int = 80


Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class FakeOpenAI:
    url: str = ""
    root: str = ""
    replies: list[Reply] = field(default_factory=list)
    by_schema: dict[str, list[Reply]] = field(default_factory=dict)
    responders: dict[str, Responder] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    # Seconds every answer takes (for benchmarks).
    latency: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def script_for(self, schema: str, *replies: Reply) -> None:
        self.by_schema.setdefault(schema, []).extend(replies)

    def requests_for(self, schema: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r.get("_schema") == schema]

    def reply_to(self, body: dict[str, Any]) -> Reply:
        schema = body.get("_schema", "")
        with self.lock:
            queued = self.by_schema.get(schema)
            if queued:
                return queued.pop(0)
            if self.replies:
                return self.replies.pop(0)
        responder = self.responders.get(schema)
        if responder is not None:
            return responder(body)
        return Reply(status=500)


def schema_name(body: dict[str, Any]) -> str:
    if "response_format" in body:
        return str(body["response_format"].get("json_schema", {}).get("name", ""))
    config = body.get("generationConfig") or {}
    schema = config.get("responseJsonSchema") or config.get("response_json_schema") or {}
    return str(schema.get("title", ""))


def prompt_text(body: dict[str, Any]) -> str:
    """All the text a request carries, whichever protocol it came in."""
    parts: list[str] = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(p.get("text", "") for p in content if p.get("type") == "text")
    for content in body.get("contents", []):
        parts.extend(p.get("text", "") for p in content.get("parts", []) if "text" in p)
    return "\n".join(parts)


def _schema_refusal(body: dict[str, Any]) -> dict[str, Any] | None:
    """The 400 a real provider answers to a schema it cannot enforce, or None."""
    response_format = body.get("response_format", {})
    if response_format.get("json_schema", {}).get("strict"):
        format_ = response_format["json_schema"]
        problems = openai_strict_problems(format_.get("schema", {}))
        if problems:
            message = f"Invalid schema for response_format '{format_.get('name')}': {problems[0]}"
            return {"error": {"message": message, "type": "invalid_request_error"}}
    config = body.get("generationConfig") or {}
    schema = config.get("responseJsonSchema") or config.get("response_json_schema")
    if schema is not None:
        problems = gemini_problems(schema)
        if problems:
            return {"error": {"code": 400, "message": problems[0], "status": "INVALID_ARGUMENT"}}
    return None


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send_json(
            self, status: int, payload: Any, headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            # Gemini's files.get, polled while an uploaded video is processing.
            match = re.search(r"/v[^/]*/(files/[^?]+)", self.path)
            name = match.group(1) if match else ""
            upload = next((u for u in fake.uploads if u["name"] == name), None)
            if upload is None:
                self._send_json(404, {"error": {"code": 404, "message": "no such file"}})
                return
            upload["polls"] += 1
            self._send_json(200, _file(fake, upload, "ACTIVE"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if "/upload/" in self.path or "/upload-session/" in self.path:
                self._upload(raw)
                return
            body = json.loads(raw or b"{}")
            body["_path"] = self.path
            body["_schema"] = schema_name(body)
            with fake.lock:
                fake.requests.append(body)
            refused = _schema_refusal(body)
            if refused:
                self._send_json(400, refused)
                return
            reply = fake.reply_to(body)
            if fake.latency:
                time.sleep(fake.latency)
            if reply.hang:
                time.sleep(reply.hang)
            if reply.status != 200:
                headers = {}
                if reply.retry_after is not None:
                    headers["Retry-After"] = str(reply.retry_after)
                self._send_json(
                    reply.status,
                    {"error": {"code": reply.status, "message": f"fake {reply.status}"}},
                    headers,
                )
                return
            if ":generateContent" in self.path:
                self._gemini(reply)
                return
            message: dict[str, Any] = {"role": "assistant", "content": reply.content}
            if reply.refusal:
                message = {"role": "assistant", "content": None, "refusal": reply.refusal}
            self._send_json(
                200,
                {
                    "id": f"chatcmpl-{len(fake.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "fake-model"),
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                    },
                },
            )

        def _gemini(self, reply: Reply) -> None:
            candidate: dict[str, Any] = {
                "content": {"role": "model", "parts": [{"text": reply.content}]},
                "finishReason": "STOP",
            }
            if reply.refusal:
                candidate = {"finishReason": "SAFETY"}
            self._send_json(
                200,
                {
                    "candidates": [candidate],
                    "usageMetadata": {"promptTokenCount": 90, "candidatesTokenCount": 60},
                    "modelVersion": self.path.split("/models/")[1].split(":")[0],
                },
            )

        def _upload(self, raw: bytes) -> None:
            command = self.headers.get("X-Goog-Upload-Command", "")
            if command == "start":
                number = len(fake.uploads) + 1
                meta = json.loads(raw or b"{}")
                fake.uploads.append(
                    {
                        "name": f"files/video{number}",
                        "meta": meta,
                        "bytes": 0,
                        "polls": 0,
                        "headers": dict(self.headers),
                    }
                )
                self._send_json(
                    200, {}, {"x-goog-upload-url": f"{fake.root}/upload-session/{number}"}
                )
                return
            number = int(self.path.rsplit("/", 1)[-1])
            upload = fake.uploads[number - 1]
            upload["bytes"] += len(raw)
            final = "finalize" in command
            self._send_json(
                200,
                {"file": _file(fake, upload, "PROCESSING")} if final else {},
                {"x-goog-upload-status": "final" if final else "active"},
            )

    return Handler


def _file(fake: FakeOpenAI, upload: dict[str, Any], state: str) -> dict[str, Any]:
    return {
        "name": upload["name"],
        "uri": f"{fake.root}/v1/{upload['name']}",
        "mimeType": "video/mp4",
        "sizeBytes": str(upload["bytes"]),
        "state": state,
    }


@contextmanager
def fake_openai_server(latency: float = 0.0) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(latency=latency)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    server.request_queue_size = 128
    fake.root = f"http://127.0.0.1:{server.server_address[1]}"
    fake.url = f"{fake.root}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
