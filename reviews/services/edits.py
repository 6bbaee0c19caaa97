"""Expert review: edits of a question, restores, their history, and comments.

Edits use optimistic locking: a save based on a version that is no longer current is refused
with what changed, never applied over someone else's work; `rebase_edit` re-applies it on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from reviews.models import (
    Comment,
    Question,
    QuestionStatus,
    QuestionType,
    SpanOrigin,
)
from reviews.services.decisions import EditInvalid, ReviewError, lock_question, must_solve_first
from reviews.services.item_format import content_hash, option_faults
from reviews.services.questions import question_set_options, question_set_spans
from reviews.services.revisions import question_content, question_snapshot, revision_write
from reviews.timeparse import (
    TimeExpressionError,
    find_times,
    format_timestamp,
    parse_timestamp,
)
from sciannot.accounts.models import User
from sciannot.inputs import check_length, finite_float
from sciannot.vocabulary import LETTERS


@dataclass
class SpanEdit:
    start: float
    end: float
    note: str = ""


@dataclass
class QuestionEdit:
    text: str
    options: dict[str, str]
    answer: str
    question_type: str
    subject: str = ""
    rationale: str = ""
    spans: list[SpanEdit] = field(default_factory=list)


def validate_edit(question: Question, edit: QuestionEdit) -> dict[str, str]:
    """Field errors of an edit; empty when it can be saved."""
    errors: dict[str, str] = {}
    if not edit.text.strip():
        errors["text"] = "The question text is empty."
    options = {letter: edit.options.get(letter, "") for letter in LETTERS}
    for letter, earlier in option_faults(options):
        errors[f"option_{letter}"] = (
            f"Option {letter} is empty."
            if earlier is None
            else f"Option {letter} repeats option {earlier}."
        )
    if edit.answer not in LETTERS:
        errors["answer"] = "Mark exactly one option as the key."
    if edit.question_type not in QuestionType.values:
        errors["question_type"] = "Choose one of the three question types."
    errors.update(_length_errors(edit))
    duration = question.video.duration
    for number, span in enumerate(edit.spans, start=1):
        if span.start < 0 or span.end < span.start:
            errors[f"span_{number}"] = f"Span {number} must end at or after its start."
        elif duration is not None and span.end > duration + 0.001:
            errors[f"span_{number}"] = (
                f"Span {number} ends at {format_timestamp(span.end)}, after the end of the "
                f"video ({format_timestamp(duration)})."
            )
    if "text" not in errors:
        try:
            refs = find_times(edit.text)
        except TimeExpressionError as exc:
            errors["text"] = str(exc)
        else:
            # A time written in the text must fall inside one of the evidence spans
            # (whole seconds, so one second of slack).
            for ref in refs:
                if not any(s.start - 1 <= ref.start and ref.end <= s.end + 1 for s in edit.spans):
                    errors["text"] = (
                        f"“{ref.text}” in the text matches no evidence span; add a span "
                        "or correct the time."
                    )
                    break
    return errors


def _length_errors(edit: QuestionEdit) -> dict[str, str]:
    """Field errors for texts longer than their limits (settings.TEXT_LIMITS)."""
    checks = [
        ("text", edit.text, "question", "The question"),
        ("subject", edit.subject, "name", "The subject"),
        ("rationale", edit.rationale, "rationale", "The rationale"),
        *(
            (f"option_{letter}", text, "option", f"Option {letter}")
            for letter, text in edit.options.items()
        ),
        *(
            (f"span_{number}", span.note, "note", f"The note of span {number}")
            for number, span in enumerate(edit.spans, start=1)
        ),
    ]
    errors = {}
    for name, value, kind, what in checks:
        message = check_length(value, kind=kind, what=what)
        if message:
            errors[name] = f"{message}."
    return errors


def question_edit(
    *,
    question: Question,
    editor: User,
    seen_version: int,
    edit: QuestionEdit,
    reason: str = "edited",
) -> Question:
    """Save an expert's edit as a new version; earlier accepts no longer count."""
    if must_solve_first(question, editor):
        # An edit (or a restore) sets the key: it comes after the blind answer.
        raise ReviewError("answer the question yourself before editing it")
    errors = validate_edit(question, edit)
    if errors:
        raise EditInvalid(errors)
    with transaction.atomic():
        locked = lock_question(question, seen_version)
        before = question_snapshot(locked)
        old_spans = before["spans"]
        locked.text = edit.text
        locked.answer = edit.answer
        locked.question_type = edit.question_type
        locked.subject = edit.subject.strip()
        locked.rationale = edit.rationale
        question_set_options(locked, {letter: edit.options[letter] for letter in LETTERS})
        new_spans = [(round(s.start, 3), round(s.end, 3), s.note.strip()) for s in edit.spans]
        if new_spans != [(s["start"], s["end"], s["note"]) for s in old_spans]:
            question_set_spans(locked, ((*span, SpanOrigin.EXPERT) for span in new_spans))
            locked.spans_edited = True
        after_content = question_content(locked)
        if after_content == {key: before[key] for key in after_content}:
            raise ReviewError("Nothing was changed.")
        locked.version += 1
        locked.judged_version = locked.version
        locked.expert_touched = True
        locked.content_hash = content_hash(after_content)
        # The next reviewer judges the edited question afresh: an edit answers a rejection
        # or a send-back, and earlier accepts were for other content.
        if locked.status in (
            QuestionStatus.ACCEPTED,
            QuestionStatus.REJECTED,
            QuestionStatus.NEEDS_REVISION,
        ):
            locked.status = QuestionStatus.IN_REVIEW
        locked.save()
        revision_write(question=locked, author=editor, reason=reason, before=before)
    question.refresh_from_db()
    return question


def edit_from_question(question: Question) -> QuestionEdit:
    """The question as it stands, as an edit to start from."""
    return QuestionEdit(
        text=question.text,
        options={option.letter: option.text for option in question.options.all()},
        answer=question.answer,
        question_type=question.question_type,
        subject=question.subject,
        rationale=question.rationale,
        spans=[SpanEdit(span.start, span.end, span.note) for span in question.spans.all()],
    )


def edit_from_post(data: Any, question: Question) -> QuestionEdit:
    """Build an edit from the review page's form fields."""
    spans: list[SpanEdit] = []
    starts = data.getlist("span_start")
    ends = data.getlist("span_end")
    notes = data.getlist("span_note")
    for start, end, note in zip(starts, ends, notes, strict=False):
        if not str(start).strip() and not str(end).strip():
            continue
        spans.append(SpanEdit(_seconds(start), _seconds(end or start), note))
    return QuestionEdit(
        text=data.get("text", ""),
        options={letter: data.get(f"option_{letter}", "") for letter in LETTERS},
        answer=data.get("answer", ""),
        question_type=data.get("question_type", question.question_type),
        subject=data.get("subject", question.subject),
        rationale=data.get("rationale", question.rationale),
        spans=spans,
    )


def _seconds(value: str) -> float:
    """Seconds from "75", "75.5", "01:15" or "01:15.5"; -1 for junk (caught by validation).

    NaN, infinities and numbers too long to be a time are junk too: NaN compares false with
    every bound, so it would pass the range checks and break every page that shows it."""
    text = str(value).strip()
    if len(text) > 32:
        return -1.0
    try:
        seconds = parse_timestamp(text) if ":" in text else finite_float(text)
    except (ValueError, OverflowError):  # TimeExpressionError and InputInvalid are ValueErrors
        return -1.0
    return seconds if math.isfinite(seconds) else -1.0


# The fields of an edit as a reviewer names them when two people changed the same one.
_MERGED_FIELDS = {
    "text": "question",
    "answer": "answer",
    "question_type": "question_type",
    "subject": "subject",
    "rationale": "rationale",
    "spans": "spans",
}


def rebase_edit(
    question: Question, seen_version: int, edit: QuestionEdit
) -> tuple[QuestionEdit, list[str]]:
    """Re-apply a stale edit on top of the current version (a three-way merge).

    What the expert changed relative to the version they loaded wins; everything else
    takes the current value, so reapplying never undoes someone else's change. Fields both
    changed differently are listed as conflicts (the expert's value is kept for review).
    """
    base_revision = (
        question.revisions.filter(snapshot__version=seen_version).order_by("-number").first()
    )
    if base_revision is None:
        return edit, []
    base = edit_from_snapshot(base_revision.snapshot)
    current = edit_from_question(question)
    rebased = edit_from_question(question)
    conflicts: list[str] = []
    for attribute, label in _MERGED_FIELDS.items():
        value, clash = _merge_value(
            getattr(base, attribute), getattr(edit, attribute), getattr(current, attribute)
        )
        setattr(rebased, attribute, value)
        if clash:
            conflicts.append(label)
    for letter in LETTERS:
        rebased.options[letter], clash = _merge_value(
            base.options.get(letter), edit.options.get(letter), current.options.get(letter)
        )
        if clash:
            conflicts.append(f"option {letter}")
    return rebased, conflicts


def _merge_value(base: Any, mine: Any, current: Any) -> tuple[Any, bool]:
    if mine == base:
        return current, False
    return mine, current not in (base, mine)


def edit_from_snapshot(snapshot: dict[str, Any]) -> QuestionEdit:
    return QuestionEdit(
        text=snapshot["question"],
        options=dict(snapshot["options"]),
        answer=snapshot["answer"],
        question_type=snapshot["question_type"],
        subject=snapshot["subject"],
        rationale=snapshot["rationale"],
        spans=[SpanEdit(s["start"], s["end"], s["note"]) for s in snapshot["spans"]],
    )


def question_restore(
    *, question: Question, number: int, editor: User, seen_version: int
) -> Question:
    """Bring back the content of revision `number` as a new revision (history stays whole)."""
    revision = question.revisions.filter(number=number).first()
    if revision is None:
        raise ReviewError(f"this question has no revision r{number}")
    return question_edit(
        question=question,
        editor=editor,
        seen_version=seen_version,
        edit=edit_from_snapshot(revision.snapshot),
        reason=f"restored r{number}",
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def _spans_text(spans: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{format_timestamp(s['start'])}–{format_timestamp(s['end'])}"
        + (f" {s['note']}" if s.get("note") else "")
        for s in spans
    )


def revision_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """What a revision changed, field by field, in words a reviewer reads."""
    if before is None:
        return []
    changes: list[FieldChange] = []
    for key in ("question", "answer", "question_type", "subject", "rationale", "status"):
        if before.get(key) != after.get(key):
            changes.append(FieldChange(key, str(before.get(key, "")), str(after.get(key, ""))))
    old_options, new_options = before.get("options", {}), after.get("options", {})
    for letter in LETTERS:
        if old_options.get(letter) != new_options.get(letter):
            changes.append(
                FieldChange(
                    f"option {letter}", old_options.get(letter, ""), new_options.get(letter, "")
                )
            )
    if before.get("spans") != after.get("spans"):
        changes.append(
            FieldChange(
                "spans", _spans_text(before.get("spans", [])), _spans_text(after.get("spans", []))
            )
        )
    return changes


def comment_add(*, question: Question, author: User, text: str, at: str = "") -> Comment:
    """Add a comment; `at` is an optional video time ("01:15", "75.5")."""
    if not text.strip():
        raise EditInvalid({"comment_text": "Write something first."})
    too_long = check_length(text.strip(), kind="comment", what="The comment")
    if too_long:
        raise EditInvalid({"comment_text": f"{too_long}."})
    seconds: float | None = None
    if at.strip():
        seconds = _seconds(at)
        duration = question.video.duration
        if seconds < 0 or (duration is not None and seconds > duration + 0.001):
            raise EditInvalid(
                {"comment_at": f"“{at}” is not a time inside the video (MM:SS or seconds)."}
            )
    return Comment.objects.create(
        question=question, author=author, text=text.strip(), at_seconds=seconds
    )
