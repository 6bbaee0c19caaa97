"""`make run`'s web server (`manage.py runserver`, sciannot/devserver.py), started with the
very command the Makefile runs: a kept-alive connection gets each response in one piece and
without the ~40 ms wait for a delayed acknowledgement, and what `make run` serves over such a
connection (pages, static files, video byte ranges, answers without a body) still arrives
whole."""

from __future__ import annotations

import http.client
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.test import Client

from tests.conftest import ROOT, TEST_VAR, closed_port, worker_env

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

LOGIN = "/accounts/login/"


def make_run_server_command(port: int) -> list[str]:
    """The web server command of `make run` on `port`, read from make's plan of the target."""
    plan = subprocess.run(
        ["make", "-n", "run", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    found = re.search(r"manage\.py (runserver .*?)\s*$", plan, re.MULTILINE)
    assert found, f"`make run` no longer starts `manage.py runserver`; update this test:\n{plan}"
    return [sys.executable, "manage.py", *found.group(1).split()]


@pytest.fixture
def server(transactional_db: None) -> Iterator[str]:
    """`make run`'s web server on a free port, on the suite's database; yields its base URL."""
    port = closed_port()
    command = make_run_server_command(port)
    assert command[3] == f"127.0.0.1:{port}", command
    log_path = TEST_VAR / "devserver.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=worker_env(), stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(base + LOGIN, timeout=5)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text(errors="replace")) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_response(sock: socket.socket, *, head_only: bool = False) -> tuple[bytes, list[int]]:
    """One HTTP response with a Content-Length from `sock`, and the size of each recv."""
    data, pieces = b"", []
    while True:
        chunk = sock.recv(1 << 20)
        assert chunk, f"the server closed the connection after {data!r}"
        data += chunk
        pieces.append(len(chunk))
        head, blank, body = data.partition(b"\r\n\r\n")
        if not blank:
            continue
        if head_only:
            return data, pieces
        length = re.search(rb"(?im)^content-length: *(\d+)", head)
        assert length, head
        if len(body) >= int(length.group(1)):
            return data, pieces


def test_a_kept_alive_response_leaves_in_one_piece_and_without_an_idle_wait(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    request = f"GET {LOGIN} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        whole, _ = read_response(sock)
        assert whole.startswith(b"HTTP/1.1 200 ")
        # Later requests on the same connection: as soon as anything is readable, the whole
        # response is. Written in pieces, the status line came first and the rest only after
        # the client's delayed acknowledgement.
        for _ in range(5):
            sock.sendall(request)
            readable, _, _ = select.select([sock], [], [], 10)
            assert readable
            response, pieces = read_response(sock)
            assert response.startswith(b"HTTP/1.1 200 ")
            assert pieces == [len(response)], pieces

    # And a kept-alive client is not slower than one opening a connection per request. The
    # idle wait added about 40 ms to every kept-alive request; the two are timed in turns so
    # that a busy machine slows both alike.
    kept, fresh = [], []
    with requests.Session() as session:
        session.get(server + LOGIN, timeout=10)
        for _ in range(40):
            started = time.perf_counter()
            assert requests.get(server + LOGIN, timeout=10).status_code == 200
            fresh.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert session.get(server + LOGIN, timeout=10).status_code == 200
            kept.append(time.perf_counter() - started)
    kept_ms, fresh_ms = statistics.median(kept) * 1000, statistics.median(fresh) * 1000
    assert kept_ms < fresh_ms + 15, (kept_ms, fresh_ms)


def test_static_files_and_video_ranges_arrive_whole_over_one_connection(
    server: str, curator: Any, benchmark: Any, video_dir: Path
) -> None:
    from videos.models import Video

    call_command("import_videos", str(video_dir), verbosity=0)
    video = Video.objects.get(video_id="1001")
    data = (video_dir / "jove_1001.mp4").read_bytes()
    client = Client()
    client.force_login(curator)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=10)
    connection.connect()
    sock = connection.sock

    def get(path: str, **headers: str) -> tuple[int, http.client.HTTPResponse, bytes]:
        connection.request("GET", path, headers={"Cookie": cookie, **headers})
        response = connection.getresponse()
        body = response.read()
        # The server kept the connection open: http.client would otherwise open a new one.
        assert connection.sock is sock
        return response.status, response, body

    status, _, css = get("/static/css/app.css")
    assert status == 200
    assert css == (ROOT / "static" / "css" / "app.css").read_bytes()

    media = f"/videos/{video.pk}/media/video"
    status, response, head = get(media, Range="bytes=0-99")
    assert status == 206
    assert response.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert head == data[:100]
    status, _, rest = get(media, Range="bytes=100-")
    assert status == 206
    assert rest == data[100:]
    status, response, _ = get(media, **{"If-None-Match": response.headers["ETag"]})
    assert status == 304

    status, _, page = get(f"/videos/{video.pk}/")
    assert status == 200
    assert media.encode() in page
    connection.close()


def test_answers_without_a_body_are_sent_at_once(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    host = f"Host: 127.0.0.1:{port}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        # A HEAD answer is its headers alone, and the connection goes on after it.
        sock.sendall(f"HEAD {LOGIN} HTTP/1.1\r\n{host}\r\n".encode())
        head, _ = read_response(sock, head_only=True)
        assert head.startswith(b"HTTP/1.1 200 ")
        assert head.endswith(b"\r\n\r\n")
        sock.sendall(f"GET {LOGIN} HTTP/1.1\r\n{host}\r\n".encode())
        page, _ = read_response(sock)
        assert page.startswith(b"HTTP/1.1 200 ")

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        # A client that waits for "100 Continue" before sending its body gets it before the
        # body is sent, and then the app's answer.
        body = b"username=nobody&password=x"
        sock.sendall(
            f"POST {LOGIN} HTTP/1.1\r\n{host}Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode()
        )
        interim, _ = read_response(sock, head_only=True)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        answer, _ = read_response(sock)
        # No CSRF token: the app refuses, and says so in full.
        assert answer.startswith(b"HTTP/1.1 403 ")

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        # A request line too long to read gets its error without waiting.
        sock.sendall(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 414 ")
