"""Hostile values on the release paths: proportions, seeds, ids of any shape, re-letterings."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client

from releases.export import remove_written
from releases.models import Release
from releases.ordering import natural_key
from releases.rebalance import RebalanceInvalid, parse_moves
from releases.rows import assign_ids
from releases.splits import SplitInvalid, parse_proportions
from reviews.models import Question
from tests.factories import make_item
from tests.releases.test_pages import FORM, signed_in

pytestmark = pytest.mark.django_db


# A name no other test freezes: other tests leave their release folders behind.
NAME = "never-frozen"


def release_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "releases" / "default" / NAME


@pytest.mark.parametrize(
    "text",
    [
        "test=nan,val=nan",
        "test=inf,val=-inf",
        "test=0.8,val=nan",
        "test=1e999",
        "test=-0.5,val=1.5",
        "test=0,val=0",
        "test=" + "9" * 5000,
        "test=0.5,test=0.5",
    ],
)
def test_hostile_proportions_are_refused(text: str) -> None:
    with pytest.raises(SplitInvalid):
        parse_proportions(text)


@pytest.mark.parametrize("action", ["check", "freeze"])
def test_nan_proportions_are_a_field_error_on_check_and_freeze(
    accepted: Any, curator: Any, action: str
) -> None:
    response = signed_in(curator).post(
        "/releases/new/", {**FORM, "name": NAME, "stratify": "test=nan,val=nan", "action": action}
    )
    assert response.status_code == 400
    assert "the proportion of test must be a finite number" in response.content.decode()
    assert not Release.objects.exists()
    assert not release_folder().exists()


def test_nan_proportions_are_refused_by_the_command(accepted: Any) -> None:
    with pytest.raises(CommandError, match="finite number"):
        call_command(
            "freeze_release",
            NAME,
            "--version",
            "1.0.0",
            "--stratify",
            "test=nan,val=nan",
            stdout=io.StringIO(),
        )
    assert not release_folder().exists()


@pytest.mark.parametrize("seed", ["9" * 5000, str(2**64), "-1"])
def test_an_out_of_range_seed_is_a_field_error(accepted: Any, curator: Any, seed: str) -> None:
    response = signed_in(curator).post(
        "/releases/new/", {**FORM, "stratify": "test=0.5,val=0.5", "seed": seed, "action": "freeze"}
    )
    assert response.status_code == 400
    assert not Release.objects.exists()


def test_a_failed_freeze_removes_its_files_and_folders() -> None:
    names = [
        default_storage.save(f"releases/default/{NAME}/9.9.9/test.jsonl", ContentFile(b"{}\n")),
        default_storage.save(f"releases/default/{NAME}/9.9.9/test.json", ContentFile(b"{}")),
    ]
    remove_written(names)
    assert not release_folder().exists()
    assert (Path(settings.MEDIA_ROOT) / "releases").exists()


def test_any_question_ids_sort_naturally_and_deterministically() -> None:
    ids = ["10", "x1", "3", "2a", "", "2", "01", "1", "²", "b", "10a", "a10", "a9"]
    ordered = sorted(ids, key=natural_key)
    assert ordered == ["", "01", "1", "2", "2a", "3", "10", "10a", "a9", "a10", "b", "x1", "²"]


def test_assign_ids_handles_numeric_and_other_ids_in_one_video() -> None:
    rows = [
        {"uid": "q1", "pk": 1, "question_id": "3"},
        {"uid": "q2", "pk": 2, "question_id": "x1"},
        {"uid": "q3", "pk": 3, "question_id": "3"},
        {"uid": "q4", "pk": 4, "question_id": "²"},
        {"uid": "q5", "pk": 5, "question_id": ""},
    ]
    assign_ids(rows, {})
    assert [r["release_id"] for r in rows] == ["3", "x1", "5", "²", "4"]


def test_a_video_with_numeric_and_other_ids_freezes(
    db: None, write_items: Any, tmp_path: Path
) -> None:
    items = [
        make_item(video_id="7", question_id=qid, question=f"Step {n} at 02:22?")
        for n, qid in enumerate(["3", "x1", "10", "2a"])
    ]
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    call_command("freeze_release", "svb", "--version", "1.0.0", stdout=io.StringIO())
    release = Release.objects.get()
    ids = list(release.items.order_by("position").values_list("question_id", flat=True))
    assert ids == ["2a", "3", "10", "x1"]
    assert Question.objects.count() == 4


@pytest.mark.parametrize(
    "move", ["q_1:" + "9" * 5000 + ":A", "q_1:²:A", "q_1:99999999999:B", "q_1:0:A", "q_1:1:Z"]
)
def test_a_hostile_relettering_is_refused(move: str) -> None:
    with pytest.raises(RebalanceInvalid, match="is not a re-lettering"):
        parse_moves([move])


def test_the_rebalance_page_refuses_hostile_moves(curator: Any) -> None:
    client: Client = signed_in(curator)
    response = client.post("/releases/rebalance", {"moves": "q_1:" + "9" * 5000 + ":A"})
    assert response.status_code == 400
    assert "is not a re-lettering" in response.content.decode()


@pytest.mark.parametrize("field", ["description", "license"])
@pytest.mark.parametrize("action", ["check", "freeze"])
def test_an_over_long_description_or_license_is_refused(
    accepted: Any, curator: Any, field: str, action: str
) -> None:
    response = signed_in(curator).post(
        "/releases/new/", {**FORM, "name": NAME, field: "x" * 20_001, "action": action}
    )
    assert response.status_code == 400
    assert (
        f"the {field} is 20,001 characters long; the limit is 20,000" in response.content.decode()
    )
    assert not Release.objects.exists()


def test_an_over_long_description_stops_the_command(accepted: Any) -> None:
    with pytest.raises(CommandError, match="the description is 20,001 characters long"):
        call_command(
            "freeze_release",
            NAME,
            "--version",
            "1.0.0",
            "--description",
            "x" * 20_001,
            stdout=io.StringIO(),
        )
    assert not Release.objects.exists()
