"""`manage.py export_release NAME --version V [--split S] --format jsonl|json --output PATH`."""

from __future__ import annotations

import os
import shutil
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from releases.export import release_file
from releases.management.base import ReleaseCommand
from releases.models import ExportFormat


class Command(ReleaseCommand):
    help = "Write a frozen release's export (the stored bytes) to a file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name")
        parser.add_argument("--version", required=True)
        parser.add_argument("--split", default="test")
        parser.add_argument("--format", choices=ExportFormat.values, required=True)
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        release = self.get_release(benchmark, options["name"], options["version"])
        stored = release_file(release, options["split"], options["format"])
        if stored is None:
            raise CommandError(
                f"{release} has no split {options['split']!r}; it has " + ", ".join(release.splits)
            )
        output: Path = options["output"]
        if not output.parent.is_dir():
            raise CommandError(f"no such folder: {output.parent}")
        # Written beside the target and renamed, so a reader never sees half a file.
        handle, temp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
        try:
            with os.fdopen(handle, "wb") as target, stored.file.open("rb") as source:
                shutil.copyfileobj(source, target, length=1 << 20)
            Path(temp).replace(output)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"Wrote {output} ({stored.size} bytes, sha256 {stored.sha256}) from {release}"
        )
