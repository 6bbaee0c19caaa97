"""`item_analysis`: the contract's JSON over a release with a human study and imported model
runs, the table, and clear errors for an unknown release, version or split."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from releases.models import Release
from tests.baselines.conftest import SECRET_KEYS, seed_analysis

pytestmark = pytest.mark.django_db


def analysis(*extra: str) -> str:
    out = io.StringIO()
    call_command("item_analysis", "--release", "svb", "--version", "1.0.0", *extra, stdout=out)
    return out.getvalue()


def test_json_has_the_contract_shape_and_finds_the_planted_wrong_key(
    release: Release, tmp_path: Path
) -> None:
    seed_analysis(release, tmp_path)
    data: dict[str, Any] = json.loads(analysis("--format", "json"))
    uids = list(
        release.items.filter(split="test").order_by("position").values_list("uid", flat=True)
    )
    assert [row["uid"] for row in data["items"]] == uids
    for row in data["items"]:
        for group in ("humans", "models"):
            assert set(row[group]) >= {"n", "correct", "choices"}
            assert set(row[group]["choices"]) == set("ABCDEFGHIJ")
        assert set(row["discrimination"]) == {"humans", "models"}
        assert isinstance(row["flags"], list)
    assert set(data["split"]["kr20"]) == {"humans", "models"}

    first, second = data["items"][0], data["items"][1]
    assert first["humans"]["n"] == 6 and first["humans"]["correct"] == 3
    assert first["humans"]["choices"]["B"] == 3 and first["humans"]["choices"]["A"] == 3
    assert first["models"]["n"] == 3 and first["models"]["correct"] == 2  # large and small
    assert "possible_wrong_key" in first["flags"]
    details = first["flag_details"]["possible_wrong_key"]
    assert (details["key"], details["distractor"]) == ("A", "B")
    assert first["discrimination"]["humans"] < 0
    assert "negative_discrimination" in first["flags"]
    # Everyone answered the second item right, the text-only run included.
    assert second["humans"]["correct"] == 6 and second["models"]["correct"] == 3
    assert set(second["flags"]) >= {"everyone_right", "answerable_without_video"}
    assert second["flag_details"]["answerable_without_video"]["models"] == ["llm (text only)"]
    # Only the text-only run is right on no other item: no other item is flagged for it.
    assert [row["uid"] for row in data["items"] if "answerable_without_video" in row["flags"]] == [
        uids[1]
    ]
    assert data["split"]["kr20"]["humans"] is not None
    assert data["split"]["kr20"]["models"] is None  # three runs are too few
    assert data["split"]["key_length"]["items"] == len(SECRET_KEYS)
    assert data["items"][0]["humans"]["median_seconds"] is not None


def test_table_lists_every_item_and_the_split_figures(release: Release, tmp_path: Path) -> None:
    seed_analysis(release, tmp_path)
    out = analysis()
    first_uid = release.items.get(split="test", position=0).uid
    line = next(line for line in out.splitlines() if line.startswith(first_uid))
    assert "possible_wrong_key" in line
    assert "KR-20: humans" in out
    assert "Flagged: possible_wrong_key 1" in out


def test_a_release_without_answers_has_empty_counts(release: Release) -> None:
    data = json.loads(analysis("--format", "json"))
    assert len(data["items"]) == 12
    assert all(row["humans"]["n"] == 0 and row["flags"] == [] for row in data["items"])
    assert data["split"]["kr20"] == {"humans": None, "models": None}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--release", "nope", "--version", "1.0.0"), "no release nope 1.0.0"),
        (("--release", "svb", "--version", "9.9.9"), "no release svb 9.9.9"),
        (("--release", "svb", "--version", "1.0.0", "--split", "dev"), "has no split 'dev'"),
    ],
)
def test_unknown_release_version_or_split_is_an_error(
    release: Release, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("item_analysis", *args, stdout=io.StringIO())
