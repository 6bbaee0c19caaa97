"""Review decisions and edits: transitions, agreement, validation, optimistic locking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from reviews.models import Decision, Question, QuestionStatus, Revision
from reviews.selectors import next_in_queue
from reviews.services import decisions, edits, queue
from reviews.services.item_format import content_hash
from reviews.services.revisions import question_content
from tests.factories import make_item
from videos.models import Benchmark

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(benchmark: Any, write_items: Callable[..., Path]) -> list[Question]:
    items = [
        make_item(
            video_id="10",
            question="First at 00:10?",
            discipline="Biology",
            timestamp_breakdown=["00:10-00:12: first"],
        ),
        make_item(
            video_id="10", question="Second at 00:20?", discipline="Biology", timestamp_breakdown=[]
        ),
        make_item(
            video_id="11", question="Third at 00:30?", discipline="Biology", timestamp_breakdown=[]
        ),
    ]
    call_command("import_questions", str(write_items(items)))
    return list(Question.objects.order_by("video__video_id", "id"))


@pytest.fixture
def colleague(db: None) -> Any:
    """A second biologist reviewer."""
    from sciannot.accounts.models import User

    user = User.objects.create_user("bo", password="x", role="reviewer")
    user.disciplines = ["Biology"]
    user.save()
    return user


def edit_of(question: Question, **changes: Any) -> edits.QuestionEdit:
    edit = edits.QuestionEdit(
        text=question.text,
        options={o.letter: o.text for o in question.options.all()},
        answer=question.answer,
        question_type=question.question_type,
        subject=question.subject,
        rationale=question.rationale,
        spans=[edits.SpanEdit(s.start, s.end, s.note) for s in question.spans.all()],
    )
    for key, value in changes.items():
        setattr(edit, key, value)
    return edit


def test_an_accept_by_one_reviewer_accepts_when_one_is_required(
    questions: list[Question], reviewer: Any
) -> None:
    question = questions[0]
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED
    assert question.expert_touched
    revision = question.revisions.order_by("-number").first()
    assert revision is not None and revision.author == reviewer
    assert revision.reason == "accept" and revision.changed_fields == ["status"]


def test_two_accepts_are_needed_when_the_benchmark_says_so(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    Benchmark.objects.update(required_accepts=2)
    question = questions[0]
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    question.refresh_from_db()
    # The same reviewer twice is still one accept.
    assert question.status == QuestionStatus.IN_REVIEW
    decisions.question_decide(question=question, reviewer=curator, kind="accept", seen_version=1)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED


def test_an_edit_resets_earlier_accepts(
    questions: list[Question], reviewer: Any, curator: Any, outsider: Any
) -> None:
    Benchmark.objects.update(required_accepts=2)
    question = questions[0]
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    edits.question_edit(
        question=question, editor=curator, seen_version=1, edit=edit_of(question, answer="B")
    )
    question.refresh_from_db()
    assert question.version == 2 and question.answer == "B"
    decisions.question_decide(question=question, reviewer=curator, kind="accept", seen_version=2)
    question.refresh_from_db()
    # reviewer's accept was for version 1: one accept of the edited question is not enough.
    assert question.status == QuestionStatus.IN_REVIEW


def test_a_reject_needs_a_reason_and_other_needs_a_comment(
    questions: list[Question], reviewer: Any
) -> None:
    question = questions[0]
    with pytest.raises(decisions.EditInvalid) as missing:
        decisions.question_decide(
            question=question, reviewer=reviewer, kind="reject", seen_version=1
        )
    assert "reason" in missing.value.errors
    with pytest.raises(decisions.EditInvalid) as other:
        decisions.question_decide(
            question=question, reviewer=reviewer, kind="reject", seen_version=1, reason="other"
        )
    assert "comment" in other.value.errors
    assert not Decision.objects.exists()
    decisions.question_decide(
        question=question,
        reviewer=reviewer,
        kind="reject",
        seen_version=1,
        reason="multiple_correct",
        comment="B and D are both right",
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.REJECTED
    decision = Decision.objects.get()
    assert (decision.reason, decision.comment) == ("multiple_correct", "B and D are both right")


def test_a_reviewer_cannot_reopen_a_rejected_question_but_a_curator_can(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    question = questions[0]
    decisions.question_decide(
        question=question, reviewer=reviewer, kind="reject", seen_version=1, reason="ambiguous"
    )
    with pytest.raises(decisions.ReviewError, match="cannot become accepted"):
        decisions.question_decide(
            question=question, reviewer=reviewer, kind="accept", seen_version=1
        )
    decisions.question_decide(question=question, reviewer=curator, kind="accept", seen_version=1)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED


def test_an_edit_writes_a_revision_and_keeps_imports_away(
    questions: list[Question], reviewer: Any, write_items: Callable[..., Path]
) -> None:
    question = questions[0]
    options = {o.letter: o.text for o in question.options.all()}
    options["C"] = "A corrected option C"
    edits.question_edit(
        question=question,
        editor=reviewer,
        seen_version=1,
        edit=edit_of(question, options=options, spans=[edits.SpanEdit(9.5, 12.0, "fixed")]),
    )
    question.refresh_from_db()
    assert question.options.get(letter="C").text == "A corrected option C"
    assert question.spans_edited
    assert list(question.spans.values_list("start", "end", "note", "origin")) == [
        (9.5, 12.0, "fixed", "expert")
    ]
    latest = question.revisions.order_by("-number").first()
    assert latest is not None and latest.author == reviewer
    assert set(latest.changed_fields) >= {"options", "spans", "version"}
    assert question.content_hash == content_hash(question_content(question))
    # A re-import of the original text may not overwrite the expert's work.
    from django.core.management.base import CommandError

    original = make_item(
        video_id="10",
        question="First at 00:10?",
        discipline="Biology",
        answer="E",
        timestamp_breakdown=["00:10-00:12: first"],
    )
    with pytest.raises(CommandError):
        call_command("import_questions", str(write_items([original])))


def test_a_stale_save_is_refused_and_the_first_save_kept(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    question = questions[0]
    first = edit_of(question, rationale="Curator's better rationale.")
    second = edit_of(question, answer="J")
    edits.question_edit(question=question, editor=curator, seen_version=1, edit=first)
    revisions_before = Revision.objects.count()
    with pytest.raises(decisions.StaleVersion) as conflict:
        edits.question_edit(question=question, editor=reviewer, seen_version=1, edit=second)
    assert "changed by cora" in str(conflict.value)
    assert "rationale" in conflict.value.changed
    question.refresh_from_db()
    assert question.rationale == "Curator's better rationale."
    assert question.answer == "D"
    assert Revision.objects.count() == revisions_before
    # Re-applied on the current version, the second edit goes through.
    edits.question_edit(
        question=question, editor=reviewer, seen_version=2, edit=edit_of(question, answer="J")
    )
    question.refresh_from_db()
    assert (question.answer, question.rationale) == ("J", "Curator's better rationale.")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"text": "   "}, "text", "empty"),
        ({"options": {**{k: f"o{k}" for k in "ABCDEFGHIJ"}, "C": ""}}, "option_C", "empty"),
        ({"options": {**{k: f"o{k}" for k in "ABCDEFGHIJ"}, "F": "oA"}}, "option_F", "repeats"),
        ({"answer": "Z"}, "answer", "key"),
        ({"question_type": "Causal"}, "question_type", "three"),
        ({"spans": [edits.SpanEdit(5, 4)]}, "span_1", "end at or after"),
        ({"spans": [edits.SpanEdit(9, 400)]}, "span_1", "after the end of the video"),
        ({"text": "What happens at 01:30?"}, "text", "matches no evidence span"),
    ],
)
def test_an_invalid_edit_names_the_field_and_changes_nothing(
    questions: list[Question], reviewer: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    question = questions[0]
    before = (question_content(question), question.version, Revision.objects.count())
    with pytest.raises(decisions.EditInvalid) as exc:
        edits.question_edit(
            question=question, editor=reviewer, seen_version=1, edit=edit_of(question, **changes)
        )
    assert message in exc.value.errors[field]
    question.refresh_from_db()
    assert (question_content(question), question.version, Revision.objects.count()) == before


def test_the_queue_skips_what_the_reviewer_decided(
    questions: list[Question], reviewer: Any
) -> None:
    first, second, third = questions
    assert next_in_queue(reviewer) == first
    assert next_in_queue(reviewer, after=first) == second
    decisions.question_decide(question=second, reviewer=reviewer, kind="unsure", seen_version=1)
    assert next_in_queue(reviewer, after=first) == third
    assert next_in_queue(reviewer, after=third) == first


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_plain_post_decides_and_redirects_to_the_next_item(
    questions: list[Question], reviewer: Any
) -> None:
    first, second, _ = questions
    response = client_for(reviewer).post(
        f"/questions/{first.uid}/decide", {"kind": "accept", "version": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/questions/{second.uid}/"
    first.refresh_from_db()
    assert first.status == QuestionStatus.ACCEPTED


def test_an_htmx_post_returns_the_next_item_in_place(
    questions: list[Question], reviewer: Any
) -> None:
    first, second, _ = questions
    response = client_for(reviewer).post(
        f"/questions/{first.uid}/decide",
        {"kind": "reject", "reason": "not_grounded", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"/questions/{second.uid}/"
    body = response.content.decode()
    # The tab's title comes first (htmx puts it on the tab), then the review part.
    title, review = body.split("</title>")
    assert title.strip() == f"<title>{second.video.video_id} · {second.uid} · sciannot"
    assert review.lstrip().startswith('<div id="review"')
    assert second.uid in body and "Reject: question" in body


def test_a_stale_decision_is_a_409_with_the_reason(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    first = questions[0]
    edits.question_edit(
        question=first, editor=curator, seen_version=1, edit=edit_of(first, answer="A")
    )
    response = client_for(reviewer).post(
        f"/questions/{first.uid}/decide", {"kind": "accept", "version": 1}
    )
    assert response.status_code == 409
    assert "was changed by cora" in response.content.decode()
    first.refresh_from_db()
    assert first.status == QuestionStatus.DRAFT


def test_only_reviewers_of_the_field_may_decide(
    questions: list[Question], outsider: Any, evaluator: Any
) -> None:
    url = f"/questions/{questions[0].uid}/decide"
    assert client_for(outsider).post(url, {"kind": "accept", "version": 1}).status_code == 404
    assert client_for(evaluator).post(url, {"kind": "accept", "version": 1}).status_code == 403
    assert Client().post(url, {"kind": "accept", "version": 1}).status_code == 302
    assert not Decision.objects.exists()


def test_the_edit_form_saves_and_reports_field_errors(
    questions: list[Question], reviewer: Any
) -> None:
    question = questions[0]
    client = client_for(reviewer)
    form = client.get(f"/questions/{question.uid}/edit").content.decode()
    assert 'data-testid="save"' in form and 'name="option_J"' in form
    data = {
        "version": 1,
        "text": question.text,
        "answer": "D",
        "question_type": question.question_type,
        "subject": "",
        "rationale": "",
        "span_start": ["00:10", ""],
        "span_end": ["00:12", ""],
        "span_note": ["first", ""],
        **{f"option_{o.letter}": o.text for o in question.options.all()},
        "option_B": "",
    }
    bad = client.post(f"/questions/{question.uid}/edit", data)
    assert bad.status_code == 400
    assert "Option B is empty." in bad.content.decode()
    data["option_B"] = "A new option B"
    good = client.post(f"/questions/{question.uid}/edit", data)
    assert good.status_code == 302 and good["Location"] == f"/questions/{question.uid}/"
    assert "Saved version 2." in client.get(good["Location"]).content.decode()
    question.refresh_from_db()
    assert question.version == 2
    assert question.options.get(letter="B").text == "A new option B"
    assert list(question.spans.values_list("start", "end")) == [(10.0, 12.0)]


def test_a_stale_edit_is_rebased_onto_the_current_version(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    question = questions[0]
    loaded = edit_of(question)
    edits.question_edit(
        question=question,
        editor=curator,
        seen_version=1,
        edit=edit_of(question, rationale="Curator's rationale", subject="Curated"),
    )
    question.refresh_from_db()
    mine = edit_of(question)
    mine.rationale = loaded.rationale  # the reviewer never touched it
    mine.subject = "Reviewer's subject"  # both changed it
    mine.answer = "H"  # only the reviewer changed it
    rebased, conflicts = edits.rebase_edit(question, 1, mine)
    assert rebased.rationale == "Curator's rationale"
    assert rebased.answer == "H"
    assert rebased.subject == "Reviewer's subject"
    assert conflicts == ["subject"]


def test_two_reviewers_taking_items_never_get_the_same_one(
    questions: list[Question], reviewer: Any, colleague: Any
) -> None:
    mine = queue.queue_take(reviewer)
    theirs = queue.queue_take(colleague)
    assert mine is not None and theirs is not None and mine != theirs
    # A held item is no one else's to claim.
    assert not queue.question_claim(question=mine, user=colleague)
    mine.refresh_from_db()
    assert mine.locked_by == reviewer


def test_an_abandoned_hold_expires(questions: list[Question], reviewer: Any, curator: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    first = questions[0]
    assert queue.question_claim(question=first, user=reviewer)
    assert next_in_queue(curator) != first
    Question.objects.filter(pk=first.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert next_in_queue(curator) == first
    assert queue.question_claim(question=first, user=curator)


def test_deciding_releases_the_hold(questions: list[Question], reviewer: Any) -> None:
    first = queue.queue_take(reviewer)
    assert first is not None
    decisions.question_decide(question=first, reviewer=reviewer, kind="unsure", seen_version=1)
    first.refresh_from_db()
    assert first.locked_by is None and first.locked_until is None


def test_start_reviewing_takes_the_first_free_item(
    questions: list[Question], reviewer: Any
) -> None:
    client = client_for(reviewer)
    page = client.get("/questions/").content.decode()
    assert "Draft <strong>3</strong>" in page
    response = client.get("/questions/next/")
    assert response["Location"] == f"/questions/{questions[0].uid}/"
    questions[0].refresh_from_db()
    assert questions[0].locked_by == reviewer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_takes_and_saves_on_postgresql(
    benchmark: Any, write_items: Callable[..., Path], curator: Any
) -> None:
    import threading

    from django.db import connection

    from sciannot.accounts.models import User

    items = [
        make_item(
            video_id="20", question=f"Q{n} at 00:10?", discipline="Biology", timestamp_breakdown=[]
        )
        for n in range(4)
    ]
    call_command("import_questions", str(write_items(items)))
    reviewers = []
    for name in ("r1", "r2", "r3", "r4"):
        user = User.objects.create_user(name, password="x", role="reviewer")
        user.disciplines = ["Biology"]
        user.save()
        reviewers.append(user)
    barrier = threading.Barrier(len(reviewers))
    taken: dict[str, int | None] = {}

    def take(user: Any) -> None:
        barrier.wait()
        got = queue.queue_take(user)
        taken[user.username] = got.pk if got else None
        connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert None not in taken.values()
    assert len(set(taken.values())) == len(reviewers)

    # Two experts save the same question at the same moment: one wins, nothing is lost.
    question = Question.objects.get(text="Q0 at 00:10?")
    outcomes: list[str] = []
    save_barrier = threading.Barrier(2)

    def save(user: Any, answer: str) -> None:
        save_barrier.wait()
        try:
            edits.question_edit(
                question=question,
                editor=user,
                seen_version=1,
                edit=edit_of(question, answer=answer),
            )
            outcomes.append(f"saved {answer}")
        except decisions.StaleVersion:
            outcomes.append(f"stale {answer}")
        finally:
            connection.close()

    pair = [
        threading.Thread(target=save, args=(reviewers[0], "A")),
        threading.Thread(target=save, args=(reviewers[1], "B")),
    ]
    for thread in pair:
        thread.start()
    for thread in pair:
        thread.join()
    assert sorted(o.split()[0] for o in outcomes) == ["saved", "stale"]
    winner = next(o.split()[1] for o in outcomes if o.startswith("saved"))
    question.refresh_from_db()
    assert question.version == 2 and question.answer == winner
    assert question.revisions.filter(reason="edited").count() == 1


def test_the_history_shows_what_changed_and_restores_an_old_version(
    questions: list[Question], reviewer: Any
) -> None:
    question = questions[0]
    edits.question_edit(
        question=question,
        editor=reviewer,
        seen_version=1,
        edit=edit_of(question, answer="G", rationale="Rewritten."),
    )
    client = client_for(reviewer)
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert '<th>answer</th><td class="del">D</td><td class="ins">G</td>' in page
    assert 'data-testid="restore-1"' in page

    response = client.post(f"/questions/{question.uid}/restore/1", {"version": 2})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.version) == ("D", 3)
    latest = question.revisions.order_by("-number").first()
    assert latest is not None and latest.reason == "restored r1" and latest.number == 3
    # Restoring is itself a revision: all three remain.
    assert list(question.revisions.values_list("number", flat=True).order_by("number")) == [1, 2, 3]
    stale = client.post(f"/questions/{question.uid}/restore/2", {"version": 2})
    assert stale.status_code == 409


def test_span_times_round_trip_through_the_edit_form() -> None:
    from reviews.templatetags.review_tags import mmss_exact

    assert mmss_exact(66.0) == "01:06"
    assert mmss_exact(66.25) == "01:06.250"
    assert edits._seconds(mmss_exact(66.25)) == 66.25
    assert edits._seconds("75") == 75.0 and edits._seconds("junk") == -1.0


def test_a_comment_can_be_anchored_to_a_video_time(
    questions: list[Question], reviewer: Any
) -> None:
    question = questions[0]
    client = client_for(reviewer)
    bad = client.post(f"/questions/{question.uid}/comment", {"text": "late", "at": "09:59"})
    assert bad.status_code == 400
    assert "is not a time inside the video" in bad.content.decode()
    assert client.post(f"/questions/{question.uid}/comment", {"text": " "}).status_code == 400
    ok = client.post(
        f"/questions/{question.uid}/comment", {"text": "The lid opens here", "at": "00:12"}
    )
    assert ok.status_code == 302
    comment = question.comments.get()
    assert (comment.text, comment.at_seconds, comment.author) == (
        "The lid opens here",
        12.0,
        reviewer,
    )
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert 'data-seek="12.0">00:12</a> <strong>bea</strong>: The lid opens here' in page


def test_a_reviewer_sees_other_decisions_only_after_deciding(
    questions: list[Question], reviewer: Any, curator: Any, colleague: Any
) -> None:
    Benchmark.objects.update(required_accepts=2)
    question = questions[0]
    decisions.question_decide(
        question=question,
        reviewer=colleague,
        kind="reject",
        seen_version=1,
        reason="ambiguous",
        comment="Two readings of 'after'",
    )
    edits.question_edit(  # a curator reopens the item by editing it
        question=question, editor=curator, seen_version=1, edit=edit_of(question, answer="B")
    )
    page = client_for(reviewer).get(f"/questions/{question.uid}/").content.decode()
    assert "Two readings" not in page and "show once you have decided" in page
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=2)
    page = client_for(reviewer).get(f"/questions/{question.uid}/").content.decode()
    assert "Two readings of &#x27;after&#x27;" in page
    assert "Two readings" in client_for(curator).get(f"/questions/{question.uid}/").content.decode()


def test_an_edit_sends_a_rejected_item_back_to_review(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    question = questions[0]
    decisions.question_decide(
        question=question, reviewer=reviewer, kind="reject", seen_version=1, reason="wrong_answer"
    )
    edits.question_edit(
        question=question, editor=curator, seen_version=1, edit=edit_of(question, answer="C")
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW
    # ...and it is back in the reviewer's queue, since its content is new.
    assert next_in_queue(reviewer) == question


def test_a_disagreement_goes_to_the_curator_for_adjudication(
    questions: list[Question], reviewer: Any, curator: Any, colleague: Any
) -> None:
    Benchmark.objects.update(required_accepts=2)
    question = questions[0]
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    decisions.question_decide(
        question=question,
        reviewer=colleague,
        kind="reject",
        seen_version=1,
        reason="multiple_correct",
        comment="B is right too",
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.ADJUDICATION
    # Reviewers can neither move it nor find it in their queue; repeating the accept they
    # gave is a no-op.
    with pytest.raises(decisions.ReviewError):
        decisions.question_decide(
            question=question, reviewer=reviewer, kind="unsure", seen_version=1
        )
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ADJUDICATION
    assert question not in [next_in_queue(reviewer), next_in_queue(colleague)]

    assert client_for(reviewer).get("/questions/adjudication/").status_code == 403
    page = client_for(curator).get("/questions/adjudication/").content.decode()
    assert f'data-testid="adjudicate-{question.uid}"' in page
    assert "B is right too" in page and "bea</strong> · Accept" in page
    # No player there: the cited times (text and spans) are plain text, not seek links.
    assert "First at 00:10?" in page and 'data-testid="span-time">00:10–00:12' in page
    assert "data-seek" not in page and 'href="#t=' not in page

    decisions.question_decide(
        question=question,
        reviewer=curator,
        kind="reject",
        seen_version=1,
        reason="multiple_correct",
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.REJECTED
    assert (
        "No disagreements" in client_for(curator).get("/questions/adjudication/").content.decode()
    )


def test_a_curator_rejects_and_releases_many_questions_at_once(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    first, second, third = questions
    queue.question_claim(question=third, user=reviewer)
    client = client_for(curator)
    page = client.get("/questions/").content.decode()
    assert 'data-testid="bulk-form"' in page

    missing_reason = client.post(
        "/questions/bulk/", {"uid": [first.uid, second.uid], "action": "reject"}, follow=True
    )
    assert "Choose why the question is rejected." in missing_reason.content.decode()
    assert Question.objects.filter(status=QuestionStatus.REJECTED).count() == 0

    done = client.post(
        "/questions/bulk/",
        {
            "uid": [first.uid, second.uid],
            "action": "reject",
            "reason": "duplicate",
            "next": "/questions/?status=draft",
        },
    )
    assert done["Location"] == "/questions/?status=draft"
    assert set(Question.objects.filter(status=QuestionStatus.REJECTED)) == {first, second}
    assert first.revisions.order_by("-number").first().author == curator

    client.post("/questions/bulk/", {"uid": [third.uid], "action": "reset_holds"})
    third.refresh_from_db()
    assert third.locked_by is None


def test_only_curators_act_in_bulk(questions: list[Question], reviewer: Any) -> None:
    response = client_for(reviewer).post(
        "/questions/bulk/", {"uid": [questions[0].uid], "action": "send_back"}
    )
    assert response.status_code == 403
    assert 'data-testid="bulk-form"' not in client_for(reviewer).get("/questions/").content.decode()
    questions[0].refresh_from_db()
    assert questions[0].status == QuestionStatus.DRAFT


def test_the_dashboard_counts_states_and_times_decisions(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    taken = queue.queue_take(reviewer)
    assert taken is not None
    decisions.question_decide(question=taken, reviewer=reviewer, kind="accept", seen_version=1)
    decisions.question_decide(
        question=questions[1],
        reviewer=reviewer,
        kind="reject",
        seen_version=1,
        reason="other",
        comment="unclear",
    )
    page = client_for(curator).get("/questions/dashboard/").content.decode()
    assert 'data-testid="bars-category"' in page and "<rect" in page
    assert "Biology · Accepted: 1</title>" in page
    assert "Biology · Draft: 1</title>" in page
    assert "Biology · Rejected: 1</title>" in page
    decision = Decision.objects.get(kind="accept")
    assert decision.seconds_spent is not None and decision.seconds_spent >= 0
    assert "<td>bea</td><td>2</td><td>2</td><td>1</td><td>1</td><td>0 s</td>" in page
    assert client_for(reviewer).get("/questions/dashboard/").status_code == 403


def test_solve_first_hides_the_key_until_the_reviewer_answers(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    Benchmark.objects.update(solve_first=True)
    question = questions[0]  # key D
    client = client_for(reviewer)
    page = client.get(f"/questions/{question.uid}/").content.decode()
    assert 'data-testid="solve-form"' in page
    assert "✓ key" not in page and 'data-testid="accept"' not in page
    assert "Rationale" not in page and "first</button>" not in page  # span notes hidden
    with pytest.raises(decisions.ReviewError, match="answer the question yourself"):
        decisions.question_decide(
            question=question, reviewer=reviewer, kind="accept", seen_version=1
        )

    answered = client.post(f"/questions/{question.uid}/solve", {"letter": "B"}, follow=True)
    body = answered.content.decode()
    assert "You answered B; the key is D. The item is flagged." in body
    assert 'data-testid="key-mark"' in body and 'data-testid="accept"' in body
    question.refresh_from_db()
    assert question.flags[0]["kind"] == "blind_answer_differs"
    assert "bea answered B" in question.flags[0]["detail"]
    # Curators adjudicate: they always see the key.
    assert "✓ key" in client_for(curator).get(f"/questions/{question.uid}/").content.decode()
    decisions.question_decide(
        question=question, reviewer=reviewer, kind="reject", seen_version=1, reason="wrong_answer"
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.REJECTED


def test_a_right_blind_answer_raises_no_flag(questions: list[Question], reviewer: Any) -> None:
    Benchmark.objects.update(solve_first=True)
    solve = decisions.question_solve(question=questions[0], reviewer=reviewer, letter="d")
    assert solve.correct and solve.letter == "D"
    questions[0].refresh_from_db()
    assert questions[0].flags == []


def test_a_curator_assigns_items_to_one_reviewer(
    questions: list[Question], reviewer: Any, curator: Any, outsider: Any, colleague: Any
) -> None:
    first, second, third = questions
    client = client_for(curator)
    refused = client.post(
        "/questions/bulk/",
        {"uid": [third.uid], "action": "assign", "assignee": outsider.pk},
        follow=True,
    )
    assert "outside phil&#x27;s disciplines" in refused.content.decode()
    client.post(
        "/questions/bulk/", {"uid": [third.uid], "action": "assign", "assignee": colleague.pk}
    )
    third.refresh_from_db()
    assert third.assigned_to == colleague
    # The assignee gets it first; nobody else gets it at all.
    assert next_in_queue(colleague) == third
    assert third not in [
        next_in_queue(reviewer),
        next_in_queue(reviewer, after=first),
        next_in_queue(reviewer, after=second),
    ]
    assert "→ bo" in client.get("/questions/").content.decode()
    client.post("/questions/bulk/", {"uid": [third.uid], "action": "unassign"})
    third.refresh_from_db()
    assert third.assigned_to is None
    assert next_in_queue(reviewer, after=second) == third


def test_the_queue_list_filters_by_video_and_flag(questions: list[Question], reviewer: Any) -> None:
    Question.objects.filter(pk=questions[2].pk).update(
        flags=[{"kind": "blind_answer_differs", "detail": "x", "version": 1}]
    )
    client = client_for(reviewer)
    by_video = client.get("/questions/?video=11").content.decode()
    assert "Third at 00:30?" in by_video and "First at 00:10?" not in by_video
    flagged = client.get("/questions/?flagged=1").content.decode()
    assert "Third at 00:30?" in flagged and "Second at 00:20?" not in flagged
    page = client.get(f"/questions/{questions[0].uid}/").content.decode()
    assert 'data-testid="provenance">Imported · imported from' in page


def test_a_curator_reopens_a_rejected_question_for_a_fresh_review(
    questions: list[Question], reviewer: Any, curator: Any
) -> None:
    question = questions[0]
    decisions.question_decide(
        question=question, reviewer=reviewer, kind="reject", seen_version=1, reason="ambiguous"
    )
    rejection = decisions.rejection_shown(question)
    assert rejection is not None and (rejection.reviewer, rejection.reason) == (
        reviewer,
        "ambiguous",
    )
    with pytest.raises(decisions.ReviewError, match="only a curator"):
        decisions.question_reopen(question=question, curator=reviewer, seen_version=1)
    with pytest.raises(decisions.StaleVersion):
        decisions.question_reopen(question=question, curator=curator, seen_version=0)

    decisions.question_reopen(question=question, curator=curator, seen_version=1)
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW
    assert (question.version, question.judged_version) == (2, 2)
    revision = question.revisions.order_by("-number").first()
    assert revision is not None and revision.reason == "reopened"
    assert revision.author == curator and revision.changed_fields == ["status", "version"]
    # The rejection no longer counts: the reviewer judges the item afresh, and may accept it.
    assert decisions.rejection_shown(question) is None
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=2)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED
    with pytest.raises(decisions.ReviewError, match="only a rejected question"):
        decisions.question_reopen(question=question, curator=curator, seen_version=2)


def test_a_rejected_item_shows_its_state_instead_of_the_decision_buttons(
    questions: list[Question], reviewer: Any, curator: Any, colleague: Any
) -> None:
    question = questions[0]
    decisions.question_decide(
        question=question,
        reviewer=reviewer,
        kind="reject",
        seen_version=1,
        reason="ambiguous",
        comment="B and C both fit",
    )
    url = f"/questions/{question.uid}/"
    for user in (reviewer, colleague, curator):
        page = client_for(user).get(url).content.decode()
        state = page.split('data-testid="rejected-state"')[1].split("</section>")[0]
        assert "Rejected" in state and "by bea · Ambiguous" in state
        # The comment shows to those who may see others' decisions: not yet to a colleague.
        assert ("B and C both fit" in state) is (user != colleague)
        assert 'data-testid="accept"' not in page and 'data-testid="reject"' not in page
        assert "needed</dd>" not in page
        assert f"<title>{question.video.video_id} · {question.uid} · rejected · sciannot" in page
    assert 'data-testid="reopen"' not in client_for(reviewer).get(url).content.decode()
    assert 'data-testid="reopen"' in client_for(curator).get(url).content.decode()

    assert client_for(reviewer).post(f"{url}reopen", {"version": 1}).status_code == 403
    client = client_for(curator)
    response = client.post(f"{url}reopen", {"version": 1})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "Reopened: question" in page and 'data-testid="accept"' in page
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW
    # Through htmx the review part comes back in place; a second reopen is refused.
    again = client_for(curator).post(
        f"{url}reopen", {"version": question.version}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 200
    assert "only a rejected question can be reopened" in again.content.decode()
