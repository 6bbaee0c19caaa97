"""What a reviewer may see before answering (solve first) and before deciding (others'
decisions), on every page, fragment and API answer that shows a question."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from reviews.models import Comment, Question
from reviews.services import decisions
from sciannot.accounts.models import User
from tests.factories import make_item
from videos.models import Benchmark

pytestmark = pytest.mark.django_db

RATIONALE = "Only the vacuum pump explains it."
NOTE = "the pump starts"


@pytest.fixture
def question(benchmark: Any, write_items: Callable[..., Path]) -> Question:
    item = make_item(
        video_id="10",
        question="Why does the lid open at 00:10?",
        discipline="Biology",
        answer="D",
        rationale=RATIONALE,
        timestamp_breakdown=[f"00:10-00:12: {NOTE}"],
        options={letter: f"Because of cause {letter}" for letter in "ABCDEFGHIJ"},
    )
    call_command("import_questions", str(write_items([item])))
    return Question.objects.get()


@pytest.fixture
def solve_first(benchmark: Any) -> None:
    Benchmark.objects.update(solve_first=True)


@pytest.fixture
def colleague(db: None) -> User:
    user = User.objects.create_user("bo", password="x", role="reviewer")
    user.disciplines = ["Biology"]
    user.save()
    return user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_shown(html: str) -> bool:
    return 'data-testid="key-mark"' in html or RATIONALE in html or NOTE in html


# --- Solve first ------------------------------------------------------------------------------


def test_the_video_page_hides_the_key_until_the_reviewer_answers(
    question: Question, solve_first: None, reviewer: Any, curator: Any
) -> None:
    url = f"/videos/{question.video.pk}/"
    before = client_for(reviewer).get(url).content.decode()
    assert "Because of cause J" in before and not key_shown(before)
    assert 'data-testid="solve-first-note"' in before
    decisions.question_solve(question=question, reviewer=reviewer, letter="A")
    after = client_for(reviewer).get(url).content.decode()
    assert 'data-testid="key-mark"' in after and RATIONALE in after and NOTE in after
    # The wrong blind answer raised a flag naming the key: it shows with the key, not before.
    assert "which is D" in after
    assert key_shown(client_for(curator).get(url).content.decode())


def test_the_api_nulls_the_key_and_says_why(
    question: Question, solve_first: None, reviewer: Any, curator: Any
) -> None:
    item = client_for(reviewer).get("/api/questions/").json()["results"][0]
    assert item["solve_first"] is True
    assert (item["answer"], item["rationale"], item["timestamp_breakdown"]) == (None, None, None)
    assert item["spans"] and all(span["note"] is None for span in item["spans"])
    assert item["question"] and len(item["options"]) == 10  # the item itself is there

    decisions.question_solve(question=question, reviewer=reviewer, letter="D")
    solved = client_for(reviewer).get("/api/questions/").json()["results"][0]
    assert solved["solve_first"] is False
    assert (solved["answer"], solved["rationale"]) == ("D", RATIONALE)
    assert NOTE in [span["note"] for span in solved["spans"]]
    curated = client_for(curator).get("/api/questions/").json()["results"][0]
    assert curated["solve_first"] is False and curated["answer"] == "D"


def test_the_api_shows_the_key_when_the_benchmark_does_not_ask_to_solve_first(
    question: Question, reviewer: Any
) -> None:
    item = client_for(reviewer).get("/api/questions/").json()["results"][0]
    assert item["solve_first"] is False and item["answer"] == "D"


def test_the_schema_documents_the_hidden_fields(curator: Any) -> None:
    schema = client_for(curator).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    fields = schema["components"]["schemas"]["Question"]["properties"]
    assert fields["solve_first"]["type"] == "boolean"
    for name in ("answer", "rationale", "timestamp_breakdown"):
        assert fields[name]["nullable"] is True, name
        assert "solve_first" in fields[name]["description"], name


def test_the_edit_form_history_and_fragments_hide_the_key(
    question: Question, solve_first: None, reviewer: Any
) -> None:
    client = client_for(reviewer)
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert not key_shown(page)
    assert 'data-testid="history-hidden"' in page and 'data-testid="revision-1"' not in page
    form = client.get(f"/questions/{question.uid}/edit", HTTP_HX_REQUEST="true").content.decode()
    assert 'name="answer"' not in form and not key_shown(form)
    assert "the edit form shows the key" in form
    # An htmx fragment answered after a comment is the same page part, key hidden.
    fragment = client.post(
        f"/questions/{question.uid}/comment", {"text": "looks fine"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "looks fine" in fragment and not key_shown(fragment)


def test_an_edit_or_restore_before_answering_is_refused(
    question: Question, solve_first: None, reviewer: Any
) -> None:
    client = client_for(reviewer)
    data = {
        "version": 1,
        "text": question.text,
        "answer": "A",
        "question_type": question.question_type,
        "span_start": ["00:10"],
        "span_end": ["00:12"],
        "span_note": [NOTE],
        **{f"option_{o.letter}": o.text for o in question.options.all()},
    }
    response = client.post(f"/questions/{question.uid}/edit", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "answer the question yourself before editing it" in body and not key_shown(body)
    restore = client.post(f"/questions/{question.uid}/restore/1", {"version": 1})
    assert restore.status_code == 400
    question.refresh_from_db()
    assert (question.version, question.answer, question.revisions.count()) == (1, "D", 1)


def test_the_page_after_solving_shows_the_key_at_once(
    question: Question, solve_first: None, reviewer: Any
) -> None:
    response = client_for(reviewer).post(
        f"/questions/{question.uid}/solve", {"letter": "D"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'data-testid="key-mark"' in body and 'data-testid="accept"' in body
    assert 'data-testid="revision-1"' in body


def test_the_timeline_draws_the_bands_but_keeps_their_notes_until_answered(
    question: Question, solve_first: None, reviewer: Any, tmp_path: Path, video_dir: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder / "jove_10.mp4")
    call_command("import_videos", str(folder), stdout=io.StringIO())
    client = client_for(reviewer)
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert 'data-testid="timeline"' in page and 'data-testid="band"' in page
    assert not key_shown(page)

    client.post(f"/questions/{question.uid}/solve", {"letter": "D"})
    solved = client.get(f"/questions/{question.uid}/").content.decode()
    assert 'data-testid="band-note"' in solved and NOTE in solved


# --- Others' decisions ------------------------------------------------------------------------


def test_the_history_masks_other_reviewers_decisions_until_deciding(
    question: Question, reviewer: Any, colleague: User, curator: Any
) -> None:
    Benchmark.objects.update(required_accepts=2)
    decisions.question_decide(
        question=question,
        reviewer=colleague,
        kind="reject",
        seen_version=1,
        reason="ambiguous",
        comment="Two readings of the lid",
    )
    client = client_for(reviewer)
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert "show once you have decided" in page
    assert 'data-testid="decision-hidden"' in page
    assert "reject (ambiguous)" not in page and "Two readings" not in page
    history = page.split('data-testid="history"')[1].split("</section>")[0]
    # Neither who decided nor a status change that would tell what they decided.
    assert " · bo · " not in history and "<th>status</th>" not in history
    assert "r2 · " in history  # the entry keeps its place

    # A curator sees it all.
    curated = client_for(curator).get(f"/questions/{question.uid}/").content.decode()
    assert "reject (ambiguous)" in curated and "Two readings" in curated

    # Once the reviewer decides, the decision and its revision show.
    Question.objects.filter(pk=question.pk).update(status="in_review")
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert "reject (ambiguous)" in page and "Two readings" in page
    assert 'data-testid="decision-hidden"' not in page


def test_others_comments_wait_until_the_reviewer_decides(
    question: Question, reviewer: Any, colleague: User
) -> None:
    Comment.objects.create(question=question, author=colleague, text="I rejected: two keys")
    Comment.objects.create(question=question, author=reviewer, text="My own note")
    client = client_for(reviewer)
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert "My own note" in page and "two keys" not in page
    assert "1 comment by others shows once you have decided" in page
    decisions.question_decide(question=question, reviewer=reviewer, kind="unsure", seen_version=1)
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert "two keys" in page and 'data-testid="comments-hidden"' not in page


def test_a_decision_on_an_earlier_lettering_still_counts_as_deciding(
    question: Question, reviewer: Any, colleague: User
) -> None:
    """Re-lettering raises the version, not the judged version: the reviewer's decision on
    the same content still lets them see the others'."""
    decisions.question_decide(question=question, reviewer=colleague, kind="unsure", seen_version=1)
    decisions.question_decide(question=question, reviewer=reviewer, kind="unsure", seen_version=1)
    Question.objects.filter(pk=question.pk).update(version=2)
    question.refresh_from_db()
    assert decisions.may_see_others_decisions(question, reviewer)
    page = client_for(reviewer).get(f"/questions/{question.uid}/").content.decode()
    assert "bo · Unsure" in page
