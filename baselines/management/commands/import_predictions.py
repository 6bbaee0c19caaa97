"""`manage.py import_predictions MODEL FILE --release R --version V [--split S]`: score a
model's predictions (lmms-eval `--log_samples` output or `{"uid", "prediction"}` lines)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from baselines.prediction_files import PredictionsInvalid
from baselines.predictions import REPORT_LIMIT, import_predictions
from baselines.scoring import format_table
from releases.management.base import ReleaseCommand


class Command(ReleaseCommand):
    help = "Import and score a model's predictions for a release split."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("model", help="The model's name as the leaderboard shows it.")
        parser.add_argument("file", help="lmms-eval --log_samples output, or uid lines.")
        parser.add_argument("--release", required=True)
        parser.add_argument("--version", required=True)
        parser.add_argument("--split", default="test")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        release = self.get_release(benchmark, options["release"], options["version"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            with path.open("rb") as handle:
                report = import_predictions(
                    release=release,
                    split=options["split"],
                    model=options["model"],
                    handle=handle,
                    file_name=path.name,
                )
        except PredictionsInvalid as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        run = report.run
        self.stdout.write(
            f"{'Replaced' if report.replaced else 'Imported'} {run.model} on {release.name} "
            f"{release.version} ({run.split}): {report.lines} lines ({run.get_format_display()}), "
            f"{report.scored} scored, {len(report.missing)} items missing, "
            f"{len(report.unmatched)} lines unmatched, {report.unreadable} replies unreadable, "
            f"{report.guessed} guessed by the official rule."
        )
        if report.unchecked:
            self.stdout.write(
                f"{report.unchecked} samples carry neither the doc nor the prompt: matched by "
                "doc_id alone, their question could not be checked."
            )
        if report.missing:
            shown = ", ".join(report.missing[:REPORT_LIMIT])
            more = len(report.missing) - REPORT_LIMIT
            self.stdout.write(
                "Missing (counted wrong): " + shown + (f" … and {more} more" if more > 0 else "")
            )
        for problem in report.unmatched[:REPORT_LIMIT]:
            self.stdout.write(f"Unmatched line {problem['line']}: {problem['reason']}")
        if len(report.unmatched) > REPORT_LIMIT:
            self.stdout.write(f"… and {len(report.unmatched) - REPORT_LIMIT} more unmatched lines")
        self.stdout.write(format_table([report.careful.as_dict(), report.official.as_dict()]))
