"""Items per second of a model evaluation run of 1,000 items on 1, 4 and 8 worker processes,
against a fake provider that takes a fixed time per answer (0.02 s unless told otherwise).

Each worker is a real `celery worker` process (solo pool); the clock starts once every worker
of a round is ready, so their start-up is not counted. The run asks with the text input
(no frames), so the time is the provider's, the queue's and the database's. Uses PostgreSQL
and Redis when DATABASE_URL / REDIS_URL are set (`<name>_evaluate_bench` beside the
database, dropped at the end), otherwise SQLite and the filesystem broker. Part of
`make bench`; on its own: `python tests/bench/bench_evaluate.py [--items N] [--latency S]`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench-evaluate"
sys.path.insert(0, str(ROOT))

from tests.bench import bench_drafts  # noqa: E402
from tests.bench.bench_import import bench_environment  # noqa: E402
from tests.drafting.fake_openai import Reply, fake_openai_server  # noqa: E402

TYPES = ["Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning"]


def write_items(path: Path, count: int) -> None:
    from tests.factories import make_item

    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            item = make_item(
                video_id=str(5000 + n // 10),
                question_id=str(n % 10 + 1),
                question=f"What happens to sample {n} when it is heated at step {n % 7}?",
                options={letter: f"Outcome {letter} of sample {n}" for letter in "ABCDEFGHIJ"},
                answer="ABCDEFGHIJ"[n % 10],
                question_type=TYPES[n % 3],
                discipline=["Biology", "Chemistry", "Physics", "Medicine"][n % 4],
            )
            out.write(json.dumps(item) + "\n")


def wait_ready(workers: list[subprocess.Popen[bytes]], run: str, seconds: float = 600) -> None:
    """Each worker logs "ready." once it consumes tasks; eight starting at once on a small
    machine can take minutes."""
    deadline = time.monotonic() + seconds
    logs = [VAR / f"worker-{run}-{n}.log" for n in range(len(workers))]
    while time.monotonic() < deadline:
        texts = [log.read_text(errors="replace") for log in logs]
        if any(worker.poll() is not None for worker in workers):
            raise SystemExit("a worker failed to start:\n" + "\n".join(texts)[-3000:])
        if all(" ready." in text for text in texts):
            return
        time.sleep(0.5)
    raise SystemExit(f"the workers did not become ready within {seconds:.0f} s")


def run(workers: int, env: dict[str, str], name: str) -> tuple[float, int, float]:
    """(items per second, items answered, seconds) for one run on `workers` processes."""
    from baselines.evaluation import EvaluationRequest, evaluation_start
    from baselines.models import Evaluation
    from releases.models import Release

    bench_drafts.VAR = VAR
    processes = bench_drafts.start_workers(workers, env, name)
    try:
        wait_ready(processes, name)
        release = Release.objects.get()
        started = time.perf_counter()
        evaluation = evaluation_start(
            release=release,
            split="test",
            request=EvaluationRequest(model=f"bench-model-{name}", input="text"),
            user=None,
        )
        while True:
            evaluation.refresh_from_db()
            if evaluation.model_run_id is not None or evaluation.status in ("failed", "cancelled"):
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        bench_drafts.stop(processes)
    if evaluation.status != "done":
        raise SystemExit(
            f"evaluation {evaluation.pk} ended {evaluation.status}: {evaluation.reason}"
        )
    answered = Evaluation.objects.get(pk=evaluation.pk).work.filter(status="done").count()
    return answered / elapsed, answered, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per answer")
    args = parser.parse_args()
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    env, database = bench_environment(VAR, "_evaluate_bench")
    try:
        measure(args, env, database)
    finally:
        drop_database(env)
        shutil.rmtree(VAR, ignore_errors=True)


def drop_database(env: dict[str, str]) -> None:
    """Drop the benchmark's PostgreSQL database (the SQLite file goes with the folder)."""
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # Django may not be set up if the run failed early
        pass
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def measure(args: argparse.Namespace, env: dict[str, str], database: str) -> None:
    with fake_openai_server(latency=args.latency) as fake:
        fake.responders[""] = lambda body: Reply(content="The answer is (A).")
        env.update(
            {
                "LLM_PROVIDER": "openai",
                "LLM_BASE_URL": fake.url,
                "LLM_API_KEY": "bench",
                "LLM_MODEL": "bench-model",
                "LLM_TIMEOUT": "60",
                "DJANGO_SETTINGS_MODULE": "sciannot.settings",
            }
        )
        os.environ.update(env)
        if "DATABASE_URL" not in env:
            os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        items = VAR / "items.jsonl"
        write_items(items, args.items)
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        call_command("import_questions", str(items), "--status", "accepted", **quiet)
        call_command("freeze_release", "svb", "--version", "1.0.0", **quiet)
        broker = "Redis" if env.get("REDIS_URL") else "filesystem broker"
        print(
            f"Evaluation throughput — {database}, {broker}, {args.items} items, fake provider "
            f"with {args.latency:.2f} s per answer"
        )
        print(
            "(worker start-up not counted; 'vs linear' is items/s over workers x the 1-worker rate)"
        )
        print(f"{'workers':>8} {'items':>6} {'seconds':>8} {'items/s':>8} {'vs linear':>10}")
        base = 0.0
        total = 0.0
        for workers in (1, 4, 8):
            rate, answered, elapsed = run(workers, env, f"w{workers}")
            base = base or rate
            total += elapsed
            print(
                f"{workers:>8} {answered:>6} {elapsed:>8.1f} {rate:>8.2f}"
                f" {rate / (workers * base):>10.2f}",
                flush=True,
            )
        print(f"{'total':>8} {'':>6} {total:>8.1f}")


if __name__ == "__main__":
    main()
