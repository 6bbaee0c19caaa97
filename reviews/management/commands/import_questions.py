"""`manage.py import_questions FILE`: SciVideoBench JSON or JSONL, all or nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from reviews.models import QuestionStatus
from reviews.services.question_import import ImportFailed, questions_import
from videos.management.base import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Import questions from a SciVideoBench JSON array or JSONL file (all or nothing)."
    creates_benchmark = True
    # A data command: the system checks would import every view and URL (the API schema
    # generator, the drafting providers) only to start, and `manage.py check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--status",
            choices=[QuestionStatus.DRAFT, QuestionStatus.ACCEPTED],
            default=QuestionStatus.DRAFT,
            help="Status of new items (accepted: no review is counted).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        benchmark = self.get_benchmark(options)
        try:
            report = questions_import(
                benchmark=benchmark,
                path=path,
                status=options["status"],
                dry_run=options["dry_run"],
            )
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {path.name}; nothing was imported"
            ) from exc
        for video_id, counts in sorted(report.per_video.items()):
            self.stdout.write(
                f"{video_id}: {counts.created} created, {counts.unchanged} unchanged, "
                f"{counts.updated} updated"
            )
        if report.placeholder_videos:
            self.stdout.write(
                f"{len(report.placeholder_videos)} video(s) not imported yet were added as "
                "placeholders: "
                + ", ".join(sorted(report.placeholder_videos)[:20])
                + (" …" if len(report.placeholder_videos) > 20 else "")
            )
        summary = (
            f"{report.created} created, {report.unchanged} unchanged, {report.updated} updated"
        )
        if options["dry_run"]:
            self.stdout.write(f"Dry run: the file is valid; it would give {summary}.")
        elif not report.changed_anything:
            self.stdout.write(f"Nothing changed: all {report.unchanged} items are already here.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {summary}."))
