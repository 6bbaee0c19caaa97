"""Reading the leaderboards: which release splits have one, and what each holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from baselines.models import ModelRun, Study
from releases.models import Release
from videos.models import Benchmark


@dataclass(frozen=True)
class BoardEntry:
    """One release split of the leaderboard index, with how many models and studies it has."""

    release: Release
    split: str
    models: int
    studies: int


def board_entries(benchmark: Benchmark) -> list[BoardEntry]:
    """Every split of every frozen release of `benchmark` (by name, newest first), each with
    its count of imported models and of human-baseline studies; splits without any too."""
    releases = Release.objects.filter(benchmark=benchmark, sealed=True).order_by(
        "name", "-frozen_at"
    )
    runs = {
        (row["release"], row["split"]): row["n"]
        for row in ModelRun.objects.filter(release__benchmark=benchmark)
        .values("release", "split")
        .annotate(n=Count("pk"))
    }
    studies = {
        (row["release"], row["split"]): row["n"]
        for row in Study.objects.filter(release__benchmark=benchmark)
        .values("release", "split")
        .annotate(n=Count("pk"))
    }
    return [
        BoardEntry(
            release=release,
            split=split,
            models=runs.get((release.pk, split), 0),
            studies=studies.get((release.pk, split), 0),
        )
        for release in releases
        for split in release.splits
    ]


def board_runs(release: Release, split: str) -> dict[str, ModelRun]:
    """The models imported or run in the app for a release split, by model name."""
    return {
        run.model: run
        for run in ModelRun.objects.filter(release=release, split=split).select_related(
            "evaluation"
        )
    }
