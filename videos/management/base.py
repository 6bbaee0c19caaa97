"""Shared behaviour of sciannot's management commands: `--benchmark` and one-line errors."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from videos.models import Benchmark


class BenchmarkCommand(BaseCommand):
    # Imports may start a benchmark; commands that read one must not invent it.
    creates_benchmark = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Release commands take `--version V` (the release's version), which replaces
        # Django's own `--version` (the framework's version) for them.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--benchmark",
            default=None,
            help="Benchmark name (default: the default benchmark).",
        )

    def get_benchmark(self, options: dict[str, Any]) -> Benchmark:
        name = options.get("benchmark") or settings.SCIANNOT_DEFAULT_BENCHMARK
        if name == settings.SCIANNOT_DEFAULT_BENCHMARK:
            return Benchmark.objects.default()
        benchmark = Benchmark.objects.filter(name=name).first()
        if benchmark is not None:
            return benchmark
        if not self.creates_benchmark:
            raise CommandError(f"no benchmark named {name!r}")
        benchmark = Benchmark(name=name, title=name)
        try:
            benchmark.full_clean()
        except Exception as exc:  # ValidationError: say why in one line
            raise CommandError(f"invalid benchmark name {name!r}: {exc}") from exc
        benchmark.save()
        self.stdout.write(f"Created benchmark {name}.")
        return benchmark
