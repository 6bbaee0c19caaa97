"""The base of commands that work on one frozen release of a benchmark."""

from __future__ import annotations

from django.core.management.base import CommandError

from releases.models import Release
from releases.selectors import release_sealed_get
from videos.management.base import BenchmarkCommand
from videos.models import Benchmark


class ReleaseCommand(BenchmarkCommand):
    """A benchmark command (`--benchmark`) that also looks up a frozen release."""

    def get_release(self, benchmark: Benchmark, name: str, version: str) -> Release:
        """A frozen release of the benchmark, or a CommandError naming what was asked for."""
        release = release_sealed_get(benchmark=benchmark, name=name, version=version)
        if release is None:
            raise CommandError(f"no release {name} {version}")
        return release
