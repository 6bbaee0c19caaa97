"""`manage.py leaderboard --release R --version V [--split S] [--format table|json]`: every
scored model, the human baseline and chance in one table."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from baselines.leaderboard import as_csv, as_markdown, leaderboard, table_text
from releases.management.base import ReleaseCommand


class Command(ReleaseCommand):
    help = "Print a release split's leaderboard: models, the human baseline and chance."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--release", required=True)
        parser.add_argument("--version", required=True)
        parser.add_argument("--split", default="test")
        parser.add_argument(
            "--format", choices=("table", "json", "csv", "markdown"), default="table"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        release = self.get_release(benchmark, options["release"], options["version"])
        if not release.items.filter(split=options["split"]).exists():
            raise CommandError(
                f"{release.name} {release.version} has no split {options['split']!r} "
                f"(it has: {', '.join(release.splits) or 'none'})"
            )
        board = leaderboard(release, options["split"])
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(board, ensure_ascii=False))
        elif fmt == "csv":
            self.stdout.write(as_csv(board), ending="")
        elif fmt == "markdown":
            self.stdout.write(as_markdown(board), ending="")
        else:
            self.stdout.write(
                f"{board['release']} {board['version']} ({board['split']}, {board['items']} items)"
            )
            self.stdout.write(table_text(board))
