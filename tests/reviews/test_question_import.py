"""import_questions: validation, all-or-nothing, identity, overwrite rules, duplicates."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from reviews.models import EvidenceSpan, Option, Question, QuestionStatus, Revision
from reviews.services.item_format import content_hash
from reviews.services.question_import import ImportFailed, questions_import
from reviews.services.revisions import question_content, question_snapshot
from tests.factories import make_item
from videos.models import MediaStatus, Video

pytestmark = pytest.mark.django_db


def db_state() -> dict[str, Any]:
    """Everything an import can touch, to prove a failed one changed nothing."""
    return {
        "videos": sorted(Video.objects.values_list("video_id", "duration", "subject")),
        "questions": sorted(
            Question.objects.values_list("uid", "content_hash", "version", "status", "text")
        ),
        "options": Option.objects.count(),
        "spans": EvidenceSpan.objects.count(),
        "revisions": Revision.objects.count(),
    }


def run_import(path: Path, *args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_questions", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_fails(path: Path, *args: str) -> str:
    """Run the command expecting failure; return stderr + the error line."""
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_questions", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue() + str(exc.value)


def test_it_imports_a_valid_file_with_options_spans_and_a_revision(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    path = write_items([make_item(), make_item(question="Why is the flask sealed at 03:05?")])

    out, _ = run_import(path)

    assert "58827: 2 created, 0 unchanged, 0 updated" in out
    question = Question.objects.get(text__startswith="What is the purpose")
    assert question.status == QuestionStatus.DRAFT
    assert question.category == "Chemistry"
    assert question.uid.startswith("q_") and len(question.uid) == 14
    assert [o.letter for o in question.options.order_by("letter")] == list("ABCDEFGHIJ")
    assert question.answer == "D"
    spans = list(question.spans.order_by("order").values_list("start", "end", "origin", "note"))
    assert spans == [
        (142.0, 153.0, "question", ""),
        (142.0, 153.0, "breakdown", "sample moved to the load-lock chamber"),
    ]
    revision = question.revisions.get()
    assert revision.number == 1 and revision.author is None
    # The bulk path writes the same snapshot the ORM path would read back.
    assert revision.snapshot == question_snapshot(question)
    assert revision.changed_fields == sorted(question_snapshot(question))
    assert question.content_hash == content_hash(question_content(question))
    video = Video.objects.get(video_id="58827")
    assert video.media_status == MediaStatus.PLACEHOLDER
    assert video.duration == 301.0
    assert video.subject == "Nanomaterials"


def test_it_stores_the_question_text_exactly_as_given(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    text = "  What  happens\tat 01:05 when the lid — “sealed” — is opened?  "
    run_import(write_items([make_item(question=text)]))
    assert Question.objects.get().text == text


def test_it_reads_a_json_array_and_list_options(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    options = [f"{letter}. {n * 5} N" for n, letter in enumerate("ABCDEFGHIJ", start=1)]
    path = write_items(
        [make_item(options=options, answer="C", question_type="Quantitative Reasoning")],
        fmt="json",
    )
    run_import(path)
    question = Question.objects.get()
    assert question.options.get(letter="C").text == "15 N"
    assert question.question_type == "Quantitative Reasoning"


def test_it_derives_the_category_from_the_discipline_and_keeps_a_given_one(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    path = write_items(
        [
            make_item(question="Q engineering at 00:10?", discipline="Engineering"),
            make_item(question="Q biochem at 00:10?", discipline="Biochemistry"),
            make_item(question="Q kept at 00:10?", discipline="Engineering", category="Chemistry"),
        ]
    )
    run_import(path)
    categories = dict(Question.objects.values_list("discipline", "category").order_by("id"))
    assert categories["Biochemistry"] == "Biology"
    assert list(Question.objects.order_by("id").values_list("category", flat=True)) == [
        "Physics",
        "Biology",
        "Chemistry",
    ]


def test_it_keeps_items_that_share_a_video_and_question_id(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    # The released benchmark reuses (video_id, question_id) for different questions.
    path = write_items(
        [
            make_item(question_id="3", question="First question at 00:30?"),
            make_item(question_id="3", question="A different question at 00:40?"),
        ]
    )
    run_import(path)
    assert Question.objects.filter(video__video_id="58827", question_id="3").count() == 2
    assert len(set(Question.objects.values_list("uid", flat=True))) == 2


def test_it_changes_nothing_when_the_same_file_is_imported_again(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    path = write_items([make_item(), make_item(question="Another at 00:10?")])
    run_import(path)
    before = db_state()

    out, _ = run_import(path)

    assert "Nothing changed: all 2 items are already here." in out
    assert "58827: 0 created, 2 unchanged, 0 updated" in out
    assert db_state() == before


def test_it_treats_whitespace_changes_as_the_same_question_and_updates_it(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    run_import(write_items([make_item()]))
    question = Question.objects.get()
    changed = make_item(
        question="What is the  purpose of moving\nthe sample between 02:22 and 02:33?",
        answer="E",
    )

    out, _ = run_import(write_items([changed]))

    assert "0 created, 0 unchanged, 1 updated" in out
    question.refresh_from_db()
    assert question.answer == "E"
    assert question.version == 2
    assert question.text == changed["question"]
    assert list(question.revisions.values_list("number", flat=True).order_by("number")) == [1, 2]
    latest = question.revisions.get(number=2)
    assert "answer" in latest.changed_fields and "options" not in latest.changed_fields
    assert latest.snapshot == question_snapshot(question)
    assert question.content_hash == content_hash(question_content(question))


def test_it_never_overwrites_a_question_an_expert_touched(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    run_import(write_items([make_item()]))
    Question.objects.update(expert_touched=True)
    before = db_state()

    message = import_fails(write_items([make_item(answer="A")]))

    assert "line 1:" in message and "edited or decided on by an expert" in message
    assert db_state() == before


def test_it_accepts_an_identical_item_for_an_expert_touched_question(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    path = write_items([make_item()])
    run_import(path)
    Question.objects.update(expert_touched=True)
    out, _ = run_import(path)
    assert "1 unchanged" in out


def test_it_marks_new_items_accepted_with_status_accepted(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    run_import(write_items([make_item()]), "--status", "accepted")
    assert Question.objects.get().status == QuestionStatus.ACCEPTED


def test_it_validates_only_with_dry_run(benchmark: Any, write_items: Callable[..., Path]) -> None:
    before = db_state()
    out, _ = run_import(write_items([make_item()]), "--dry-run")
    assert "Dry run: the file is valid; it would give 1 created" in out
    assert db_state() == before


BAD_ITEMS: list[tuple[str, Any, str]] = [
    ("missing field", {k: v for k, v in make_item().items() if k != "answer"}, "`answer`"),
    ("answer not an option", make_item(answer="K"), "not among the options"),
    ("nine options", make_item(options=[f"o{i}" for i in range(9)]), "has 9 options"),
    (
        "eleven options",
        make_item(options={**make_item()["options"], "K": "extra"}),
        "needs exactly 10",
    ),
    (
        "empty option",
        make_item(options={**make_item()["options"], "C": "  "}),
        "option C is empty",
    ),
    (
        "duplicate option",
        make_item(options={**make_item()["options"], "F": make_item()["options"]["B"]}),
        "options B and F have the same text",
    ),
    ("unknown type", make_item(question_type="Causal Reasoning"), "unknown question type"),
    ("time past the end", make_item(question="What happens at 05:30?"), "past the end"),
    (
        "breakdown past the end",
        make_item(timestamp_breakdown=["06:00-06:10: late"]),
        "past the end of the video",
    ),
    ("reversed range", make_item(question="Between 02:33 and 02:22, why?"), "ends before"),
    ("unknown category", make_item(category="Astronomy"), "unknown category"),
    ("not an object", ["a", "list"], "must be a JSON object"),
    ("long subject", make_item(subject="s" * 201), "`subject` has 201 characters; at most 200"),
    ("long video id", make_item(video_id="9" * 65), "`video_id` has 65 characters; at most 64"),
]


@pytest.mark.parametrize(("case", "bad", "expected"), BAD_ITEMS, ids=[c[0] for c in BAD_ITEMS])
def test_it_rejects_a_bad_item_naming_its_line_and_changes_nothing(
    benchmark: Any, write_items: Callable[..., Path], case: str, bad: Any, expected: str
) -> None:
    run_import(write_items([make_item(question="Existing question at 00:10?")]))
    before = db_state()
    path = write_items([make_item(question="A good one at 00:20?"), bad])

    message = import_fails(path)

    assert "line 2:" in message, message
    assert expected in message, message
    assert "nothing was imported" in message
    assert db_state() == before


def test_it_reports_broken_json_with_its_line_and_every_other_problem(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    before = db_state()
    path = write_items(
        [
            make_item(),
            '{"video_id": "1", "question": ',
            make_item(question="Fine at 00:01?"),
            make_item(question="Bad type at 00:02?", question_type="x"),
        ]
    )
    message = import_fails(path)
    assert "line 2: broken JSON" in message
    assert "line 4: unknown question type" in message
    assert db_state() == before


def test_it_reports_a_truncated_last_line(benchmark: Any, tmp_path: Path) -> None:
    path = tmp_path / "truncated.jsonl"
    full = json.dumps(make_item())
    path.write_text(full + "\n" + full[: len(full) // 2], encoding="utf-8")
    message = import_fails(path)
    assert "line 2: broken JSON" in message and "truncated" in message
    assert Question.objects.count() == 0


def test_it_names_lines_in_a_json_array(benchmark: Any, write_items: Callable[..., Path]) -> None:
    path = write_items(
        [make_item(), make_item(question="Second at 00:01?", answer="Z")], fmt="json"
    )
    text = path.read_text()
    second_line = text[: text.index('"Second at 00:01?"')].count("\n") + 1
    message = import_fails(path)
    # The item's opening brace is a few lines above its question field.
    reported = int(message.split("line ")[1].split(":")[0])
    assert 1 < reported <= second_line
    assert Question.objects.count() == 0


def test_it_rejects_the_same_question_twice_in_a_file_with_different_content(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    path = write_items([make_item(), make_item(answer="B")])
    message = import_fails(path)
    assert "line 2: same question as line 1" in message
    assert Question.objects.count() == 0


def test_it_checks_times_against_a_probed_duration_over_the_file(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    Video.objects.create(benchmark=benchmark, video_id="58827", duration=100.0)
    # The file claims 301 s, but the stored (probed) video is 100 s long.
    message = import_fails(write_items([make_item()]))
    assert "line 1: time 02:33 is past the end of the video (01:40)" in message


def test_it_does_not_take_ratios_for_times(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    item = make_item(
        question="The stock was diluted 1:10 and mixed in a 3:2 ratio at 00:40; why?",
        video_duration=60.0,
        timestamp_breakdown=[],
    )
    run_import(write_items([item]))
    assert list(Question.objects.get().spans.values_list("start", "end")) == [(40.0, 40.0)]


def test_the_service_raises_import_failed_with_every_problem(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    path = write_items([make_item(answer="Q"), make_item(question="x at 00:01?", options=[])])
    with pytest.raises(ImportFailed) as exc:
        questions_import(benchmark=benchmark, path=path)
    assert exc.value.problems[0].startswith("line 1:")
    assert any(p.startswith("line 2:") for p in exc.value.problems)


def test_it_fails_with_one_line_for_a_missing_file(benchmark: Any, tmp_path: Path) -> None:
    message = import_fails(tmp_path / "nope.jsonl")
    assert "no such file" in message


def test_it_imports_into_a_named_benchmark(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    path = write_items([make_item()])
    run_import(path, "--benchmark", "physics-set")
    run_import(path)
    assert Question.objects.filter(video__benchmark__name="physics-set").count() == 1
    assert Question.objects.filter(video__benchmark=benchmark).count() == 1


def test_the_database_refuses_to_rewrite_a_revision(
    benchmark: Any, write_items: Callable[..., Path]
) -> None:
    from django.db import DatabaseError, transaction

    run_import(write_items([make_item()]))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Revision.objects.update(reason="rewritten history")
    assert Revision.objects.get().reason.startswith("imported from")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"video_id": "1", "question": "\xff\xfe at 00:01?"}', "line 2: not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "line 2: JSON nested deeper than 64 levels"),
        (
            b'{"video_id": ' + b"7" * 5000 + b', "question": "q"}',
            "line 2: a number in the JSON has more than 100 digits",
        ),
        (
            json.dumps(make_item(question="Nul\x00 at 00:01?")).encode(),
            "line 2: a value contains a NUL character",
        ),
        (
            json.dumps(make_item(video_duration=1e400)).encode(),
            "line 2: `video_duration` must be positive",
        ),
        (
            json.dumps(make_item(question="Long at 02:22? " + "x" * 60_000)).encode(),
            "line 2: `question` has 60,015 characters; at most 5,000",
        ),
        (
            json.dumps(make_item(options=["o" * 1001, *"BCDEFGHIJ"])).encode(),
            "line 2: `options.A` has 1,001 characters; at most 1,000",
        ),
        (
            json.dumps(make_item(rationale="r" * 10_001)).encode(),
            "line 2: `rationale` has 10,001 characters",
        ),
        (
            json.dumps(make_item(subject="s" * 201)).encode(),
            "line 2: `subject` has 201 characters; at most 200",
        ),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_hostile_lines_name_their_line_and_import_nothing(
    benchmark: Any, tmp_path: Path, line: bytes, expected: str, dry_run: bool
) -> None:
    path = tmp_path / "hostile.jsonl"
    good = json.dumps(make_item(question="A good one at 02:22?")).encode()
    path.write_bytes(good + b"\n" + line + b"\n")
    before = db_state()
    message = import_fails(path, *(["--dry-run"] if dry_run else []))
    assert expected in message, message
    assert "Traceback" not in message
    assert db_state() == before


@pytest.mark.parametrize(
    "document",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'[{"video_id": 1e999999, "question": "' + b"9" * 10 + b'"}]',
    ],
)
def test_a_hostile_json_document_is_one_line_of_error(
    benchmark: Any, tmp_path: Path, document: bytes
) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(document)
    message = import_fails(path)
    assert "line 1:" in message, message
    assert Question.objects.count() == 0
