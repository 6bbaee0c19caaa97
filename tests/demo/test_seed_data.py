"""demo.seed reads `demo/data/` and refuses a malformed file with an error that names it."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.lifecycle import LifecycleDataError, load_lifecycle
from demo.seed import (
    DATA_DIR,
    DemoDataError,
    load_accounts,
    load_videos,
    question_paths,
    transcript_path,
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def write(path: Path, value: object) -> None:
    path.write_text(json.dumps(value), encoding="utf-8")


def test_the_shipped_files_load() -> None:
    accounts = load_accounts()
    # The first three logins are the ones the README has always named; the others review
    # and answer in the seeded life cycle.
    assert [(a.username, a.role) for a in accounts] == [
        ("curator", "curator"),
        ("reviewer", "reviewer"),
        ("evaluator", "evaluator"),
        ("reviewer2", "reviewer"),
        ("evaluator2", "evaluator"),
        ("evaluator3", "evaluator"),
        ("evaluator4", "evaluator"),
    ]
    assert accounts[1].disciplines == ("Biology", "Chemistry")
    videos = load_videos()
    assert [v.video_id for v in videos] == [f"demo-{n}" for n in range(1, 6)]
    assert videos[0].scenes[0] == (0.0, "Seed-mediated growth: overview")
    assert [(status, path.name) for status, path in question_paths()] == [
        ("accepted", "demo-questions-accepted.jsonl"),
        ("draft", "demo-questions-draft.jsonl"),
    ]
    assert all(path.is_file() for _, path in question_paths())


def test_a_missing_file_is_named(data: Path) -> None:
    (data / "accounts.json").unlink()
    with pytest.raises(DemoDataError, match=r"accounts\.json: missing"):
        load_accounts(data)


def test_a_file_that_is_not_json_is_named(data: Path) -> None:
    (data / "videos.json").write_text("[{", encoding="utf-8")
    with pytest.raises(DemoDataError, match=r"videos\.json: not valid JSON"):
        load_videos(data)


def test_an_entry_with_other_fields_is_refused(data: Path) -> None:
    write(data / "accounts.json", [{"username": "x", "role": "curator", "password": "p"}])
    with pytest.raises(DemoDataError, match="entry 1: expected the fields username, role"):
        load_accounts(data)


def test_an_unknown_role_is_refused(data: Path) -> None:
    write(
        data / "accounts.json",
        [{"username": "x", "role": "admin", "password": "p", "disciplines": []}],
    )
    with pytest.raises(DemoDataError, match="unknown role 'admin'"):
        load_accounts(data)


def test_a_value_of_the_wrong_type_is_refused(data: Path) -> None:
    videos = json.loads((data / "videos.json").read_text(encoding="utf-8"))
    videos[1]["duration"] = "188"
    write(data / "videos.json", videos)
    with pytest.raises(DemoDataError, match="entry 2: duration has the wrong type"):
        load_videos(data)


def test_a_malformed_scene_is_refused(data: Path) -> None:
    videos = json.loads((data / "videos.json").read_text(encoding="utf-8"))
    videos[0]["scenes"][2] = [40.0, "Injection"]
    write(data / "videos.json", videos)
    with pytest.raises(DemoDataError, match="entry 1: a scene must be"):
        load_videos(data)


def test_a_video_without_its_transcript_is_refused(data: Path) -> None:
    transcript_path(load_videos(data)[2], data).unlink()
    with pytest.raises(DemoDataError, match=r"entry 3: transcripts/demo-3\.vtt is missing"):
        load_videos(data)


def test_a_video_id_may_appear_only_once(data: Path) -> None:
    videos = json.loads((data / "videos.json").read_text(encoding="utf-8"))
    write(data / "videos.json", [*videos, videos[0]])
    with pytest.raises(DemoDataError, match="a video_id appears twice"):
        load_videos(data)


@pytest.mark.django_db
def test_seed_demo_reports_a_bad_file_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data_dir: Path = DATA_DIR) -> None:
        raise DemoDataError("accounts.json: not valid JSON (…)")

    monkeypatch.setattr("demo.seed.load_accounts", broken)
    with pytest.raises(CommandError, match=r"^demo data: accounts\.json: not valid JSON"):
        call_command("seed_demo", stdout=StringIO())


def accepted_after_decisions() -> set[str]:
    """The "video/question_id" of every item the seeded decisions leave accepted."""
    keys = set()
    for _, path in question_paths()[:1]:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            keys.add(f"{item['video_id']}/{item['question_id']}")
    accepts: dict[str, set[str]] = {}
    objected = set()
    for decision in load_lifecycle()["decisions"]:
        if decision["kind"] == "accept":
            accepts.setdefault(decision["item"], set()).add(decision["reviewer"])
        else:
            objected.add(decision["item"])
    return keys | {item for item, who in accepts.items() if len(who) >= 2 and item not in objected}


def test_the_life_cycle_covers_every_item_it_will_meet() -> None:
    """Every item of the release gets an answer from each evaluator of the closed study and
    a reply from each model; the accounts it names exist."""
    data = load_lifecycle()
    usernames = {a.username for a in load_accounts()}
    items = accepted_after_decisions()
    assert len(items) >= 8
    for decision in data["decisions"]:
        assert decision["reviewer"] in usernames
    studies = data["studies"]
    assert [s["closed"] for s in studies] == [True, False]
    closed, open_study = studies
    assert len(closed["evaluators"]) == 3 and set(closed["answers"]) == set(closed["evaluators"])
    for letters in closed["answers"].values():
        assert set(letters) == items
    # The main evaluator login answers in the open study, and took no part in the closed one.
    assert open_study["evaluators"] == ["evaluator"]
    assert "evaluator" not in closed["evaluators"]
    assert len(data["models"]) == 3
    assert sum("text only" in m["model"] for m in data["models"]) == 1
    for model in data["models"]:
        lines = (DATA_DIR / model["file"]).read_text(encoding="utf-8").splitlines()
        named = {f"{r['video_id']}/{r['question_id']}" for r in map(json.loads, lines)}
        assert named == items, model["file"]


def test_a_malformed_life_cycle_file_is_named(data: Path) -> None:
    write(data / "lifecycle.json", {"decisions": []})
    with pytest.raises(LifecycleDataError, match=r"lifecycle\.json: expected the keys"):
        load_lifecycle(data)
