"""An upload whose connection drops mid-chunk, against a real HTTP server: the half chunk is
dropped, the server reports how far it got, and the upload goes on from there."""

from __future__ import annotations

import http.client
import json
import socket
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from videos.models import Upload, Video


class Browser:
    """Just enough of a browser: a session cookie, the CSRF token, JSON requests."""

    def __init__(self, base_url: str, session_cookie: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies = {"sessionid": session_cookie}
        page = self.request("GET", "/videos/upload/")
        assert page[0] == 200
        self.token = self.cookies["csrftoken"]

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        all_headers = {"Cookie": self.cookie_header(), **(headers or {})}
        if method != "GET":
            all_headers["X-CSRFToken"] = self.token
        connection.request(method, path, body=body or None, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, content

    def json(self, method: str, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        status, content = self.request(
            method, path, json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )
        return status, json.loads(content)

    def put_chunk(self, url: str, data: bytes, offset: int, total: int) -> tuple[int, Any]:
        status, content = self.request(
            "PUT",
            url,
            data,
            {"Content-Range": f"bytes {offset}-{offset + len(data) - 1}/{total}"},
        )
        return status, json.loads(content)

    def put_half_and_hang_up(self, url: str, data: bytes, offset: int, total: int) -> bytes:
        """Declare a whole chunk, send half of it, and close the connection."""
        with socket.create_connection((self.host, self.port), timeout=30) as sock:
            head = (
                f"PUT {url} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Cookie: {self.cookie_header()}\r\nX-CSRFToken: {self.token}\r\n"
                f"Content-Range: bytes {offset}-{offset + len(data) - 1}/{total}\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
            )
            sock.sendall(head.encode() + data[: len(data) // 2])
            sock.shutdown(socket.SHUT_WR)
            # The server's answer once it has given up on the body.
            return sock.recv(65536)


@pytest.mark.django_db(transaction=True)
def test_a_chunk_cut_off_mid_way_is_dropped_and_the_upload_resumes(
    live_server: Any, curator: Any, benchmark: Any, video_dir: Path
) -> None:
    data = (video_dir / "jove_1001.mp4").read_bytes()
    chunk = 16384
    client = Client()
    client.force_login(curator)
    browser = Browser(live_server.url, client.cookies["sessionid"].value)

    status, upload = browser.json(
        "POST",
        "/videos/uploads/",
        {"kind": "video", "name": "jove_1001.mp4", "size": len(data), "video_id": "1001"},
    )
    assert status == 201
    assert browser.put_chunk(upload["chunk_url"], data[:chunk], 0, len(data))[0] == 200

    answer = browser.put_half_and_hang_up(
        upload["chunk_url"], data[chunk : 2 * chunk], chunk, len(data)
    )
    # The server read to the end of what came, found it short, and kept none of it.
    assert answer.startswith(b"HTTP/1.1 400")

    status, state = browser.json("GET", upload["status_url"], {})
    assert status == 200
    assert state["offset"] == chunk
    partial = Path(Upload.objects.get(pk=upload["id"]).storage_key)
    from django.conf import settings

    assert (Path(settings.MEDIA_ROOT) / partial).stat().st_size == chunk

    offset = state["offset"]
    while offset < len(data):
        status, reply = browser.put_chunk(
            upload["chunk_url"], data[offset : offset + chunk], offset, len(data)
        )
        assert status == 200, reply
        offset = reply["offset"]
    status, done = browser.json("POST", upload["finish_url"], {})
    assert status == 200, done

    video = Video.objects.get(video_id="1001")
    with video.original.open("rb") as stored:
        assert stored.read() == data
    assert video.duration == pytest.approx(20.0, abs=0.25)
