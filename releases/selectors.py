"""Reading releases: the one lookup of a frozen release by its name and version."""

from __future__ import annotations

from releases.models import Release
from videos.models import Benchmark


def release_sealed_get(
    *, name: str, version: str, benchmark: Benchmark | None = None
) -> Release | None:
    """The frozen (sealed) release `name` `version` of `benchmark` (default: the default
    benchmark), or None. A release still being frozen is not found: its files are not all
    written yet."""
    return Release.objects.filter(
        benchmark=benchmark if benchmark is not None else Benchmark.objects.default(),
        name=name,
        version=version,
        sealed=True,
    ).first()
