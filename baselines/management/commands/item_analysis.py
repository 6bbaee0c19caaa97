"""`manage.py item_analysis --release R --version V [--split S] [--format table|json]`: each
item's difficulty, discrimination, letter choices and flags, from every human answer and
model run over a release split."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from baselines.analysis_table import table_text
from baselines.selectors import split_item_analysis
from releases.management.base import ReleaseCommand


class Command(ReleaseCommand):
    help = (
        "Print a release split's item analysis: per item how many humans and models answered, "
        "how many were right, the letters chosen, the discrimination and the flags."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--release", required=True)
        parser.add_argument("--version", required=True)
        parser.add_argument("--split", default="test")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        release = self.get_release(benchmark, options["release"], options["version"])
        split = options["split"]
        if split not in release.splits:
            raise CommandError(
                f"{release.name} {release.version} has no split {split!r} "
                f"(it has: {', '.join(release.splits) or 'none'})"
            )
        analysis = split_item_analysis(release, split)
        if options["format"] == "json":
            self.stdout.write(json.dumps(analysis, ensure_ascii=False))
        else:
            self.stdout.write(table_text(analysis), ending="")
