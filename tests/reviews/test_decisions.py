"""What a decision records: one per reviewer and version, changes of mind, the transition
table, and when experts really disagree."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from reviews.models import Decision, Question, QuestionStatus, Revision
from reviews.services import decisions, edits
from sciannot.accounts.models import User
from tests.factories import make_item
from videos.models import Benchmark

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(benchmark: Any, write_items: Callable[..., Path]) -> Question:
    items = [make_item(video_id="10", question="First at 00:10?", discipline="Biology")]
    call_command("import_questions", str(write_items(items)))
    return Question.objects.get()


def biologist(name: str) -> User:
    user = User.objects.create_user(name, password="x", role="reviewer")
    user.disciplines = ["Biology"]
    user.save()
    return user


def decision_revisions(question: Question) -> list[str]:
    return [
        reason
        for reason in question.revisions.order_by("number").values_list("reason", flat=True)
        if decisions.revision_is_decision(reason)
    ]


def test_a_repeated_decision_is_a_no_op(question: Question, reviewer: Any) -> None:
    Benchmark.objects.update(required_accepts=2)
    first = decisions.question_decide(
        question=question, reviewer=reviewer, kind="accept", seen_version=1
    )
    revisions = Revision.objects.count()
    again = decisions.question_decide(
        question=question, reviewer=reviewer, kind="accept", seen_version=1
    )
    assert again.pk == first.pk
    assert Decision.objects.count() == 1
    assert Revision.objects.count() == revisions
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW


def test_a_different_decision_replaces_the_earlier_one_as_a_change_of_mind(
    question: Question, reviewer: Any
) -> None:
    Benchmark.objects.update(required_accepts=1)
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED
    # Withdrawing the only accept into "unsure" takes the item back to review.
    decisions.question_decide(question=question, reviewer=reviewer, kind="unsure", seen_version=1)
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW
    decision = Decision.objects.get()
    assert decision.kind == "unsure"
    assert decision_revisions(question) == ["accept", "changed decision: accept → unsure"]


def test_one_reviewer_changing_their_mind_is_not_a_disagreement(
    question: Question, reviewer: Any
) -> None:
    Benchmark.objects.update(required_accepts=2)
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    decisions.question_decide(
        question=question, reviewer=reviewer, kind="needs_revision", seen_version=1
    )
    question.refresh_from_db()
    assert not decisions.experts_disagree(question)
    assert question.status == QuestionStatus.NEEDS_REVISION
    assert decisions.accepts_at_current_version(question) == 0


def test_one_reviewer_on_two_letterings_of_the_same_content_counts_once(
    question: Question, reviewer: Any
) -> None:
    """Re-lettering raises the version but not the judged version: the same reviewer's
    accept on v1 and send-back on v2 are their latest view, not a split between two."""
    Benchmark.objects.update(required_accepts=2)
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    Question.objects.filter(pk=question.pk).update(version=2)
    question.refresh_from_db()
    decisions.question_decide(
        question=question, reviewer=reviewer, kind="needs_revision", seen_version=2
    )
    question.refresh_from_db()
    assert not decisions.experts_disagree(question)
    assert question.status == QuestionStatus.NEEDS_REVISION


def test_two_reviewers_who_split_send_the_item_to_adjudication(
    question: Question, reviewer: Any
) -> None:
    Benchmark.objects.update(required_accepts=2)
    decisions.question_decide(question=question, reviewer=reviewer, kind="accept", seen_version=1)
    decisions.question_decide(
        question=question, reviewer=biologist("bo"), kind="needs_revision", seen_version=1
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.ADJUDICATION


def test_the_database_allows_one_decision_per_reviewer_and_version(
    question: Question, reviewer: Any
) -> None:
    Decision.objects.create(question=question, reviewer=reviewer, kind="accept", question_version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            question=question, reviewer=reviewer, kind="unsure", question_version=1
        )


# --- The transition table ---------------------------------------------------------------------

DECISIONS = {
    "accept": {},
    "reject": {"reason": "ambiguous"},
    "needs_revision": {},
    "unsure": {},
}

# What one reviewer's decision (the only one on the item) does to each status; None: refused
# with nothing changed. One accept is required.
EXPECTED = {
    QuestionStatus.DRAFT: {
        "accept": QuestionStatus.ACCEPTED,
        "reject": QuestionStatus.REJECTED,
        "needs_revision": QuestionStatus.NEEDS_REVISION,
        "unsure": QuestionStatus.IN_REVIEW,
    },
    QuestionStatus.IN_REVIEW: {
        "accept": QuestionStatus.ACCEPTED,
        "reject": QuestionStatus.REJECTED,
        "needs_revision": QuestionStatus.NEEDS_REVISION,
        "unsure": QuestionStatus.IN_REVIEW,
    },
    QuestionStatus.NEEDS_REVISION: {
        "accept": QuestionStatus.ACCEPTED,
        "reject": QuestionStatus.REJECTED,
        "needs_revision": QuestionStatus.NEEDS_REVISION,
        # Unsure asks for a second opinion; it does not undo a send-back.
        "unsure": QuestionStatus.NEEDS_REVISION,
    },
    QuestionStatus.ACCEPTED: {
        "accept": QuestionStatus.ACCEPTED,
        "reject": QuestionStatus.REJECTED,
        "needs_revision": QuestionStatus.NEEDS_REVISION,
        # An item accepted on import is not reopened by someone's doubt.
        "unsure": QuestionStatus.ACCEPTED,
    },
    QuestionStatus.REJECTED: {
        "accept": None,
        # Agreeing with the rejection is allowed and changes nothing.
        "reject": QuestionStatus.REJECTED,
        "needs_revision": None,
        "unsure": QuestionStatus.REJECTED,
    },
    QuestionStatus.ADJUDICATION: {
        "accept": None,
        "reject": None,
        "needs_revision": None,
        "unsure": None,
    },
}


@pytest.mark.parametrize(
    ("start", "kind"),
    [(start, kind) for start in EXPECTED for kind in DECISIONS],
)
def test_the_transition_table_for_a_reviewer(
    question: Question, reviewer: Any, start: str, kind: str
) -> None:
    Benchmark.objects.update(required_accepts=1)
    Question.objects.filter(pk=question.pk).update(status=start)
    question.refresh_from_db()
    expected = EXPECTED[start][kind]
    if expected is None:
        with pytest.raises(decisions.ReviewError, match="cannot become"):
            decisions.question_decide(
                question=question, reviewer=reviewer, kind=kind, seen_version=1, **DECISIONS[kind]
            )
        assert not Decision.objects.exists()
        assert question.revisions.count() == 1
    else:
        decisions.question_decide(
            question=question, reviewer=reviewer, kind=kind, seen_version=1, **DECISIONS[kind]
        )
    question.refresh_from_db()
    assert question.status == (expected or start)


@pytest.mark.parametrize("kind", list(DECISIONS))
def test_a_curator_may_move_a_rejected_or_adjudicated_item(
    question: Question, curator: Any, kind: str
) -> None:
    Benchmark.objects.update(required_accepts=1)
    for start in (QuestionStatus.REJECTED, QuestionStatus.ADJUDICATION):
        Question.objects.filter(pk=question.pk).update(status=start)
        question.refresh_from_db()
        decisions.question_decide(
            question=question,
            reviewer=curator,
            kind=kind,
            seen_version=1,
            comment=start,  # a new decision each round, not a repeat
            **DECISIONS[kind],
        )
        question.refresh_from_db()
        if kind == "accept":
            assert question.status == QuestionStatus.ACCEPTED


def test_the_table_has_every_status_and_keeps_rejected_items_for_curators() -> None:
    assert set(decisions.ALLOWED_TRANSITIONS) == set(QuestionStatus.values)
    assert decisions.ALLOWED_TRANSITIONS[QuestionStatus.REJECTED] == {QuestionStatus.REJECTED}
    assert not decisions.ALLOWED_TRANSITIONS[QuestionStatus.ADJUDICATION]
    for targets in decisions.ALLOWED_TRANSITIONS.values():
        assert QuestionStatus.DRAFT not in targets


def test_unsure_and_send_back_on_a_rejected_item_over_http_change_nothing(
    question: Question, reviewer: Any
) -> None:
    decisions.question_decide(
        question=question,
        reviewer=biologist("bo"),
        kind="reject",
        seen_version=1,
        reason="other",
        comment="wrong",
    )
    client = Client()
    client.force_login(reviewer)
    unsure = client.post(f"/questions/{question.uid}/decide", {"kind": "unsure", "version": 1})
    assert unsure.status_code == 302
    back = client.post(
        f"/questions/{question.uid}/decide",
        {"kind": "needs_revision", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert back.status_code == 200  # htmx swaps the page in place with the error
    assert "only a curator or an edit brings it back" in back.content.decode()
    question.refresh_from_db()
    assert question.status == QuestionStatus.REJECTED


def test_an_edit_still_sends_a_rejected_item_back_to_review(
    question: Question, reviewer: Any
) -> None:
    """The user guide promises it: an edit answers a rejection."""
    decisions.question_decide(
        question=question, reviewer=reviewer, kind="reject", seen_version=1, reason="ambiguous"
    )
    edit = edits.edit_from_question(question)
    edit.rationale = "Clearer now."
    edits.question_edit(question=question, editor=reviewer, seen_version=1, edit=edit)
    question.refresh_from_db()
    assert question.status == QuestionStatus.IN_REVIEW


# --- Concurrency and the data migration --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_accepts_make_one_decision(
    benchmark: Any, write_items: Callable[..., Path], curator: Any
) -> None:
    Benchmark.objects.update(required_accepts=2)
    call_command(
        "import_questions",
        str(write_items([make_item(video_id="10", question="Q at 00:10?", discipline="Biology")])),
    )
    target = Question.objects.get()
    reviewer = biologist("racer")
    attempts = 6
    barrier = threading.Barrier(attempts)
    statuses: list[int] = []

    def post() -> None:
        client = Client()
        client.force_login(reviewer)
        try:
            barrier.wait()
            response = client.post(
                f"/questions/{target.uid}/decide", {"kind": "accept", "version": 1}
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * attempts
    assert Decision.objects.filter(question=target).count() == 1
    assert decision_revisions(target) == ["accept"]
    target.refresh_from_db()
    assert target.status == QuestionStatus.IN_REVIEW

    dashboard = Client()
    dashboard.force_login(curator)
    page = dashboard.get("/questions/dashboard/").content.decode()
    assert "<td>racer</td><td>1</td><td>1</td><td>1</td><td>0</td>" in page


@pytest.mark.postgres
def test_the_migration_keeps_the_latest_of_duplicate_decisions(
    question: Question, reviewer: Any, curator: Any
) -> None:
    from django.apps import apps

    migration = importlib.import_module("reviews.migrations.0012_decision_collapse_duplicates")
    constraint = next(
        c for c in Decision._meta.constraints if c.name == "decision_once_per_version"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Decision, constraint)
    try:
        for kind in ("accept", "accept", "reject"):
            Decision.objects.create(
                question=question,
                reviewer=reviewer,
                kind=kind,
                reason="ambiguous" if kind == "reject" else "",
                question_version=1,
            )
        Decision.objects.create(
            question=question, reviewer=curator, kind="accept", question_version=1
        )
        Decision.objects.create(
            question=question, reviewer=reviewer, kind="accept", question_version=2
        )
        with connection.schema_editor() as editor:
            migration.keep_latest(apps, editor)
    finally:
        with connection.cursor() as cursor:
            # Run the deferred foreign-key checks now: PostgreSQL alters no table with
            # pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with connection.schema_editor() as editor:
            editor.add_constraint(Decision, constraint)
    kept = sorted(Decision.objects.values_list("reviewer__username", "question_version", "kind"))
    assert kept == [("bea", 1, "reject"), ("bea", 2, "accept"), ("cora", 1, "accept")]
