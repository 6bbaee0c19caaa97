"""Expert review: decisions (accept, reject, send back, unsure) and edits of a question.

Every change goes through here, so the browser, the API and the CLI cannot disagree. Edits
use optimistic locking: a save based on a version that is no longer current is refused
with what changed, never applied over someone else's work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reviews.models import (
    Comment,
    Decision,
    DecisionKind,
    Question,
    QuestionStatus,
    QuestionType,
    RejectReason,
    Solve,
    SpanOrigin,
)
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

# Where a reviewer's decision may take an item. Curators may move an item anywhere. A
# rejected item stays rejected until a curator decides again or someone edits it (an edit
# answers the rejection): a reviewer may only add their own reject to it. Adjudication is
# settled only by a curator.
_OPEN_TARGETS = {
    QuestionStatus.IN_REVIEW,
    QuestionStatus.ACCEPTED,
    QuestionStatus.REJECTED,
    QuestionStatus.NEEDS_REVISION,
    QuestionStatus.ADJUDICATION,
}
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    QuestionStatus.DRAFT: frozenset(_OPEN_TARGETS),
    QuestionStatus.IN_REVIEW: frozenset(_OPEN_TARGETS),
    QuestionStatus.NEEDS_REVISION: frozenset(_OPEN_TARGETS),
    # Back to in review only when a reviewer withdraws the accept it stood on.
    QuestionStatus.ACCEPTED: frozenset(_OPEN_TARGETS),
    QuestionStatus.REJECTED: frozenset({QuestionStatus.REJECTED}),
    QuestionStatus.ADJUDICATION: frozenset(),
}


class ReviewError(ValueError):
    """A review action that cannot be done; the message is for the reviewer."""


class StaleVersion(ReviewError):
    """The question changed since the reviewer loaded it."""

    def __init__(self, question: Question, seen_version: int) -> None:
        self.current_version = question.version
        self.seen_version = seen_version
        last = question.revisions.order_by("-number").select_related("author").first()
        self.changed_by = str(last.author) if last and last.author else "an import"
        self.changed = list(last.changed_fields) if last else []
        super().__init__(
            f"This question was changed by {self.changed_by} while you had it open "
            f"(version {seen_version} → {question.version}; changed: "
            f"{', '.join(self.changed) or 'status'}). Your change was not saved."
        )


class EditInvalid(ReviewError):
    """An edit with field errors: `errors` maps a form field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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


def _lock(question: Question, seen_version: int) -> Question:
    locked = Question.objects.select_for_update().select_related("video").get(pk=question.pk)
    if locked.version != seen_version:
        raise StaleVersion(locked, seen_version)
    return locked


def _move(question: Question, to: str, *, curator: bool) -> None:
    if to not in ALLOWED_TRANSITIONS[question.status] and not curator:
        why = (
            ": only a curator or an edit brings it back"
            if question.status == QuestionStatus.REJECTED
            else ""
        )
        raise ReviewError(
            f"a {question.get_status_display().lower()} question cannot become "
            f"{QuestionStatus(to).label.lower()}{why}"
        )
    question.status = to


def _current_decisions(question: Question) -> dict[int, str]:
    """Each reviewer's latest decision on the content being judged, by reviewer id.

    Re-lettering raises the version but not the judged version, so one reviewer can hold
    decisions on two versions of the same content: only their latest counts.
    """
    rows = question.decisions.filter(question_version__gte=question.judged_version).order_by(
        "question_version", "created_at", "pk"
    )
    return dict(rows.values_list("reviewer_id", "kind"))


def accepts_at_current_version(question: Question) -> int:
    """How many distinct reviewers accept the current content."""
    return sum(1 for kind in _current_decisions(question).values() if kind == DecisionKind.ACCEPT)


def experts_disagree(question: Question) -> bool:
    """Whether distinct reviewers split between accepting and rejecting (or sending back)
    the current content. One reviewer changing their mind is not a split."""
    current = _current_decisions(question)
    accepting = {reviewer for reviewer, kind in current.items() if kind == DecisionKind.ACCEPT}
    objecting = {
        reviewer
        for reviewer, kind in current.items()
        if kind in (DecisionKind.REJECT, DecisionKind.NEEDS_REVISION)
    }
    # A reviewer holds one current decision, so the two sets never share anyone.
    return bool(accepting) and bool(objecting)


def _decision_label(kind: str, reason: str) -> str:
    label = DecisionKind(kind).label.split(":")[0].lower()
    return label + (f" ({RejectReason(reason).label.lower()})" if reason else "")


# The reason of a revision recording a change of mind; other decision revisions carry the
# decision's label (see `revision_is_decision`).
CHANGED_DECISION = "changed decision: "


def revision_is_decision(reason: str) -> bool:
    """Whether a revision with this reason records a reviewer's decision."""
    if reason.startswith(CHANGED_DECISION):
        return True
    labels = {DecisionKind(kind).label.split(":")[0].lower() for kind in DecisionKind.values}
    return reason in labels or reason.split(" (")[0] == "reject"


def _status_after(question: Question, kind: str, *, withdrawn: str | None) -> str:
    """The status a decision of `kind` implies for `question` (decisions already saved).

    `withdrawn` is the kind of the same reviewer's earlier decision that this one replaces.
    """
    status = question.status
    if kind == DecisionKind.ACCEPT:
        if accepts_at_current_version(question) >= question.video.benchmark.required_accepts:
            return QuestionStatus.ACCEPTED
        # An item accepted on import stays accepted when an expert agrees with it.
        return status if status == QuestionStatus.ACCEPTED else QuestionStatus.IN_REVIEW
    if kind == DecisionKind.REJECT:
        return QuestionStatus.REJECTED
    if kind == DecisionKind.NEEDS_REVISION:
        return QuestionStatus.NEEDS_REVISION
    # Unsure asks for a second opinion: it opens a draft and otherwise leaves the item where
    # it is, unless it withdraws the accept the item stood on.
    if status == QuestionStatus.DRAFT:
        return QuestionStatus.IN_REVIEW
    if (
        status == QuestionStatus.ACCEPTED
        and withdrawn == DecisionKind.ACCEPT
        and accepts_at_current_version(question) < question.video.benchmark.required_accepts
    ):
        return QuestionStatus.IN_REVIEW
    return status


def question_decide(
    *,
    question: Question,
    reviewer: User,
    kind: str,
    seen_version: int,
    reason: str = "",
    comment: str = "",
) -> Decision:
    """Record a reviewer's decision and move the question to the status it implies.

    A reviewer has one decision per version: repeating it (a double click, a retried
    request, concurrent posts) changes nothing; a different one replaces it and is recorded
    as a change of mind. The question is accepted when the benchmark's `required_accepts`
    distinct reviewers accept its current content.
    """
    if kind not in DecisionKind.values:
        raise ReviewError(f"unknown decision {kind!r}")
    if kind == DecisionKind.REJECT and reason not in RejectReason.values:
        raise EditInvalid({"reason": "Choose why the question is rejected."})
    if kind == DecisionKind.REJECT and reason == RejectReason.OTHER and not comment.strip():
        raise EditInvalid({"comment": "Say what is wrong when the reason is “Other”."})
    too_long = check_length(comment.strip(), kind="comment", what="The comment")
    if too_long:
        raise EditInvalid({"comment": too_long})
    if kind != DecisionKind.REJECT:
        reason = ""
    comment = comment.strip()
    if must_solve_first(question, reviewer):
        raise ReviewError("answer the question yourself before deciding on it")
    with transaction.atomic():
        # The row lock serialises every decision on this question, so the check for an
        # earlier decision below cannot race; the unique constraint backs it up.
        locked = _lock(question, seen_version)
        earlier = Decision.objects.filter(
            question=locked, reviewer=reviewer, question_version=locked.version
        ).first()
        if earlier is not None and (earlier.kind, earlier.reason, earlier.comment) == (
            kind,
            reason,
            comment,
        ):
            return earlier
        before = question_snapshot(locked)
        held = locked.locked_by_id == reviewer.pk and locked.locked_at is not None
        withdrawn = earlier.kind if earlier is not None else None
        if earlier is None:
            decision = Decision.objects.create(
                question=locked,
                reviewer=reviewer,
                kind=kind,
                reason=reason,
                comment=comment,
                question_version=locked.version,
                seconds_spent=(
                    (timezone.now() - locked.locked_at).total_seconds()
                    if held and locked.locked_at
                    else None
                ),
            )
            note = _decision_label(kind, reason)
        else:
            note = (
                f"{CHANGED_DECISION}{_decision_label(earlier.kind, earlier.reason)} → "
                f"{_decision_label(kind, reason)}"
            )
            earlier.kind, earlier.reason, earlier.comment = kind, reason, comment
            earlier.created_at = timezone.now()
            earlier.save(update_fields=["kind", "reason", "comment", "created_at"])
            decision = earlier
        curator = reviewer.is_curator
        target = _status_after(locked, kind, withdrawn=withdrawn)
        if (
            not curator
            and QuestionStatus.ADJUDICATION in ALLOWED_TRANSITIONS[locked.status]
            and experts_disagree(locked)
        ):
            target = QuestionStatus.ADJUDICATION
        _move(locked, target, curator=curator)
        locked.expert_touched = True
        # Deciding ends the reviewer's hold on the item.
        if locked.locked_by_id == reviewer.pk:
            locked.locked_by = None
            locked.locked_until = None
            locked.locked_at = None
        locked.save(
            update_fields=[
                "status",
                "expert_touched",
                "locked_by",
                "locked_until",
                "locked_at",
                "updated_at",
            ]
        )
        revision_write(question=locked, author=reviewer, reason=note, before=before)
    question.refresh_from_db()
    return decision


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
        locked = _lock(question, seen_version)
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


HOLD_MINUTES = 20


def question_claim(*, question: Question, user: User, minutes: int = HOLD_MINUTES) -> bool:
    """Hold `question` for `user` unless someone else holds it; True when it is theirs.

    One conditional UPDATE, so two reviewers taking items at the same moment can never both
    win the same one.
    """
    now = timezone.now()
    free = Q(locked_by__isnull=True) | Q(locked_until__lt=now) | Q(locked_by=user)
    claimed = Question.objects.filter(free, pk=question.pk).update(
        locked_by=user, locked_until=now + timedelta(minutes=minutes), locked_at=now
    )
    return claimed == 1


def queue_take(user: User, *, after: Question | None = None) -> Question | None:
    """Claim and return the next item of `user`'s queue, skipping items others hold."""
    from reviews.selectors import queue_candidates

    for candidate in queue_candidates(user, after=after):
        if question_claim(question=candidate, user=user):
            return candidate
    return None


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


BULK_ACTIONS = {
    "assign": "Assign to a reviewer",
    "unassign": "Remove the assignment",
    "send_back": "Send back for revision",
    "reject": "Reject",
    "reset_holds": "Release reviewers' holds",
}


def questions_bulk(
    *,
    curator: User,
    questions: list[Question],
    action: str,
    reason: str = "",
    comment: str = "",
    assignee: User | None = None,
) -> int:
    """Apply a curator's action to many questions at once; returns how many changed.

    Each question goes through the same service as a single decision, so history,
    transitions and checks are the same as one by one.
    """
    if not curator.is_curator:
        raise ReviewError("only curators act on many questions at once")
    if action not in BULK_ACTIONS:
        raise ReviewError(f"unknown action {action!r}")
    too_long = check_length(comment.strip(), kind="comment", what="the comment")
    if too_long:
        raise ReviewError(too_long)
    pks = [q.pk for q in questions]
    if action == "assign":
        if assignee is None or not assignee.is_reviewer:
            raise EditInvalid({"assignee": "Choose the reviewer to assign the questions to."})
        from reviews.selectors import questions_for_user

        outside = len(pks) - questions_for_user(assignee).filter(pk__in=pks).count()
        if outside:
            raise EditInvalid(
                {
                    "assignee": f"{outside} of the selected questions are outside "
                    f"{assignee.username}'s disciplines."
                }
            )
        return Question.objects.filter(pk__in=pks).update(assigned_to=assignee)
    if action == "unassign":
        return Question.objects.filter(pk__in=pks, assigned_to__isnull=False).update(
            assigned_to=None
        )
    if action == "reset_holds":
        return Question.objects.filter(
            pk__in=[q.pk for q in questions], locked_by__isnull=False
        ).update(locked_by=None, locked_until=None, locked_at=None)
    kind = DecisionKind.REJECT if action == "reject" else DecisionKind.NEEDS_REVISION
    with transaction.atomic():
        for question in questions:
            question_decide(
                question=question,
                reviewer=curator,
                kind=kind,
                seen_version=question.version,
                reason=reason,
                comment=comment,
            )
    return len(questions)


def must_solve_first(question: Question, user: User) -> bool:
    """Whether `user` has to answer before seeing the key, the rationale and the evidence
    notes (curators never have to). Every page, fragment and API answer that shows them
    asks this.

    A queryset annotated by `reviews.selectors.with_viewer_state` answers it without a query.
    """
    if not question.video.benchmark.solve_first or user.is_curator:
        return False
    solved = getattr(question, "viewer_solved", None)
    if solved is not None:
        return not solved
    return not Solve.objects.filter(
        question=question, reviewer=user, question_version=question.version
    ).exists()


def may_see_others_decisions(question: Question, user: User) -> bool:
    """Whether `user` may see other reviewers' decisions on `question` yet: curators always,
    reviewers once they have decided on its current content, so earlier judgements do not
    sway theirs. The Decisions box, the history and the comments all ask this.
    """
    if user.is_curator:
        return True
    decided = getattr(question, "viewer_decided", None)
    if decided is not None:
        return bool(decided)
    return Decision.objects.filter(
        question=question, reviewer=user, question_version__gte=question.judged_version
    ).exists()


def question_solve(*, question: Question, reviewer: User, letter: str) -> Solve:
    """Record a reviewer's blind answer; a wrong one flags the item for everyone."""
    letter = letter.strip().upper()
    if letter not in LETTERS:
        raise EditInvalid({"letter": "Pick one of the options A–J."})
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        solve, created = Solve.objects.get_or_create(
            question=locked,
            reviewer=reviewer,
            question_version=locked.version,
            defaults={"letter": letter, "correct": letter == locked.answer},
        )
        if created and not solve.correct:
            locked.flags = [
                *locked.flags,
                {
                    "kind": "blind_answer_differs",
                    "detail": (
                        f"{reviewer.username} answered {letter} without seeing the key, "
                        f"which is {locked.answer}"
                    ),
                    "version": locked.version,
                },
            ]
            locked.save(update_fields=["flags", "updated_at"])
    question.refresh_from_db()
    return solve
