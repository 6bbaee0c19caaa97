"""Freezing releases: the export's exact bytes, ids, the gate, the changelog, and frozen means
frozen on every path."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from releases.models import Release, ReleaseFile, ReleaseItem
from reviews.models import Question
from tests.factories import make_item
from tests.releases.conftest import LETTERS, accepted_items, freeze

pytestmark = pytest.mark.django_db


def export(tmp_path: Path, fmt: str = "jsonl", version: str = "1.0.0", name: str = "svb") -> bytes:
    target = tmp_path / f"out-{version}.{fmt}"
    call_command(
        "export_release",
        name,
        "--version",
        version,
        "--format",
        fmt,
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    return target.read_bytes()


def test_the_export_is_what_was_accepted_in_a_stable_order(
    accepted: list[dict[str, Any]], tmp_path: Path
) -> None:
    output = freeze("svb", "--version", "1.0.0")
    assert re.search(r"Froze svb 1\.0\.0: 12 items in split test, sha256 [0-9a-f]{64}\.", output)
    data = export(tmp_path)
    assert data.endswith(b"\n") and data.count(b"\n") == 12
    lines = data.decode("utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    # Sorted by video id, then the natural order of question ids ("2" before "10").
    keys = [(i["video_id"], i["question_id"]) for i in items]
    assert keys == [
        ("1002", "1"),
        ("1002", "2"),
        ("1002", "3"),
        ("1002", "10"),
        ("58827", "1"),
        ("58827", "2"),
        ("58827", "3"),
        ("58827", "4"),
        ("7", "1"),
        ("7", "2"),
        ("7", "3"),
        ("7", "4"),
    ]
    # Non-ASCII characters are written as themselves, and every character survives.
    assert "5 µL of reagent A  " in lines[0] and "«shown»" in lines[0]
    source = {i["question"]: i for i in accepted}
    for item in items:
        original = source[item["question"]]
        assert item["options"] == original["options"]
        assert item["answer"] == original["answer"]
        assert item["question_type"] == original["question_type"]
        assert item["timestamp_breakdown"] == original["timestamp_breakdown"]
        assert item["video_duration"] == 301.0
        assert item["uid"] == Question.objects.get(text=item["question"]).uid
        assert list(item) == [
            "uid",
            "video_id",
            "question_id",
            "question",
            "options",
            "answer",
            "question_type",
            "discipline",
            "category",
            "subject",
            "video_duration",
            "timestamp_breakdown",
            "rationale",
        ]
    assert {i["category"] for i in items} == {"Chemistry", "Biology", "Physics"}


def test_exports_are_byte_identical_and_match_the_manifest(accepted: Any, tmp_path: Path) -> None:
    freeze("svb", "--version", "1.0.0")
    first, second = export(tmp_path), export(tmp_path)
    assert first == second
    release = Release.objects.get()
    files = release.manifest["splits"]["test"]["files"]
    assert files["test.jsonl"]["sha256"] == hashlib.sha256(first).hexdigest()
    document = export(tmp_path, "json")
    assert files["test.json"]["sha256"] == hashlib.sha256(document).hexdigest()
    parsed = json.loads(document)
    assert list(parsed) == ["name", "version", "split", "count", "sha256", "created_at", "items"]
    assert (parsed["name"], parsed["version"], parsed["split"], parsed["count"]) == (
        "svb",
        "1.0.0",
        "test",
        12,
    )
    assert parsed["sha256"] == hashlib.sha256(first).hexdigest()
    assert parsed["created_at"] == release.frozen_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert parsed["items"] == [json.loads(line) for line in first.decode().splitlines()]
    manifest = release.manifest
    assert manifest["schema_version"] == "1" and manifest["app_version"] == "0.1.0"
    assert manifest["splits"]["test"]["by_category_type"] == {
        "Biology": {"Conceptual Reasoning": 2, "Quantitative Reasoning": 2},
        "Chemistry": {"Conceptual Reasoning": 2, "Quantitative Reasoning": 2},
        "Physics": {"Conceptual Reasoning": 2, "Quantitative Reasoning": 2},
    }


def test_filters_choose_the_items(accepted: Any, tmp_path: Path) -> None:
    freeze("bio", "--version", "0.1.0", "--category", "biology", "--type", "Q", "--split", "val")
    target = tmp_path / "val.jsonl"
    call_command(
        "export_release",
        "bio",
        "--version",
        "0.1.0",
        "--split",
        "val",
        "--format",
        "jsonl",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    items = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(items) == 2
    assert {(i["category"], i["question_type"]) for i in items} == {
        ("Biology", "Quantitative Reasoning")
    }


def test_colliding_ids_are_renumbered_and_kept_in_later_versions(
    accepted: Any, tmp_path: Path
) -> None:
    # A second question for video 7 with the id "1" already taken.
    first = Question.objects.filter(video__video_id="7", question_id="1").get()
    Question.objects.filter(video__video_id="7", question_id="2").update(question_id="1")
    freeze("svb", "--version", "1.0.0")
    items = [json.loads(line) for line in export(tmp_path).decode().splitlines()]
    seven = sorted(i["question_id"] for i in items if i["video_id"] == "7")
    assert seven == ["1", "3", "4", "5"]
    release = Release.objects.get()
    renumbered = release.manifest["renumbered"]
    [(uid, change)] = renumbered.items()
    assert change == {"from": "1", "to": "5"} and uid != first.uid
    item = release.items.get(uid=uid)
    assert (item.question_id, item.original_question_id) == ("5", "1")
    # In the next version the item keeps "5" even though its own id changed meanwhile.
    Question.objects.filter(uid=uid).update(question_id="99")
    freeze("svb", "--version", "1.1.0")
    later = Release.objects.get(version="1.1.0")
    assert later.items.get(uid=uid).question_id == "5"
    assert later.changelog == {
        "previous": "1.0.0",
        "added": [],
        "removed": [],
        "changed": [],
        "moved": [],
    }


def test_the_changelog_names_added_removed_and_changed_fields(
    accepted: Any, tmp_path: Path
) -> None:
    freeze("svb", "--version", "1.0.0")
    changed = Question.objects.get(question_id="2", video__video_id="1002")
    Question.objects.filter(pk=changed.pk).update(rationale="A better rationale.")
    gone = Question.objects.get(question_id="3", video__video_id="7")
    Question.objects.filter(pk=gone.pk).update(status="rejected")
    freeze("svb", "--version", "2.0.0")
    log = Release.objects.get(version="2.0.0").changelog
    assert log["previous"] == "1.0.0" and log["added"] == [] and log["removed"] == [gone.uid]
    [entry] = log["changed"]
    assert entry["uid"] == changed.uid
    assert [c["field"] for c in entry["changes"]] == ["rationale"]
    assert entry["changes"][0]["after"] == "A better rationale."


def test_errors_block_the_freeze_and_change_nothing(accepted: Any) -> None:
    from videos.models import Video

    Video.objects.filter(video_id="7").update(duration=15.0)
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"error\(s\) block freezing svb 1\.0\.0; nothing"):
        call_command(
            "freeze_release", "svb", "--version", "1.0.0", stdout=io.StringIO(), stderr=err
        )
    assert "ends after the video (15 s)" in err.getvalue()
    assert not Release.objects.exists() and not ReleaseItem.objects.exists()
    assert not ReleaseFile.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["svb", "--version", "1.0"], "semantic version"),
        (["svb", "--version", "1.0.0", "--category", "Alchemy"], "not a category"),
        (["svb", "--version", "1.0.0", "--type", "Trivia"], "not a question type"),
        (["svb", "--version", "1.0.0", "--split", "Test Split"], "lower-case split"),
        (["svb", "--version", "1.0.0", "--video", "nope"], "no accepted item matches"),
    ],
)
def test_bad_requests_fail_with_one_line(accepted: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("freeze_release", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Release.objects.exists()


def test_a_version_is_frozen_once(accepted: Any) -> None:
    freeze("svb", "--version", "1.0.0")
    with pytest.raises(CommandError, match="already frozen; a new version is a new release"):
        freeze("svb", "--version", "1.0.0")


def test_warnings_are_printed_and_kept(db: None, write_items: Any) -> None:
    longer = {letter: letter * 3 for letter in LETTERS}
    longer["A"] = "a much longer correct answer"
    items = [
        make_item(question_id=str(n), question=f"Why at 00:{n:02d}?", options=longer, answer="A")
        for n in range(1, 31)
    ]
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    output = freeze("svb", "--version", "1.0.0")
    assert "warning: answer letters are unevenly spread (A 30, B 0" in output
    assert "p = 0.0000" in output
    assert "warning: the key is the longest option in 30 of 30 items (100.0%" in output
    assert "warning: 30 item(s) with fewer than 1 expert accept(s)" in output
    release = Release.objects.get()
    assert {w["code"] for w in release.warnings} >= {"answer_spread", "longest_key", "reviews"}


def test_a_large_freeze_gates_in_a_second_process_with_the_same_outcome(
    db: None, write_items: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from releases.freeze import plan_freeze
    from releases.gate import Gate, GateCrashed
    from releases.rows import FreezeRequest
    from videos.models import Benchmark

    longer = {letter: letter * 3 for letter in LETTERS}
    longer["A"] = "a much longer correct answer"
    items = [
        make_item(question_id=str(n), question=f"Why at 00:{n:02d}?", options=longer, answer="A")
        for n in range(1, 31)
    ] + accepted_items()
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    benchmark = Benchmark.objects.default()
    request = FreezeRequest(name="svb", version="1.0.0")
    settings.RELEASE_GATE_PROCESS_ITEMS = 10**6
    inline = plan_freeze(benchmark, request).report
    settings.RELEASE_GATE_PROCESS_ITEMS = 1
    forked = plan_freeze(benchmark, request).report
    assert forked.as_dict() == inline.as_dict()
    assert {p.code for p in forked.warnings} >= {"answer_spread", "longest_key", "reviews"}
    freeze("svb", "--version", "1.0.0")
    settings.RELEASE_GATE_PROCESS_ITEMS = 10**6
    freeze("svb", "--version", "1.0.1")
    first, second = Release.objects.order_by("version")
    # The same items, bytes and warnings (the JSON document names its version, so differs).
    for split in (first.manifest["splits"]["test"], second.manifest["splits"]["test"]):
        del split["files"]["test.json"]
    assert first.manifest["splits"] == second.manifest["splits"]
    assert first.warnings == second.warnings

    # A failure in the gate's process fails the freeze, with its reason, and keeps nothing.
    def broken(self: Any, **kwargs: Any) -> None:
        raise ValueError("the gate broke")

    monkeypatch.setattr(Gate, "add", broken)
    settings.RELEASE_GATE_PROCESS_ITEMS = 1
    with pytest.raises(GateCrashed, match="the gate broke"):
        call_command("freeze_release", "svb", "--version", "2.0.0", stdout=io.StringIO())
    assert Release.objects.count() == 2


def test_a_gate_process_that_fails_mid_stream_reports_its_own_error(monkeypatch: Any) -> None:
    """The child fails on the first batch and closes its end; the parent, still sending,
    gets the child's traceback as GateCrashed, not a broken pipe."""
    import time

    from releases.gate import Gate, GateCrashed, GateProcess

    def broken(self: Any, **kwargs: Any) -> None:
        raise ValueError("the gate broke")

    monkeypatch.setattr(Gate, "add", broken)
    monkeypatch.setattr(GateProcess, "BATCH", 1)
    gate = GateProcess(required_accepts=1)
    line = json.dumps({"uid": "q1"}).encode()
    try:
        gate.add_line(line=line, spans=[], flags=[], accepts=1)
        gate._process.join(timeout=30)  # the child has failed and closed the pipe
        assert gate._process.exitcode == 0
        with pytest.raises(GateCrashed, match="the gate broke"):
            for _ in range(50):
                gate.add_line(line=line, spans=[], flags=[], accepts=1)
                time.sleep(0.01)
            gate.report()
    finally:
        gate.close()


def test_a_gate_process_killed_mid_stream_fails_the_freeze_with_its_exit_code() -> None:
    from releases.gate import GateCrashed, GateProcess

    gate = GateProcess(required_accepts=1)
    try:
        gate._process.kill()
        gate._process.join(timeout=30)
        with pytest.raises(GateCrashed, match=r"without a report \(exit code -9\)"):
            gate.report()
    finally:
        gate.close()


def test_editing_the_live_question_does_not_change_the_release(
    accepted: Any, tmp_path: Path, write_items: Any
) -> None:
    freeze("svb", "--version", "1.0.0")
    before = export(tmp_path)
    question = Question.objects.order_by("pk").first()
    assert question is not None
    question.text = "Edited after the freeze at 00:10?"
    question.save()
    question.options.filter(letter="A").update(text="changed")
    # A later import that changes accepted items.
    items = [{**i, "rationale": "reimported"} for i in accepted_items()]
    call_command("import_questions", str(write_items(items)), stdout=io.StringIO())
    assert export(tmp_path) == before


def test_no_path_alters_a_frozen_release(accepted: Any) -> None:
    freeze("svb", "--version", "1.0.0")
    release = Release.objects.get()
    item = release.items.first()
    stored = release.files.first()
    assert item is not None and stored is not None
    attempts = [
        lambda: ReleaseItem.objects.filter(pk=item.pk).update(sha256="0" * 64),
        lambda: item.delete(),
        lambda: ReleaseItem.objects.filter(release=release).delete(),
        lambda: ReleaseFile.objects.filter(pk=stored.pk).update(sha256="0" * 64),
        lambda: stored.delete(),
        lambda: ReleaseItem.objects.create(
            release=release,
            split="test",
            position=999,
            uid="q_extra",
            video_id="7",
            question_id="77",
            source=Question.objects.first(),
            offset=0,
            length=2,
            sha256="0" * 64,
        ),
        lambda: Release.objects.filter(pk=release.pk).update(manifest={}),
        lambda: Release.objects.filter(pk=release.pk).update(name="other"),
        lambda: Release.objects.filter(pk=release.pk).update(sealed=False),
        lambda: Release.objects.filter(pk=release.pk).delete(),
        lambda: Question.objects.filter(pk=item.source_id).delete(),
    ]
    for attempt in attempts:
        with transaction.atomic(), pytest.raises(Exception) as failure:
            attempt()
        assert re.search(r"frozen|cannot be deleted|protected", str(failure.value)), str(
            failure.value
        )
    release.refresh_from_db()
    assert release.items.count() == 12 and release.name == "svb"
    # Deprecating is allowed, and is final.
    Release.objects.filter(pk=release.pk).update(status="deprecated")
    with transaction.atomic(), pytest.raises(Exception, match="frozen"):
        Release.objects.filter(pk=release.pk).update(status="frozen")
    # Who may download is not part of what was published.
    Release.objects.filter(pk=release.pk).update(access="public")


def test_the_database_checks_an_items_links_without_the_orm(accepted: Any) -> None:
    from django.db import connection

    freeze("svb", "--version", "1.0.0")
    release = Release.objects.get()
    item = release.items.first()
    assert item is not None
    # Deleting a released question behind the ORM's back.
    with (
        pytest.raises(Exception, match="frozen release"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM reviews_question WHERE id = %s", [item.source_id])
    assert Question.objects.filter(pk=item.source_id).exists()
    # Items pointing at nothing, in a release not yet sealed.
    draft = Release.objects.create(
        benchmark=release.benchmark, name="draft", version="0.1.0", frozen_at=release.frozen_at
    )
    columns = "release_id, split, position, uid, video_id, question_id, original_question_id, "
    columns += 'source_id, "offset", length, sha256'
    for release_id, source_id, message in (
        (draft.pk, 10**9, "existing question"),
        (10**9, item.source_id, "existing release"),
    ):
        with (
            pytest.raises(Exception, match=message),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"INSERT INTO releases_releaseitem ({columns}) "
                "VALUES (%s, 'test', 0, 'q_x', '7', '1', '1', %s, 0, 2, %s)",
                [release_id, source_id, "0" * 64],
            )
    assert not ReleaseItem.objects.filter(uid="q_x").exists()
    # Unreleased questions can still be deleted.
    unreleased = Question.objects.exclude(release_items__isnull=False).first()
    assert unreleased is None or unreleased.delete()


def test_the_admin_shows_releases_but_cannot_change_them(accepted: Any, client: Any) -> None:
    from sciannot.accounts.models import User

    freeze("svb", "--version", "1.0.0")
    release = Release.objects.get()
    boss = User.objects.create_superuser("boss", password="pw", role="curator")
    client.force_login(boss)
    page = client.get(f"/admin/releases/release/{release.pk}/change/")
    assert page.status_code == 200 and "svb" in page.content.decode()
    posted = client.post(f"/admin/releases/release/{release.pk}/change/", {"name": "other"})
    assert posted.status_code == 403
    assert (
        client.post(f"/admin/releases/release/{release.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    release.refresh_from_db()
    assert release.name == "svb"


def test_near_duplicate_questions_in_a_video_are_a_warning(db: None, write_items: Any) -> None:
    base = "What is the purpose of rinsing the pellet with cold ethanol twice before drying it"
    items = [
        make_item(question_id="1", question=base + " at 00:10?"),
        make_item(question_id="2", question=base + " at 00:40?"),
        make_item(question_id="3", question="Why is the flask heated slowly at 01:10?"),
        make_item(video_id="2", question_id="1", question=base + " at 00:10?"),
    ]
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    output = freeze("svb", "--version", "1.0.0")
    first, second = (
        Question.objects.get(video__video_id="58827", question_id=n).uid for n in ("1", "2")
    )
    assert (
        f"warning: 1 pair(s) of near-duplicate questions in the same video: {first} and "
        f"{second} (100%)"
    ) in output


def test_one_experts_accepts_of_two_letterings_count_as_one(
    db: None, write_items: Any, curator: Any
) -> None:
    from reviews.services import decisions
    from videos.models import Benchmark

    Benchmark.objects.update(required_accepts=2)
    call_command(
        "import_questions",
        str(write_items([make_item(question="Why at 00:01?")])),
        "--status",
        "accepted",
        stdout=io.StringIO(),
    )
    question = Question.objects.get()
    decisions.question_decide(question=question, reviewer=curator, kind="accept", seen_version=1)
    # Re-lettering raises the version, not the judged version: the same content again.
    Question.objects.filter(pk=question.pk).update(version=2)
    question.refresh_from_db()
    decisions.question_decide(question=question, reviewer=curator, kind="accept", seen_version=2)
    output = freeze("svb", "--version", "1.0.0")
    assert "warning: 1 item(s) with fewer than 2 expert accept(s)" in output
