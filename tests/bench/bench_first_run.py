"""A newcomer's first run: `make run` on a fresh clone, timed to the first HTTP 200 and to a
complete demo (every demo video with its file).

Run with `make bench` (or alone: `.venv/bin/python tests/bench/bench_first_run.py`). It clones
the current commit into a temporary folder, so the clone has no virtualenv and no database,
starts `make run` there on a free port with the default configuration (SQLite, the filesystem
broker: no DATABASE_URL or REDIS_URL), and stops it with Ctrl-C (SIGINT) at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_FIRST_200_S = 120.0
LIMIT_S = 900.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def videos_without_file(database: Path) -> int | None:
    """Demo videos still without a file, or None while the database is not ready."""
    if not database.exists():
        return None
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as db:
            (total,) = db.execute("SELECT count(*) FROM videos_video").fetchone()
            (missing,) = db.execute(
                "SELECT count(*) FROM videos_video WHERE original = ''"
            ).fetchone()
    except sqlite3.Error:
        return None
    return None if total == 0 else int(missing)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sciannot-first-run-") as workdir:
        clone = Path(workdir) / "sciannot"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(PORT=str(port), PYTHONUNBUFFERED="1")
        log_path = Path(workdir) / "make-run.log"
        started = time.monotonic()
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                ["make", "run"],
                cwd=clone,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        first_200 = complete = None
        url = f"http://127.0.0.1:{port}/accounts/login/"
        database = clone / "var" / "db.sqlite3"
        try:
            while time.monotonic() - started < LIMIT_S and process.poll() is None:
                now = time.monotonic() - started
                if first_200 is None and answers(url):
                    first_200 = now
                if first_200 is not None and videos_without_file(database) == 0:
                    complete = now
                    break
                time.sleep(0.25)
        finally:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if first_200 is None or complete is None:
            sys.stdout.write(log_path.read_text(errors="replace")[-3000:])
            print("first run: did not finish", file=sys.stderr)
            return 1
    verdict = "meets" if first_200 <= TARGET_FIRST_200_S else "MISSES"
    print("\nFirst run: `make run` on a fresh clone (runtime install, migrate, demo, server)")
    print("| what | seconds | target |")
    print("|---|---|---|")
    print(f"| first HTTP 200 | {first_200:.1f} | ≤ {TARGET_FIRST_200_S:.0f} ({verdict}) |")
    print(f"| demo complete (every video with its file) | {complete:.1f} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
