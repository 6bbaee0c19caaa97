"""`manage.py export_recording JOB_ID FILE`: write a drafting job's calls as a recording."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from drafting.models import DraftJob
from drafting.recording import RecordingInvalid, recording_from_job


class Command(BaseCommand):
    help = (
        "Write a drafting job's LLM calls (each attempt's reply, tokens, latency, model) as a "
        "recording that `generate_drafts --recording` replays with no provider or key."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("job", type=int, help="The drafting job's number.")
        parser.add_argument("file", help="Where to write the recording (JSON); - for stdout.")
        parser.add_argument("--force", action="store_true", help="Replace the file if it exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        job = DraftJob.objects.select_related("video").filter(pk=options["job"]).first()
        if job is None:
            raise CommandError(f"no drafting job {options['job']}")
        if job.is_active:
            raise CommandError(
                f"drafting job {job.pk} is still {job.get_status_display().lower()}: "
                "export it once it has ended"
            )
        try:
            recording = recording_from_job(job)
        except RecordingInvalid as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(recording, ensure_ascii=False, indent=2) + "\n"
        if options["file"] == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(options["file"])
        if path.exists() and not options["force"]:
            raise CommandError(f"{path} exists; pass --force to replace it")
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent} is not a folder")
        path.write_text(text, encoding="utf-8")
        self.stderr.write(
            f"Wrote the {len(recording['calls'])} calls of drafting job {job.pk} "
            f"({job.video.video_id}, {job.model}) to {path}."
        )
