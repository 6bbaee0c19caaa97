"""Import throughput and peak memory for a generated SciVideoBench-style JSONL.

Run with `make bench` (BENCH_ARGS="--items 20000" for a quicker run). It uses a database of
its own: with DATABASE_URL set to PostgreSQL it creates `<name>_bench` beside it, otherwise
a SQLite file under var/bench. Each import is the whole command (process start included) in a
child process, so that its peak memory (max RSS) is measured alone: a first import with
`--status accepted` into an empty database, then, into another empty one, a first import
with the default status and the same file again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BENCH_VAR = ROOT / "var" / "bench"
TYPES = ("Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning")
DISCIPLINES = ("Chemistry", "Biology", "Medicine", "Physics", "Engineering", "Bioengineering")
TARGET_ITEMS_PER_S = 10_000
TARGET_PEAK_MB = 500


def generate(path: Path, items: int, videos: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(items):
            video = n % videos
            start = rng.randrange(0, 1100)
            end = start + rng.randrange(3, 40)
            item = {
                "video_id": str(50000 + video),
                "question_id": str(n // videos + 1),
                "question": (
                    f"In experiment {n}, what is the purpose of the step shown between "
                    f"{start // 60:02d}:{start % 60:02d} and {end // 60:02d}:{end % 60:02d}, "
                    "where the sample was diluted 1:10 before measurement?"
                ),
                "options": {
                    letter: f"Option {letter} for item {n}: a plausible mechanism variant {k}"
                    for k, letter in enumerate("ABCDEFGHIJ")
                },
                "answer": "ABCDEFGHIJ"[n % 10],
                "question_type": TYPES[n % 3],
                "discipline": DISCIPLINES[video % len(DISCIPLINES)],
                "subject": "Benchmark subject",
                "video_duration": 1200.0,
                "timestamp_breakdown": [
                    f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}: "
                    "the step happens",
                    f"{end // 60:02d}:{end % 60:02d}: the reading is taken",
                ],
                "rationale": "Because the step isolates the variable being measured. " * 3,
            }
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")


def bench_environment(var: Path = BENCH_VAR, suffix: str = "_bench") -> tuple[dict[str, str], str]:
    """A fresh database for a benchmark: `<name><suffix>` beside DATABASE_URL's PostgreSQL
    database, or a SQLite file under `var`."""
    env = dict(os.environ)
    env["SCIANNOT_VAR_DIR"] = str(var)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = (parts.path.lstrip("/") or "postgres") + suffix
        import psycopg

        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        return env, f"PostgreSQL ({name})"
    env.pop("DATABASE_URL", None)
    database = var / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    env["SCIANNOT_SQLITE_PATH"] = str(database)
    return env, "SQLite"


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child process; return (seconds, peak RSS in MB, its output)."""
    seconds, peak, _, output = run_child(command, env)
    return seconds, peak, output


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run a child process; return (seconds, peak RSS in MB, CPU seconds, its output).

    The CPU seconds (user + system) of the child alone hold still on a loaded machine,
    where the wall-clock figure does not.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--videos", type=int, default=10_000)
    args = parser.parse_args()

    shutil.rmtree(BENCH_VAR, ignore_errors=True)
    BENCH_VAR.mkdir(parents=True)
    source = BENCH_VAR / "items.jsonl"
    generate(source, args.items, min(args.videos, args.items))
    python = sys.executable
    command = [python, "manage.py", "import_questions", str(source)]

    rows: list[tuple[str, float, float, float, float]] = []
    runs: tuple[list[tuple[str, list[str]]], ...] = (
        [("first import, accepted", ["--status", "accepted"])],
        [("first import, draft", []), ("re-import (unchanged)", [])],
    )
    for group in runs:
        # Each group starts from an empty database: the first import of each is like-for-like.
        env, database = bench_environment()
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        for label, extra in group:
            seconds, peak, cpu, _ = run_child([*command, *extra], env)
            rows.append((label, seconds, args.items / seconds, peak, cpu))

    size_mb = source.stat().st_size / 1e6
    on_postgres = database.startswith("PostgreSQL")
    print(f"\nImport benchmark: {args.items:,} items ({size_mb:.0f} MB JSONL) on {database}")
    print("each item: a question, ten options, its evidence spans and a revision;")
    print("the whole command is timed, process start included\n")
    print(f"{'run':<26}{'seconds':>9}{'items/s':>10}{'target':>10}{'peak MB':>9}{'CPU s':>8}")
    for label, seconds, rate, peak, cpu in rows:
        target = f">= {TARGET_ITEMS_PER_S:,}" if label.startswith("first") else ""
        print(f"{label:<26}{seconds:>9.1f}{rate:>10,.0f}{target:>10}{peak:>9.0f}{cpu:>8.1f}")
    print("(CPU s: user + system time of the import process, not of the database server)")
    firsts = [row for row in rows if row[0].startswith("first")]
    if on_postgres:
        throughput = "met" if min(r[2] for r in firsts) >= TARGET_ITEMS_PER_S else "NOT met"
    else:
        throughput = "not measured here (set DATABASE_URL to a PostgreSQL database)"
    memory = "met" if max(r[3] for r in rows) < TARGET_PEAK_MB else "NOT met"
    print(
        f"\ntargets: first imports >= {TARGET_ITEMS_PER_S:,} items/s on PostgreSQL, "
        f"< {TARGET_PEAK_MB} MB peak -> throughput {throughput}, memory {memory}",
        flush=True,
    )
    # The pages, against the database the import just filled.
    subprocess.run([python, str(Path(__file__).with_name("bench_pages.py"))], env=env, check=True)


if __name__ == "__main__":
    main()
