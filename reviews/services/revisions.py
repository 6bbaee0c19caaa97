"""Snapshots of a question and the append-only revisions that record every change."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from reviews.models import Question, Revision
from sciannot.accounts.models import User

SNAPSHOT_FIELDS = (
    "question_id",
    "question",
    "options",
    "answer",
    "question_type",
    "discipline",
    "category",
    "subject",
    "rationale",
    "timestamp_breakdown",
    "spans",
    "status",
    "version",
)


def question_content(question: Question) -> dict[str, Any]:
    """Everything an expert can change about a question, in the import's field names."""
    return {
        "question_id": question.question_id,
        "question": question.text,
        "options": {option.letter: option.text for option in question.options.all()},
        "answer": question.answer,
        "question_type": question.question_type,
        "discipline": question.discipline,
        "category": question.category,
        "subject": question.subject,
        "rationale": question.rationale,
        "timestamp_breakdown": list(question.timestamp_breakdown),
        "spans": [
            {"start": span.start, "end": span.end, "note": span.note, "origin": span.origin}
            for span in question.spans.all()
        ],
    }


def snapshot_from_content(content: dict[str, Any], *, status: str, version: int) -> dict[str, Any]:
    return {**content, "status": status, "version": version}


def question_snapshot(question: Question) -> dict[str, Any]:
    return snapshot_from_content(
        question_content(question), status=question.status, version=question.version
    )


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    if before is None:
        return sorted(after)
    return sorted(key for key in after if before.get(key) != after.get(key))


def revision_write(
    *,
    question: Question,
    author: User | None,
    reason: str,
    before: dict[str, Any] | None = None,
) -> Revision:
    """Append a revision with the question's current state. Call inside the saving transaction."""
    snapshot = question_snapshot(question)
    last = question.revisions.aggregate(last=Max("number"))["last"] or 0
    return Revision.objects.create(
        question=question,
        number=last + 1,
        author=author,
        reason=reason[:200],
        snapshot=snapshot,
        changed_fields=changed_fields(before, snapshot),
    )
