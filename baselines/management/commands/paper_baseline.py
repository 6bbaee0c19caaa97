"""`manage.py paper_baseline [--format table|json]`: SciVideoBench's human-baseline row,
computed by the accuracy table from answers with the published counts, and checked against
the figures the paper prints."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baselines.paper import PUBLISHED_ROW, published_answers
from baselines.scoring import chance_row, format_table, score_row


class Command(BaseCommand):
    help = (
        "Reproduce SciVideoBench's published human-baseline row (17.40 %, 174/1000) from its "
        "counts, as the accuracy table computes it, and check it against the paper."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        row = score_row("human experts (paper)", published_answers())
        computed = tuple(str(cell.acc) for cell in row.cells())
        rows = [row.as_dict(), chance_row()]
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "rows": rows,
                        "published": list(PUBLISHED_ROW),
                        "matches": computed == PUBLISHED_ROW,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self.stdout.write(format_table(rows))
        if computed != PUBLISHED_ROW:
            differences = [
                f"{got} where the paper prints {want}"
                for got, want in zip(computed, PUBLISHED_ROW, strict=True)
                if got != want
            ]
            raise CommandError("the row differs from the paper: " + "; ".join(differences))
        if options["format"] == "table":
            self.stdout.write("Every cell matches the row the paper publishes.")
