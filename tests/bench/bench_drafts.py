"""Drafts per minute for 1, 4 and 8 worker processes, against a fake provider that takes one
second per answer, and with a shared rate limit set. Run by `make bench`.

Each worker is a real `celery worker` process (solo pool). Jobs draft 3 questions each, with
no frames, so a job makes 7 calls (a generator, 3 verifier and 3 shortcut calls) and takes
about 7 seconds of provider time. Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL
are set (`<name>_drafts_bench` beside the database), otherwise SQLite and the filesystem
broker; the rate-limited run needs Redis, the limit being shared through it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench-drafts"
sys.path.insert(0, str(ROOT))

from tests.bench.bench_import import bench_environment  # noqa: E402
from tests.drafting.fake_openai import fake_openai_server  # noqa: E402

QUESTIONS_PER_JOB = 3
CALLS_PER_JOB = 1 + 2 * QUESTIONS_PER_JOB


def start_workers(count: int, env: dict[str, str], run: str) -> list[subprocess.Popen[bytes]]:
    workers = []
    for n in range(count):
        log = open(VAR / f"worker-{run}-{n}.log", "wb")  # noqa: SIM115 - the process owns it
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "sciannot",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    f"--hostname=bench{n}-{run}@%h",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        log.close()
    return workers


def wait_ready(workers: list[subprocess.Popen[bytes]], run: str) -> None:
    """Each worker logs "ready." once it consumes tasks."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        logs = [
            (VAR / f"worker-{run}-{n}.log").read_text(errors="replace") for n in range(len(workers))
        ]
        if any(worker.poll() is not None for worker in workers):
            raise SystemExit("a worker failed to start:\n" + "\n".join(logs)[-3000:])
        if all(" ready." in log for log in logs):
            return
        time.sleep(0.2)
    raise SystemExit("the workers did not become ready within 90 s")


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(
    workers: int, jobs: int, env: dict[str, str], name: str
) -> tuple[float, int, float, float, float]:
    """(drafts per minute, drafts, seconds, worker CPU seconds per job, this process's CPU
    seconds — the fake provider and the polling) for `jobs` jobs on `workers` processes,
    each job on a video not drafted before."""
    from drafting.models import DraftJob
    from drafting.services import JobRequest, jobs_start
    from videos.models import Video

    processes = start_workers(workers, env, name)
    try:
        wait_ready(processes, name)
        videos = list(Video.objects.filter(draft_jobs=None).order_by("video_id")[:jobs])
        before = [cpu_seconds(p.pid) for p in processes]
        own = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        created = jobs_start(videos=videos, request=JobRequest(count=QUESTIONS_PER_JOB), user=None)
        pks = [job.pk for job in created]
        while DraftJob.objects.filter(pk__in=pks, status__in=["queued", "running"]).exists():
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        worker_cpu = sum(cpu_seconds(p.pid) for p in processes) - sum(before)
        after = resource.getrusage(resource.RUSAGE_SELF)
        own_cpu = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
    finally:
        stop(processes)
    finished = DraftJob.objects.filter(pk__in=pks)
    bad = finished.exclude(status="done")
    if bad.exists():
        job = bad.first()
        raise SystemExit(f"job {job.pk} ended {job.status}: {job.error}")
    drafts = sum(job.drafts_created for job in finished)
    return drafts / elapsed * 60, drafts, elapsed, worker_cpu / jobs, own_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs-per-worker", type=int, default=3)
    parser.add_argument(
        "--limited-rpm",
        type=int,
        default=30,
        help="requests per minute for the rate-limited run (0 to skip it)",
    )
    args = parser.parse_args()
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    env, database = bench_environment(VAR, "_drafts_bench")
    with fake_openai_server(latency=1.0) as fake:
        env.update(
            {
                "LLM_PROVIDER": "openai",
                "LLM_BASE_URL": fake.url,
                "LLM_API_KEY": "bench",
                "LLM_MODEL": "bench-model",
                "LLM_FRAMES": "0",
                "LLM_TIMEOUT": "60",
                "DJANGO_SETTINGS_MODULE": "sciannot.settings",
            }
        )
        os.environ.update(env)
        if "DATABASE_URL" not in env:
            os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        from tests.drafting.llm_script import ScriptedLLM

        ScriptedLLM(fake)
        from django.core.management import call_command

        from videos.models import Benchmark, Transcript, TranscriptCue, Video

        call_command("migrate", verbosity=0)
        benchmark = Benchmark.objects.default()
        most = 13 * args.jobs_per_worker + 8
        for n in range(most):
            video = Video.objects.create(
                benchmark=benchmark,
                video_id=f"{7000 + n}",
                discipline="Chemistry",
                category="Chemistry",
                duration=60.0,
            )
            transcript = Transcript.objects.create(video=video, text="")
            TranscriptCue.objects.bulk_create(
                TranscriptCue(
                    transcript=transcript,
                    index=i,
                    start=i * 10.0,
                    end=i * 10.0 + 8,
                    text=f"Step {i}: the sample is weighed and dissolved in buffer {i}.",
                )
                for i in range(5)
            )
        broker = "Redis" if env.get("REDIS_URL") else "filesystem broker"
        print(
            f"Drafting throughput — {database}, {broker}, fake provider with 1.0 s per answer,"
            f" {QUESTIONS_PER_JOB} questions ({CALLS_PER_JOB} calls) per job"
        )
        print(
            f"{'workers':>8} {'jobs':>5} {'drafts':>7} {'seconds':>8} {'drafts/min':>11}"
            f" {'vs linear':>10} {'worker CPU s/job':>17} {'provider CPU s':>15}"
        )
        base = 0.0
        for workers in (1, 4, 8):
            rate, drafts, elapsed, cpu, own = run(
                workers, workers * args.jobs_per_worker, env, f"w{workers}"
            )
            base = base or rate
            print(
                f"{workers:>8} {workers * args.jobs_per_worker:>5} {drafts:>7} {elapsed:>8.1f}"
                f" {rate:>11.1f} {rate / (workers * base):>10.2f} {cpu:>17.2f} {own:>15.1f}"
            )
        if args.limited_rpm and env.get("REDIS_URL"):
            limited = {**env, "LLM_REQUESTS_PER_MINUTE": str(args.limited_rpm)}
            rate, drafts, elapsed, _, _ = run(8, 8, limited, "limited")
            ceiling = args.limited_rpm / CALLS_PER_JOB * QUESTIONS_PER_JOB
            print(
                f"8 workers, {args.limited_rpm} requests/min shared: {drafts} drafts in "
                f"{elapsed:.1f} s = {rate:.1f} drafts/min (the limit allows {ceiling:.1f})"
            )
        elif args.limited_rpm:
            print("rate-limited run skipped: the limit is shared through Redis; set REDIS_URL")


if __name__ == "__main__":
    main()
