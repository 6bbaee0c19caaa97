"""The leaderboard index's grouping: every frozen release split with its models and studies."""

from __future__ import annotations

from typing import Any

import pytest

from baselines.models import ModelRun
from baselines.selectors import BoardEntry, board_entries, board_runs
from releases.models import Release
from tests.baselines.conftest import open_study
from videos.models import Benchmark

pytestmark = pytest.mark.django_db


def run_of(release: Release, model: str, split: str = "test") -> ModelRun:
    return ModelRun.objects.create(
        release=release,
        split=split,
        model=model,
        format="uid",
        file_name="p.jsonl",
        file_sha256="0" * 64,
        lines=0,
    )


def test_each_split_counts_its_models_and_studies(release: Release, evaluator: Any) -> None:
    assert board_entries(release.benchmark) == [
        BoardEntry(release=release, split=split, models=0, studies=0) for split in release.splits
    ]
    first, second = run_of(release, "one"), run_of(release, "two")
    open_study(
        "blind", "--release", "svb", "--version", "1.0.0", "--evaluators", evaluator.username
    )
    test = [entry for entry in board_entries(release.benchmark) if entry.split == "test"]
    assert test == [BoardEntry(release=release, split="test", models=2, studies=1)]
    assert board_runs(release, "test") == {"one": first, "two": second}
    assert board_runs(release, "other") == {}


def test_another_benchmark_has_an_empty_index(release: Release) -> None:
    elsewhere = Benchmark.objects.create(name="elsewhere", title="Elsewhere")
    run_of(release, "one")
    assert board_entries(elsewhere) == []
