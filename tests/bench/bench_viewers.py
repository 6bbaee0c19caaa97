"""How many people can watch videos on the embedded default while pages stay fast.

Starts the app as `make run` does (runserver on SQLite under var/bench-viewers), then for a
growing number of concurrent viewers — each streaming a video the way a browser does,
open-ended byte ranges answered in bounded pieces — measures the review page's latency
from another client. Run by `make bench`.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench-viewers"
FAST_P95_MS = 100.0
VIEWER_COUNTS = (0, 8, 32, 64, 128)

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
user = User.objects.create_user("viewer-bench", password="x", role="curator")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
question = Question.objects.get()
print(session.session_key, question.uid, question.video_id)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from videos.synthetic import make_synthetic_video

    shutil.rmtree(VAR, ignore_errors=True)
    folder = VAR / "in"
    folder.mkdir(parents=True)
    make_synthetic_video(folder / "jove_9000.mp4", duration=120, width=1280, height=720, fps=25)
    (folder / "items.jsonl").write_text(
        '{"video_id": "9000", "question": "What happens at 01:00?", "answer": "A", '
        '"question_type": "Conceptual Reasoning", "discipline": "Physics", '
        '"options": ' + str([f"option {n}" for n in range(10)]).replace("'", '"') + "}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"SCIANNOT_VAR_DIR": str(VAR), "DJANGO_SETTINGS_MODULE": "sciannot.settings"})
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [python, "-c", SETUP, str(folder)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    session_key, uid, video_pk = out[-3], out[-2], out[-1]
    size = (folder / "jove_9000.mp4").stat().st_size
    # Solid-colour synthetic frames compress to almost nothing, so viewers are paced as
    # for a typical 720p experiment video instead: 2.5 Mbit/s.
    bitrate = 2.5e6 / 8

    port = free_port()
    server = subprocess.Popen(
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Cookie": f"sessionid={session_key}"}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)

        def get(path: str, extra: dict[str, str] | None = None) -> bytes:
            request = urllib.request.Request(base + path, headers={**headers, **(extra or {})})
            with urllib.request.urlopen(request, timeout=30) as response:
                return bytes(response.read())

        rows = []
        for viewers in VIEWER_COUNTS:
            stop = threading.Event()
            served = [0]
            lock = threading.Lock()

            def watch(
                offset: int,
                stop: threading.Event = stop,
                lock: threading.Lock = lock,
                served: list[int] = served,
            ) -> None:
                position = offset
                while not stop.is_set():
                    try:
                        chunk = get(
                            f"/videos/{video_pk}/media/video", {"Range": f"bytes={position}-"}
                        )
                    except OSError:
                        continue
                    with lock:
                        served[0] += len(chunk)
                    position = (position + len(chunk)) % size
                    # A player buffers ahead, then fetches about as fast as it plays: here
                    # twice the video's bitrate.
                    stop.wait(len(chunk) / (2 * bitrate))

            threads = [
                threading.Thread(target=watch, args=(i * size // max(viewers, 1),), daemon=True)
                for i in range(viewers)
            ]
            streaming_since = time.perf_counter()
            for thread in threads:
                thread.start()
            time.sleep(1.0)
            timings = []
            for _ in range(40):
                t0 = time.perf_counter()
                page = get(f"/questions/{uid}/")
                timings.append((time.perf_counter() - t0) * 1000)
                assert b'data-testid="player"' in page
            elapsed = time.perf_counter() - streaming_since
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            timings.sort()
            rows.append(
                (viewers, statistics.median(timings), timings[37], served[0] / 1e6 / elapsed)
            )
    finally:
        server.terminate()
        server.wait(timeout=20)

    print(
        "\nConcurrent viewers on the embedded default (runserver, SQLite), each fetching "
        f"video at twice a {bitrate * 8 / 1e6:.1f} Mbit/s stream"
    )
    print(f"{'viewers':>8}{'page p50 ms':>14}{'page p95 ms':>14}{'video MB/s':>12}")
    for viewers, p50, p95, rate in rows:
        print(f"{viewers:>8}{p50:>14.1f}{p95:>14.1f}{rate:>12.1f}")
    fast = [viewers for viewers, _, p95, _ in rows if p95 <= FAST_P95_MS]
    print(
        f"\nthe review page stays under {FAST_P95_MS:.0f} ms p95 with up to "
        f"{max(fast) if fast else 0} concurrent viewers (of {', '.join(map(str, VIEWER_COUNTS))}"
        " tried); beyond one machine, nginx or S3 serve the bytes (MEDIA_SERVING)"
    )


if __name__ == "__main__":
    main()
