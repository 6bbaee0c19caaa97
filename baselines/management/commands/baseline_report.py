"""`manage.py baseline_report NAME [--format table|json]`: a study's accuracy table."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from baselines.models import Study
from baselines.scoring import format_table
from baselines.services import study_report
from videos.management.base import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Print a baseline study's accuracy table (SciVideoBench's layout)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        study = Study.objects.filter(benchmark=benchmark, name=options["name"]).first()
        if study is None:
            raise CommandError(f"no study named {options['name']!r}")
        report = study_report(study)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(
            f"{report['study']}: {report['release']} {report['version']} ({report['split']})"
        )
        self.stdout.write(format_table(report["rows"]))
        alpha = report["krippendorff_alpha"]
        self.stdout.write(
            "Krippendorff's alpha: "
            + (f"{alpha:.3f}" if alpha is not None else "n/a (no item answered by two evaluators)")
        )
