"""Load test: 50 reviewers at once against the production topology on loopback.

Starts the stack of tests/stack (nginx, gunicorn with 3 workers of 4 threads, a Celery
worker, PostgreSQL, Redis; media served by nginx, or by the S3 server with `--media s3`),
seeds 50 reviewer accounts, 10 videos and 2,000 draft questions, runs
tests/load/locustfile.py headless (`-u 50 -r 10 -t 2m`) against nginx, and prints the
requests, failures, median and p95 per endpoint and overall. Targets: no failures and a p95
of at most 200 ms once signed in. Run by `make bench`; needs DATABASE_URL (PostgreSQL),
REDIS_URL and nginx.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "tests" / "load" / "locustfile.py"
VIDEOS = 10
QUESTIONS_PER_VIDEO = 200
REVIEWERS = 50
PASSWORD = "load-reviewer-pw"  # throwaway accounts in a throwaway database
P95_TARGET_MS = 200.0

SEED = """
import sys
from io import StringIO
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from sciannot.accounts.models import User
folder, password, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
call_command("import_videos", folder, stdout=StringIO())
call_command("import_questions", folder + "/items.jsonl", stdout=StringIO())
# One hash for every account: hashing is slow on purpose, and the accounts are throwaway.
hashed = make_password(password)
User.objects.bulk_create(
    [
        User(username=f"load-reviewer-{n}", password=hashed, role="reviewer",
             disciplines=["Biology"])
        for n in range(count)
    ]
)
"""


def app_requests(log: str) -> list[dict[str, Any]]:
    """The app's own request lines (JSON), with their time as seconds since the epoch."""
    lines = []
    for text in log.splitlines():
        if not text.startswith("{"):
            continue
        line = json.loads(text)
        if line.get("logger") == "sciannot.request":
            line["epoch"] = datetime.fromisoformat(line["time"]).timestamp()
            lines.append(line)
    return lines


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def write_inputs(folder: Path) -> None:
    from videos.synthetic import make_synthetic_video

    first = folder / "jove_7000.mp4"
    make_synthetic_video(first, duration=60, width=640, height=360, fps=25)
    for n in range(1, VIDEOS):
        shutil.copy(first, folder / f"jove_{7000 + n}.mp4")
    with (folder / "items.jsonl").open("w", encoding="utf-8") as handle:
        for v in range(VIDEOS):
            for q in range(QUESTIONS_PER_VIDEO):
                item = {
                    "video_id": str(7000 + v),
                    "question_id": str(q + 1),
                    "question": f"What is measured between 00:{q % 50:02d} and "
                    f"00:{q % 50 + 5:02d} in step {q}?",
                    "options": {letter: f"Reading {letter} of step {q}" for letter in "ABCDEFGHIJ"},
                    "answer": "ABCDEFGHIJ"[q % 10],
                    "question_type": "Quantitative Reasoning",
                    "discipline": "Biology",
                    "video_duration": 60,
                    "timestamp_breakdown": [f"00:{q % 50:02d}-00:{q % 50 + 5:02d}: step {q}"],
                }
                handle.write(json.dumps(item) + "\n")


def warm_up(url: str) -> None:
    """A few requests first, so every gunicorn worker has loaded the app before the clock runs."""
    import requests

    for _ in range(12):
        requests.get(f"{url}/accounts/login/", timeout=60).raise_for_status()
        requests.get(f"{url}/health/", timeout=60).raise_for_status()


def endpoint_of(method: str, path: str) -> str:
    """The locustfile's name for a request the app logged (for its server-side time)."""
    if path == "/accounts/login/":
        return "sign in" if method == "POST" else "sign-in form"
    if path == "/questions/":
        return "queue"
    if path == "/questions/next/":
        return "next item"
    if path.startswith("/videos/") and path.endswith("/media/video"):
        return "video range"
    if path.startswith("/questions/") and path.endswith("/decide"):
        return "decide"
    if path.startswith("/questions/"):
        return "review page"
    return "other"


def table(title: str, samples: list[dict[str, Any]], server: dict[str, list[float]]) -> dict:
    """Print requests, failures, median and p95 per endpoint and overall; the overall row."""
    print(f"\n{title}")
    print(
        f"{'endpoint':<22} {'requests':>9} {'failures':>9} {'median ms':>10} {'p95 ms':>8}"
        f" {'app p95 ms':>11}"
    )
    names = sorted({s["name"] for s in samples})
    overall: dict[str, Any] = {}
    for name in [*names, "all"]:
        chosen = samples if name == "all" else [s for s in samples if s["name"] == name]
        times = [float(s["ms"]) for s in chosen]
        app = server.get(name, [])
        row = {
            "requests": len(chosen),
            "failures": sum(1 for s in chosen if s["failed"]),
            "median": statistics.median(times) if times else float("nan"),
            "p95": percentile(times, 0.95),
        }
        app_p95 = f"{percentile(app, 0.95):>11.1f}" if app else f"{'':>11}"
        print(
            f"{name:<22} {row['requests']:>9} {row['failures']:>9} {row['median']:>10.1f}"
            f" {row['p95']:>8.1f} {app_p95}"
        )
        overall = row
    return overall


def report(samples: list[dict[str, Any]], app_lines: list[dict[str, Any]]) -> bool:
    """The whole run, then the steady state: from the moment the last reviewer signed in.

    Signing in hashes the password (PBKDF2, slow by design: about 0.4 s of CPU); fifty of them
    within five seconds keep two cores busy for a while, so the ramp-up is reported apart.
    "app p95" is the time the app itself logged for those requests (without nginx or queueing).
    """
    signed_in_at = max(
        (s["start"] + s["ms"] / 1000 for s in samples if s["name"] == "sign in"), default=0.0
    )
    server_all: dict[str, list[float]] = {}
    server_steady: dict[str, list[float]] = {}
    for line in app_lines:
        name = endpoint_of(line["method"], line["path"])
        server_all.setdefault(name, []).append(float(line["duration_ms"]))
        if line["epoch"] >= signed_in_at:
            server_steady.setdefault(name, []).append(float(line["duration_ms"]))
    users = sum(1 for s in samples if s["name"] == "sign in")
    whole = table(f"whole run ({users} reviewers signing in, then working)", samples, server_all)
    steady_samples = [s for s in samples if s["start"] >= signed_in_at]
    span = max((s["start"] for s in steady_samples), default=signed_in_at) - signed_in_at
    steady = table(
        f"steady state ({span:.0f} s from the last sign-in on)", steady_samples, server_steady
    )
    ok = whole["failures"] == 0 and steady["p95"] <= P95_TARGET_MS
    print(
        f"\ntarget: no failures, and p95 <= {P95_TARGET_MS:.0f} ms in the steady state: "
        + ("met" if ok else "NOT met")
    )
    return ok


def main() -> None:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", choices=["nginx", "s3"], default="nginx")
    parser.add_argument("--users", type=int, default=REVIEWERS)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--time", default="2m")
    args = parser.parse_args()

    from tests.stack.loopback import LoopbackStack, nginx_binary

    database_url = os.environ.get("DATABASE_URL", "")
    # Like the stack tests, it is skipped (with the reason) where its parts are missing.
    if not database_url.startswith(("postgres://", "postgresql://")) or not os.environ.get(
        "REDIS_URL"
    ):
        print("load test skipped: it needs DATABASE_URL=postgres://... and REDIS_URL=redis://...")
        return
    if nginx_binary() is None:
        print("load test skipped: it needs nginx (apt-get install nginx)")
        return

    work = Path(tempfile.mkdtemp(prefix="sciannot-load-"))
    stack = LoopbackStack(
        database_url=database_url,
        redis_url=os.environ["REDIS_URL"],
        media_serving=args.media,
        web_workers=3,
        web_threads=4,
        nginx_workers=2,
    )
    try:
        write_inputs(work)
        stack.start()
        stack.python(SEED, str(work), PASSWORD, str(args.users))
        users = work / "users.json"
        users.write_text(
            json.dumps(
                {"users": [f"load-reviewer-{n}" for n in range(args.users)], "password": PASSWORD}
            ),
            encoding="utf-8",
        )
        samples_path = work / "samples.jsonl"
        warm_up(stack.url)
        print(
            f"locust: {args.users} reviewers, {args.spawn_rate} started a second, {args.time}, "
            f"against nginx at {stack.url} (media: {args.media})",
            flush=True,
        )
        with (work / "locust.log").open("wb") as locust_log:
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "locust"),
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "-u",
                    str(args.users),
                    "-r",
                    str(args.spawn_rate),
                    "-t",
                    args.time,
                    "--host",
                    stack.url,
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, "LOAD_USERS": str(users), "LOAD_SAMPLES": str(samples_path)},
                check=False,
                stdout=locust_log,
                stderr=subprocess.STDOUT,
            )
        if not samples_path.exists():
            sys.exit("locust recorded nothing:\n" + (work / "locust.log").read_text()[-3000:])
        samples = [json.loads(line) for line in samples_path.read_text().splitlines()]
        report(samples, app_requests(stack.log_text("gunicorn")))
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
