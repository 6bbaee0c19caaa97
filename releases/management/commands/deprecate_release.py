"""`manage.py deprecate_release NAME --version V [--benchmark B]`: what the release page's
Deprecate button does, for scripts."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from releases.deprecation import release_deprecate
from releases.selectors import release_sealed_get
from videos.management.base import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Mark a frozen release deprecated (it stays downloadable, marked so)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name")
        parser.add_argument("--version", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        release = release_sealed_get(
            benchmark=benchmark, name=options["name"], version=options["version"]
        )
        if release is None:
            raise CommandError(f"no release {options['name']} {options['version']}")
        if release_deprecate(release):
            self.stdout.write(f"Deprecated {release.name} {release.version}.")
        else:
            self.stdout.write(f"{release.name} {release.version} was already deprecated.")
