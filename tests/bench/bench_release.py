"""Freezing and downloading releases of 10,000 and 100,000 items. Run by `make bench`.

Generates SciVideoBench-like items (as the import benchmark does), imports them accepted into
a database of their own (`<name>_release_bench` beside DATABASE_URL's PostgreSQL database,
otherwise SQLite under var/bench-release), then for each size freezes a release in a child
process (its time and peak memory measured alone) and downloads the JSONL over HTTP from
gunicorn with an API token.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench-release"
sys.path.insert(0, str(ROOT))

from tests.bench.bench_import import bench_environment, generate, run_measured  # noqa: E402

FREEZE_TARGET_S = 5.0
DOWNLOAD_TARGET = 150_000
TARGET_SIZE = 100_000

TOKEN = """
import django
django.setup()
from rest_framework.authtoken.models import Token
from sciannot.accounts.models import User
user, _ = User.objects.get_or_create(username="release-bench", defaults={"role": "curator"})
user.role = "curator"
user.save()
print(Token.objects.get_or_create(user=user)[0].key)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def download(url: str, token: str) -> tuple[float, int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    started = time.perf_counter()
    digest = hashlib.sha256()
    lines = 0
    with urllib.request.urlopen(request) as response:
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return time.perf_counter() - started, lines, digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    env, database = bench_environment(VAR, "_release_bench")
    env["DJANGO_SETTINGS_MODULE"] = "sciannot.settings"
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    token = subprocess.run(
        [python, "-c", TOKEN], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "sciannot.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        imported = 0
        for size in sizes:
            source = VAR / f"items-{size}.jsonl"
            # Only the items not imported yet: each size adds to the same database.
            generate(source, size - imported, max(1, (size - imported) // 10), seed=size)
            subprocess.run(
                [python, "manage.py", "import_questions", str(source), "--status", "accepted"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            imported = size
            seconds, peak, output = run_measured(
                [python, "manage.py", "freeze_release", f"bench-{size}", "--version", "1.0.0"], env
            )
            url = f"http://127.0.0.1:{port}/api/releases/bench-{size}/1.0.0/test.jsonl"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/")
                    break
                except OSError:
                    time.sleep(0.1)
            # The first download may read the file from disk; the second finds it cached.
            cold, _, _ = download(url, token)
            took, lines, sha = download(url, token)
            expected = output.split("sha256 ")[1].split(".")[0]
            assert sha == expected, "the download differs from the frozen file"
            assert lines == size, f"{lines} lines downloaded, {size} frozen"
            # The freeze as the command timed it, without Python's and Django's start-up.
            froze = float(output.split("The freeze took ")[1].split(" s")[0])
            rows.append((size, froze, seconds, peak, took, lines / took, lines / cold))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\nRelease benchmark on {database}: freeze (child process) and HTTP download (gunicorn)")
    print(
        f"{'items':>8}{'freeze s':>10}{'target':>8}{'items/s':>10}{'command s':>11}"
        f"{'peak MB':>9}{'download s':>12}{'items/s':>11}{'target':>10}{'first, items/s':>16}"
    )
    # The targets are set for the 100,000-item release.
    targets = (f"<= {FREEZE_TARGET_S:g}", f">= {DOWNLOAD_TARGET // 1000}k")
    for size, froze, seconds, peak, took, rate, first in rows:
        print(
            f"{size:>8,}{froze:>10.1f}{targets[0] if size == TARGET_SIZE else '':>8}"
            f"{size / froze:>10,.0f}{seconds:>11.1f}{peak:>9.0f}{took:>12.2f}{rate:>11,.0f}"
            f"{targets[1] if size == TARGET_SIZE else '':>10}{first:>16,.0f}"
        )
    print(
        "(freeze s: the freeze itself; command s: the whole command, start-up included;\n"
        " download: the second one; first: the first after the freeze, maybe read from disk)"
    )
    largest = rows[-1]
    print(
        f"\ntargets: freeze of {largest[0]:,} in <= {FREEZE_TARGET_S:g} s -> "
        f"{'met' if largest[1] <= FREEZE_TARGET_S else 'NOT met'}; download >= "
        f"{DOWNLOAD_TARGET:,} items/s -> {'met' if largest[5] >= DOWNLOAD_TARGET else 'NOT met'}; "
        f"peak memory {rows[0][3]:.0f} MB at {rows[0][0]:,} and {largest[3]:.0f} MB at "
        f"{largest[0]:,}",
        flush=True,
    )


if __name__ == "__main__":
    main()
