"""Kept-alive connections against new ones on the embedded default, as a reviewer meets it.

Starts the app as `make run` does (runserver on SQLite under var/bench-keepalive), signs a
reviewer in, and times the sign-in page and the review page from the client side: requests
over one kept-alive connection (as a browser sends them) and requests that each open a new
connection, in turns, beside the server's own time for the same requests (`duration_ms` of the
request log). A kept-alive client should see no more than a few ms above the server's time.
Timings swing with whatever else runs on the machine; how many reads a kept-alive response
takes does not: one, when the server sends it in one write. Run by `make bench`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench-keepalive"
REQUESTS = 100
# How far above the server's own time a kept-alive request may be: no idle wait.
TARGET_GAP_MS = 5.0

SETUP = """
import sys
from pathlib import Path
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from reviews.models import Question
from sciannot.accounts.models import User
folder = Path(sys.argv[1])
call_command("import_videos", str(folder), verbosity=0)
call_command("import_questions", str(folder / "items.jsonl"), verbosity=0)
user = User.objects.create_user("keepalive-bench", password="x", role="reviewer")
user.disciplines = ["Physics"]
user.save()
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(session.session_key, Question.objects.get().uid)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def pieces_per_response(port: int, path: str, session_key: str, count: int = 20) -> list[int]:
    """How many reads each response takes on one kept-alive connection, reading as soon as
    anything arrives: 1 when a response leaves the server in one write."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: sessionid={session_key}\r\n\r\n"
    ).encode()
    counts = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        for _ in range(count + 1):
            sock.sendall(request)
            data, reads = b"", 0
            while True:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise SystemExit(f"the server closed the connection answering {path}")
                data, reads = data + chunk, reads + 1
                head, blank, body = data.partition(b"\r\n\r\n")
                length = re.search(rb"(?im)^content-length: *(\d+)", head)
                if blank and length and len(body) >= int(length.group(1)):
                    break
            counts.append(reads)
    return counts[1:]  # the first response of a connection is acknowledged at once


def server_times(log: Path, path: str) -> list[float]:
    """The app's own duration of each request for `path`, from the server's JSON log."""
    times = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("path") == path and "duration_ms" in entry:
                times.append(float(entry["duration_ms"]))
    return times


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from videos.synthetic import make_synthetic_video

    shutil.rmtree(VAR, ignore_errors=True)
    folder = VAR / "in"
    folder.mkdir(parents=True)
    make_synthetic_video(folder / "jove_9100.mp4", duration=30, width=320, height=180, fps=5)
    (folder / "items.jsonl").write_text(
        '{"video_id": "9100", "question": "What happens at 00:10?", "answer": "A", '
        '"question_type": "Conceptual Reasoning", "discipline": "Physics", '
        '"options": ' + json.dumps([f"option {n}" for n in range(10)]) + "}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "SCIANNOT_VAR_DIR": str(VAR),
            "DJANGO_SETTINGS_MODULE": "sciannot.settings",
            "LOG_FORMAT": "json",
        }
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    session_key, uid = subprocess.run(
        [python, "-c", SETUP, str(folder)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-2:]

    port = free_port()
    log_path = VAR / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    cookies = {"sessionid": session_key}
    pages = {"sign-in page": "/accounts/login/", "review page": f"/questions/{uid}/"}
    rows = []
    try:
        for _ in range(300):
            try:
                requests.get(base + pages["sign-in page"], timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        for name, path in pages.items():
            kept: list[float] = []
            fresh: list[float] = []
            with requests.Session() as session:
                session.cookies.update(cookies)
                for _ in range(5):  # warm the app, the connection and SQLite's cache
                    session.get(base + path, timeout=30)
                served_before = len(server_times(log_path, path))
                for _ in range(REQUESTS):
                    started = time.perf_counter()
                    response = requests.get(base + path, cookies=cookies, timeout=30)
                    fresh.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                    started = time.perf_counter()
                    response = session.get(base + path, timeout=30)
                    kept.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
            time.sleep(0.5)  # the last log lines
            served = server_times(log_path, path)[served_before : served_before + 2 * REQUESTS]
            pieces = pieces_per_response(port, path, session_key)
            rows.append((name, served, kept, fresh, pieces))
    finally:
        server.terminate()
        server.wait(timeout=20)

    print(
        "\nKept-alive and new connections on the embedded default (runserver, SQLite), "
        f"as a signed-in reviewer, {REQUESTS} requests each, in turns"
    )
    print(
        f"{'page':<14}{'server p50':>12}{'kept-alive p50':>16}{'p95':>8}"
        f"{'new conn. p50':>15}{'p95':>8}{'reads':>7}{'kept − server':>15}"
    )
    for name, served, kept, fresh, pieces in rows:
        gap = statistics.median(kept) - statistics.median(served)
        verdict = "ok" if gap <= TARGET_GAP_MS else f"over {TARGET_GAP_MS:.0f} ms"
        print(
            f"{name:<14}{statistics.median(served):>12.1f}{statistics.median(kept):>16.1f}"
            f"{percentile(kept, 0.95):>8.1f}{statistics.median(fresh):>15.1f}"
            f"{percentile(fresh, 0.95):>8.1f}{max(pieces):>7}{gap:>12.1f} ms  {verdict}"
        )
    print("reads: the most reads a kept-alive response took (1: it left the server in one write)")
    print(
        f"target: a kept-alive request at most {TARGET_GAP_MS:.0f} ms above the server's own "
        "time (p50); an idle wait for a delayed ACK would add about 40 ms"
    )


if __name__ == "__main__":
    main()
