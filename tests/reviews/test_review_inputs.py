"""Hostile values on the review page: non-finite times, NUL bytes, over-long texts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from reviews.models import Comment, Decision, Question
from tests.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(benchmark: Any, write_items: Callable[..., Path]) -> Question:
    item = make_item(
        video_id="10",
        question="First at 00:10?",
        discipline="Biology",
        timestamp_breakdown=["00:10-00:12: first"],
    )
    call_command("import_questions", str(write_items([item])))
    return Question.objects.get()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_form(question: Question, **changes: Any) -> dict[str, Any]:
    data = {
        "version": question.version,
        "text": question.text,
        "answer": question.answer,
        "question_type": question.question_type,
        "subject": question.subject,
        "rationale": question.rationale,
        "span_start": ["00:10"],
        "span_end": ["00:12"],
        "span_note": ["first"],
        **{f"option_{o.letter}": o.text for o in question.options.all()},
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("at", ["nan", "NaN", "inf", "-inf", "1e400", "9" * 5000, "00:1e5"])
def test_a_comment_at_a_non_finite_time_is_refused_and_the_page_still_works(
    question: Question, reviewer: Any, at: str
) -> None:
    client = client_for(reviewer)
    refused = client.post(f"/questions/{question.uid}/comment", {"text": "look", "at": at})
    assert refused.status_code == 400
    assert "is not a time inside the video" in refused.content.decode()
    assert not Comment.objects.exists()
    assert client.get(f"/questions/{question.uid}/").status_code == 200


@pytest.mark.parametrize("value", ["nan", "inf", "1e999", "-nan"])
def test_a_span_at_a_non_finite_time_is_a_field_error(
    question: Question, reviewer: Any, value: str
) -> None:
    client = client_for(reviewer)
    refused = client.post(
        f"/questions/{question.uid}/edit", edit_form(question, span_start=[value])
    )
    assert refused.status_code == 400
    assert "Span 1 must end at or after its start." in refused.content.decode()
    question.refresh_from_db()
    assert question.version == 1


@pytest.mark.postgres
def test_a_nan_time_stored_earlier_does_not_break_the_page_or_the_queue(
    question: Question, reviewer: Any
) -> None:
    # As stored before times were checked: PostgreSQL keeps NaN in a float column.
    Comment.objects.create(question=question, author=reviewer, text="old", at_seconds=float("nan"))
    client = client_for(reviewer)
    taken = client.get("/questions/next/")
    assert taken.status_code == 302
    page = client.get(taken["Location"])
    assert page.status_code == 200
    assert "old" in page.content.decode()


def test_over_long_texts_are_field_errors_in_the_edit_form_and_comments(
    question: Question, reviewer: Any, settings: Any
) -> None:
    settings.TEXT_LIMITS = {**settings.TEXT_LIMITS, "question": 200, "option": 60, "comment": 100}
    client = client_for(reviewer)
    long_text = "What is shown at 00:10? " + "x" * 300
    refused = client.post(
        f"/questions/{question.uid}/edit",
        edit_form(question, text=long_text, option_C="y" * 61),
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "The question is 324 characters long; the limit is 200." in body
    assert "Option C is 61 characters long; the limit is 60." in body
    question.refresh_from_db()
    assert question.version == 1
    comment = client.post(f"/questions/{question.uid}/comment", {"text": "z" * 101})
    assert comment.status_code == 400
    assert "The comment is 101 characters long; the limit is 100." in comment.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/questions/%00/",
        "/questions/?q=%00",
        "/questions/?video=a%00b",
        "/questions/?%00=1",
    ],
)
def test_a_nul_in_the_address_or_a_filter_is_a_400(reviewer: Any, path: str) -> None:
    response = client_for(reviewer).get(path)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_form_field_is_a_400_and_changes_nothing(
    question: Question, reviewer: Any
) -> None:
    client = client_for(reviewer)
    comment = client.post(f"/questions/{question.uid}/comment", {"text": "a\x00b"})
    assert comment.status_code == 400
    assert "A form field contains a NUL character." in comment.content.decode()
    edit = client.post(f"/questions/{question.uid}/edit", edit_form(question, rationale="\x00"))
    assert edit.status_code == 400
    assert not Comment.objects.exists()
    question.refresh_from_db()
    assert question.version == 1


@pytest.mark.parametrize("back", ["nan", "reviews:list", "//evil.example/", "https://x.example/"])
def test_a_bulk_action_goes_back_only_to_a_local_path(
    question: Question, curator: Any, back: str
) -> None:
    # A bare word would be read as a view name to reverse (a 500); a foreign URL is refused.
    response = client_for(curator).post(
        "/questions/bulk/", {"uid": question.uid, "action": "nan", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == "/questions/"


def test_an_over_long_reject_comment_is_a_field_error(question: Question, reviewer: Any) -> None:
    response = client_for(reviewer).post(
        f"/questions/{question.uid}/decide",
        {"kind": "reject", "reason": "other", "comment": "x" * 3_000_000, "version": "1"},
    )
    assert response.status_code == 400
    assert (
        "The comment is 3,000,000 characters long; the limit is 5,000" in response.content.decode()
    )
    assert not Decision.objects.exists()
    question.refresh_from_db()
    assert question.status == "draft"


def test_an_over_long_bulk_comment_changes_nothing(question: Question, curator: Any) -> None:
    response = client_for(curator).post(
        "/questions/bulk/",
        {"uid": question.uid, "action": "reject", "reason": "other", "comment": "x" * 5001},
        follow=True,
    )
    assert "the comment is 5,001 characters long" in response.content.decode()
    assert not Decision.objects.exists()
