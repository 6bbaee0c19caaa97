"""Uploading a ~300 MB video through the real upload views. Run by `make bench`.

Starts gunicorn (one sync worker) on a database of its own (`<name>_upload_bench` beside
DATABASE_URL's PostgreSQL database, otherwise SQLite under var/bench-upload), signs in as a
curator over HTTP, sends the file in 8 MiB chunks as the upload page does, finishes it, and
prints the worker's peak resident memory (VmHWM) before and after, for local storage and
then for S3 (moto's server on loopback). The server must never hold the file in memory.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import re
import shutil
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench-upload"
sys.path.insert(0, str(ROOT))

from tests.bench.bench_import import bench_environment  # noqa: E402

CHUNK = 8 * 1024 * 1024
MEMORY_TARGET_MB = 250
USER = """
import django
django.setup()
from sciannot.accounts.models import User
user, _ = User.objects.get_or_create(username="upload-bench", defaults={"role": "curator"})
user.role = "curator"
user.set_password("upload-bench-pw")
user.save()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    assert match, f"no VmHWM for process {pid}"
    return int(match.group(1)) / 1024


def worker_pid(master: int) -> int:
    for _ in range(200):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise SystemExit("gunicorn started no worker")


class Session:
    """HTTP with cookies and the CSRF header, as the upload page's script sends it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if "csrftoken" in self.cookies:
            all_headers["X-CSRFToken"] = self.cookies["csrftoken"]
        all_headers.update(headers or {})
        connection.request(method, path, body=body or None, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, content

    def sign_in(self) -> None:
        for _ in range(200):
            try:
                self.request("GET", "/accounts/login/")
                break
            except OSError:
                time.sleep(0.1)
        form = urlencode(
            {
                "username": "upload-bench",
                "password": "upload-bench-pw",
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
            }
        ).encode()
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302 and "sessionid" in self.cookies, "sign-in failed"
        assert self.request("GET", "/videos/upload/")[0] == 200

    def json(self, method: str, path: str, payload: dict[str, object]) -> dict[str, object]:
        status, content = self.request(
            method, path, json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )
        data = json.loads(content)
        assert status in (200, 201), f"{method} {path}: {status} {data}"
        return dict(data)


def upload(port: int, video: Path, video_id: str) -> tuple[float, float, int]:
    """Upload `video` in chunks and finish it; (seconds sending, seconds finishing, chunks)."""
    session = Session(port)
    session.sign_in()
    size = video.stat().st_size
    created = session.json(
        "POST",
        "/videos/uploads/",
        {"kind": "video", "name": video.name, "size": size, "video_id": video_id},
    )
    started = time.perf_counter()
    chunks = 0
    with video.open("rb") as handle:
        offset = 0
        while piece := handle.read(CHUNK):
            status, content = session.request(
                "PUT",
                str(created["chunk_url"]),
                piece,
                {"Content-Range": f"bytes {offset}-{offset + len(piece) - 1}/{size}"},
            )
            assert status == 200, content
            offset += len(piece)
            chunks += 1
    sent = time.perf_counter() - started
    started = time.perf_counter()
    finished = session.json("POST", str(created["finish_url"]), {})
    assert finished["video_id"] == video_id
    return sent, time.perf_counter() - started, chunks


def run(storage: str, env: dict[str, str], video: Path) -> tuple[float, float, float, float, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "sciannot.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        worker = worker_pid(server.pid)
        session = Session(port)
        session.sign_in()
        before = peak_rss_mb(worker)
        sent, finishing, chunks = upload(port, video, f"bench-{storage}")
        after = peak_rss_mb(worker)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return before, after, sent, finishing, chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=36, help="video length (24 fps)")
    parser.add_argument("--storage", default="local,s3")
    args = parser.parse_args()
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    env, database = bench_environment(VAR, "_upload_bench")
    # The browser copy the raw video needs is queued, not made: no worker runs here.
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sciannot.settings",
            "MEDIA_ROOT": str(VAR / "media"),
            "UPLOAD_BUFFER_DIR": str(VAR / "buffers"),
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run([sys.executable, "-c", USER], cwd=ROOT, env=env, check=True)

    from videos.synthetic import make_synthetic_video

    video = VAR / "jove_bench.mkv"
    # Uncompressed frames: 640x360 at 24 fps is 8.3 MB a second of video, quick to write.
    make_synthetic_video(
        video,
        duration=args.seconds,
        width=640,
        height=360,
        fps=24,
        codec="rawvideo",
        container_format="matroska",
        audio=False,
    )
    size_mb = video.stat().st_size / 1024**2
    rows = []
    for storage in args.storage.split(","):
        run_env = dict(env)
        moto = None
        if storage == "s3":
            import boto3
            from moto.server import ThreadedMotoServer

            # One log line per request otherwise.
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            moto.start()
            host, port = moto.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            credentials = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench-secret"}
            boto3.client(
                "s3", endpoint_url=endpoint, region_name="us-east-1", **credentials
            ).create_bucket(Bucket="upload-bench")
            run_env.update(
                {
                    "STORAGE": "s3",
                    "AWS_STORAGE_BUCKET_NAME": "upload-bench",
                    "AWS_S3_ENDPOINT_URL": endpoint,
                    "AWS_S3_REGION_NAME": "us-east-1",
                    "AWS_ACCESS_KEY_ID": "bench",
                    "AWS_SECRET_ACCESS_KEY": "bench-secret",
                }
            )
        try:
            rows.append((storage, *run(storage, run_env, video)))
        finally:
            if moto is not None:
                moto.stop()

    print(f"\nUpload benchmark on {database}: a {size_mb:.0f} MB video in {CHUNK >> 20} MiB chunks")
    print(
        f"{'storage':>8}{'chunks':>8}{'send s':>8}{'MB/s':>7}{'finish s':>10}"
        f"{'worker MB before':>18}{'peak MB':>9}"
    )
    for storage, before, after, sent, finishing, chunks in rows:
        print(
            f"{storage:>8}{chunks:>8}{sent:>8.1f}{size_mb / sent:>7.0f}{finishing:>10.1f}"
            f"{before:>18.0f}{after:>9.0f}"
        )
    worst = max(after for _, _, after, *_ in rows)
    print(
        f"\ntarget: the web worker's peak memory under {MEMORY_TARGET_MB} MB for a "
        f"{size_mb:.0f} MB file -> {'met' if worst < MEMORY_TARGET_MB else 'NOT met'} "
        f"(peak {worst:.0f} MB)",
        flush=True,
    )


if __name__ == "__main__":
    main()
