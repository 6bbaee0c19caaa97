"""Stratified splits: proportions per category × type, videos never split, a seed that fixes
the result."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from releases.models import Release
from releases.splits import assign_splits, parse_proportions
from tests.factories import make_item
from tests.releases.conftest import freeze

TYPES = ("Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning")
CATEGORIES = ("Biology", "Chemistry", "Medicine", "Physics")


def items(videos: int, per_video: int) -> list[dict[str, Any]]:
    return [
        {
            "video_id": f"v{v}",
            "category": CATEGORIES[(v * 7 + q) % 4],
            "question_type": TYPES[(v + q * 5) % 3],
        }
        for v in range(videos)
        for q in range(per_video)
    ]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_one_item_per_video_keeps_every_stratum_within_one_item(seed: int) -> None:
    chosen = items(videos=240, per_video=1)
    splits = assign_splits(chosen, {"test": 0.8, "val": 0.2}, seed=seed)
    totals = Counter((i["category"], i["question_type"]) for i in chosen)
    for stratum, total in totals.items():
        got = sum(
            1
            for i, s in zip(chosen, splits, strict=True)
            if s == "val" and (i["category"], i["question_type"]) == stratum
        )
        assert abs(got - 0.2 * total) <= 1, (stratum, got, total)


def test_videos_are_never_split_and_proportions_stay_close() -> None:
    chosen = items(videos=150, per_video=3)
    splits = assign_splits(chosen, {"test": 0.7, "val": 0.2, "dev": 0.1}, seed=7)
    by_video: dict[str, set[str]] = {}
    for item, split in zip(chosen, splits, strict=True):
        by_video.setdefault(item["video_id"], set()).add(split)
    assert all(len(found) == 1 for found in by_video.values())
    counts = Counter(splits)
    assert abs(counts["val"] - 90) <= 3 and abs(counts["dev"] - 45) <= 3
    assert splits == assign_splits(chosen, {"test": 0.7, "val": 0.2, "dev": 0.1}, seed=7)
    assert splits != assign_splits(chosen, {"test": 0.7, "val": 0.2, "dev": 0.1}, seed=8)


def test_without_keeping_videos_together_items_balance_exactly() -> None:
    chosen = items(videos=20, per_video=6)
    splits = assign_splits(chosen, {"test": 0.5, "val": 0.5}, seed=1, keep_videos_together=False)
    assert Counter(splits) == {"test": 60, "val": 60}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("test=0.8,val=0.3", "add up to 1.1"),
        ("test:0.8", "write the proportions"),
        ("test=-1,val=2", "write the proportions"),
    ],
)
def test_bad_proportions(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_proportions(text)


@pytest.mark.django_db
def test_freeze_writes_each_split(write_items: Any, tmp_path: Path) -> None:
    rows = [
        make_item(
            video_id=str(100 + n // 2),
            question_id=str(n % 2 + 1),
            question=f"What happens at 00:{n:02d} in run {n}?",
            discipline=["Biology", "Chemistry"][n % 2],
            question_type=TYPES[n % 3],
        )
        for n in range(40)
    ]
    call_command(
        "import_questions", str(write_items(rows)), "--status", "accepted", stdout=io.StringIO()
    )
    output = freeze("svb", "--version", "1.0.0", "--stratify", "test=0.75,val=0.25", "--seed", "3")
    assert "items in split test" in output and "items in split val" in output
    release = Release.objects.get()
    assert release.splits == ["test", "val"]
    seen: dict[str, str] = {}
    total = 0
    for split in ("test", "val"):
        target = tmp_path / f"{split}.jsonl"
        call_command(
            "export_release",
            "svb",
            "--version",
            "1.0.0",
            "--split",
            split,
            "--format",
            "jsonl",
            "--output",
            str(target),
            stdout=io.StringIO(),
        )
        for line in target.read_text(encoding="utf-8").splitlines():
            video = json.loads(line)["video_id"]
            assert seen.setdefault(video, split) == split
            total += 1
    assert total == 40
    # Ten items is the target; whole videos of two items each land within one video of it.
    assert abs(release.manifest["splits"]["val"]["count"] - 10) <= 2
    with pytest.raises(CommandError, match=r"--stratify: the proportions add up to 1\.5"):
        freeze("svb", "--version", "1.1.0", "--stratify", "test=1,val=0.5")
