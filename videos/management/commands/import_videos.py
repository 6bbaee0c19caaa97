"""`manage.py import_videos DIR`: every jove_<id> video in a folder, probed."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from videos.management.base import BenchmarkCommand
from videos.services import FileOutcome, VideoImportError, videos_import_dir


class Command(BenchmarkCommand):
    help = (
        "Import every jove_<id>.(mp4|MP4|mkv|webm) in DIR; <id>.vtt/.srt/.json beside a video "
        "becomes its transcript and <id>.md/.txt its manuscript."
    )
    creates_benchmark = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        benchmark = self.get_benchmark(options)

        def show(outcome: FileOutcome) -> None:
            line = f"{outcome.name}: {outcome.outcome}"
            if outcome.detail:
                line += f" ({outcome.detail})"
            if outcome.outcome == "skipped":
                self.stderr.write(line)
            else:
                self.stdout.write(line)

        try:
            report = videos_import_dir(benchmark=benchmark, directory=directory, on_file=show)
        except VideoImportError as exc:
            raise CommandError(str(exc)) from exc
        counts = {
            outcome: len(report.by_outcome(outcome))
            for outcome in ("created", "updated", "unchanged", "skipped")
        }
        self.stdout.write(", ".join(f"{n} {outcome}" for outcome, n in counts.items()))
        if counts["skipped"]:
            # Not decodable, or the file of a video that releases or studies rely on.
            raise CommandError(f"{counts['skipped']} file(s) skipped; the reasons are above")
