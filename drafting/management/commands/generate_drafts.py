"""`manage.py generate_drafts --video ID [--count N] [--wait]`: queue LLM drafting for videos."""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.urls import reverse

from drafting.models import DraftJob, JobStatus
from drafting.providers import ProviderNotConfigured
from drafting.recording import RecordingInvalid, recording_load
from drafting.selectors import job_progress, money
from drafting.services import DraftingInvalid, JobRequest, job_start_recorded, jobs_start
from reviews.models import QuestionType
from sciannot.queue import QueueUnavailable
from sciannot.site import site_url, site_url_note
from videos.management.base import BenchmarkCommand
from videos.models import Video

TYPE_LETTERS = {
    "C": QuestionType.CONCEPTUAL,
    "H": QuestionType.HYPOTHETICAL,
    "Q": QuestionType.QUANTITATIVE,
}


def parse_mix(value: str) -> dict[str, int]:
    """ "C:2,H:2,Q:1" (or full type names) -> {"Conceptual Reasoning": 2, ...}."""
    mix: dict[str, int] = {}
    for part in value.split(","):
        name, _, number = part.strip().rpartition(":")
        kind = TYPE_LETTERS.get(name.strip().upper(), name.strip())
        if kind not in QuestionType.values or not number.strip().isdigit():
            raise CommandError(
                f"--mix {value!r}: write it as C:2,H:2,Q:1 (Conceptual, Hypothetical, Quantitative)"
            )
        mix[kind] = mix.get(kind, 0) + int(number)
    return mix


class Command(BenchmarkCommand):
    help = "Queue LLM drafting of questions for one or more videos; --wait shows progress."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--video",
            action="append",
            required=True,
            metavar="VIDEO_ID",
            help="A video id (repeat for several videos).",
        )
        parser.add_argument("--count", type=int, default=None, help="Questions per video (5).")
        parser.add_argument(
            "--mix", default="", help="Type mix, e.g. C:2,H:2,Q:1 (default: spread evenly)."
        )
        parser.add_argument("--model", default="", help="Model (default: LLM_MODEL).")
        parser.add_argument("--temperature", type=float, default=None, help="(0.7)")
        parser.add_argument(
            "--max-calls", type=int, default=None, help="Stop a job after this many LLM calls."
        )
        parser.add_argument(
            "--max-cost", default=None, help="Stop a job once it has cost this many US dollars."
        )
        parser.add_argument(
            "--wait", action="store_true", help="Show progress and end when the jobs end."
        )
        parser.add_argument(
            "--recording",
            default=None,
            metavar="FILE",
            help=(
                "Answer every call from this recording (`export_recording`) instead of a "
                "provider: no key needed. The count, mix, model and temperature are the "
                "recording's."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        videos = []
        for video_id in options["video"]:
            video = (
                Video.objects.filter(benchmark=benchmark, video_id=video_id).first()
                or Video.objects.filter(
                    benchmark=benchmark, video_id=video_id.removeprefix("jove_")
                ).first()
            )
            if video is None:
                raise CommandError(f"no video {video_id!r} in benchmark {benchmark.name}")
            videos.append(video)
        if options["recording"]:
            jobs = self.start_recorded(videos, options)
        else:
            jobs = self.start(videos, options)
        site_url_note(self.stderr)
        for job in jobs:
            url = site_url(reverse("drafting:job", args=[job.pk]))
            self.stdout.write(
                f"Queued drafting job {job.pk} for video {job.video.video_id}: {job.count} "
                f"questions with {job.model}, estimated cost {money(job.estimated_cost)}, at "
                f"most {job.max_calls} calls. {url}"
            )
            if job_progress(job).waiting_for_queue:
                self.stdout.write(
                    f"Job {job.pk} is waiting for the task queue (it could not be reached); "
                    "it starts by itself once the queue is back: do not start it again."
                )
        if options["wait"]:
            self.wait(jobs)

    def start_recorded(self, videos: list[Video], options: dict[str, Any]) -> list[DraftJob]:
        given = [
            f"--{name.replace('_', '-')}"
            for name in ("count", "mix", "model", "temperature", "max_calls", "max_cost")
            if options[name] not in (None, "")
        ]
        if given:
            raise CommandError(
                f"{', '.join(given)} cannot be used with --recording: the recording sets the "
                "job; nothing was queued"
            )
        if len(videos) != 1:
            raise CommandError(
                "--recording replays one video's calls: give exactly one --video; nothing was "
                "queued"
            )
        try:
            _parsed, data = recording_load(Path(options["recording"]))
            return [job_start_recorded(video=videos[0], recording=data, user=None)]
        except (RecordingInvalid, DraftingInvalid, QueueUnavailable) as exc:
            raise CommandError(f"{exc}; nothing was queued") from exc

    def start(self, videos: list[Video], options: dict[str, Any]) -> list[DraftJob]:
        max_cost = None
        if options["max_cost"] is not None:
            try:
                max_cost = Decimal(options["max_cost"])
            except InvalidOperation as exc:
                raise CommandError(f"--max-cost {options['max_cost']!r} is not a number") from exc
        request = JobRequest(
            count=5 if options["count"] is None else options["count"],
            type_mix=parse_mix(options["mix"]) if options["mix"] else None,
            model=options["model"],
            temperature=0.7 if options["temperature"] is None else options["temperature"],
            max_calls=options["max_calls"],
            max_cost=max_cost,
        )
        try:
            return jobs_start(videos=videos, request=request, user=None)
        except (ProviderNotConfigured, DraftingInvalid, QueueUnavailable) as exc:
            raise CommandError(f"{exc}; nothing was queued") from exc

    def wait(self, jobs: list[DraftJob]) -> None:
        tty = sys.stdout.isatty()
        last: dict[int, str] = {}
        while True:
            active = 0
            for job in jobs:
                job.refresh_from_db()
                line = self.progress_line(job)
                if line != last.get(job.pk):
                    self.stdout.write(("\r" if tty else "") + line, ending="" if tty else "\n")
                    last[job.pk] = line
                active += job.is_active
            if not active:
                break
            time.sleep(1.0)
        if tty:
            self.stdout.write("")
        failed = [job for job in jobs if job.status in (JobStatus.FAILED, JobStatus.CANCELLED)]
        for job in jobs:
            progress = job_progress(job)
            self.stdout.write(
                f"Job {job.pk} ({job.video.video_id}): {job.get_status_display()}, "
                f"{job.drafts_created} draft(s), {job.calls_made} call(s), "
                f"{job.total_tokens} tokens, cost {money(job.cost)}"
            )
            for error in progress.errors:
                self.stdout.write(f"  {error}")
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(jobs)} job(s) ended without drafts: "
                + "; ".join(
                    f"job {j.pk}: {j.get_status_display()} {j.error}".strip() for j in failed
                )
            )

    def progress_line(self, job: DraftJob) -> str:
        progress = job_progress(job)
        width = 20
        filled = round(width * progress.percent / 100)
        stage = (
            progress.current.get_name_display()
            if progress.current and job.is_active
            else (job.get_status_display())
        )
        return (
            f"job {job.pk} [{'#' * filled}{'-' * (width - filled)}] {progress.done}/"
            f"{progress.total} {stage:<16} {job.calls_made} calls  {job.total_tokens} tokens  "
            f"{money(job.cost)}"
        )
