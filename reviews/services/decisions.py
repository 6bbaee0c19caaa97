"""Expert review: decisions (accept, reject, send back, unsure) and blind answers.

Every change of a question's status goes through here (`ALLOWED_TRANSITIONS` and `_move`), so
the browser, the API and the CLI cannot disagree. The rules for what a reviewer may see before
deciding (`must_solve_first`, `may_see_others_decisions`) live here too.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from reviews.models import (
    Decision,
    DecisionKind,
    Question,
    QuestionStatus,
    RejectReason,
    Solve,
)
from reviews.services.revisions import question_snapshot, revision_write
from sciannot.accounts.models import User
from sciannot.inputs import check_length
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


def lock_question(question: Question, seen_version: int) -> Question:
    """The question's row, locked for this transaction; StaleVersion when it moved on."""
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
        locked = lock_question(question, seen_version)
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


def question_reopen(*, question: Question, curator: User, seen_version: int) -> Question:
    """A curator sends a rejected question back to review, to be judged afresh.

    The version moves on and the judged version with it, so the rejections no longer count
    and a page still showing the rejected item cannot act on it; the content is unchanged.
    """
    if not curator.is_curator:
        raise ReviewError("only a curator may reopen a rejected question")
    with transaction.atomic():
        locked = lock_question(question, seen_version)
        if locked.status != QuestionStatus.REJECTED:
            raise ReviewError(
                f"only a rejected question can be reopened; this one is "
                f"{locked.get_status_display().lower()}"
            )
        before = question_snapshot(locked)
        _move(locked, QuestionStatus.IN_REVIEW, curator=True)
        locked.version += 1
        locked.judged_version = locked.version
        locked.save(update_fields=["status", "version", "judged_version", "updated_at"])
        revision_write(question=locked, author=curator, reason="reopened", before=before)
    question.refresh_from_db()
    return question


def rejection_shown(question: Question) -> Decision | None:
    """The rejection a rejected question stands on: the latest reject on its current
    content (None when it was rejected some other way, such as on import)."""
    if question.status != QuestionStatus.REJECTED:
        return None
    return (
        question.decisions.filter(
            kind=DecisionKind.REJECT, question_version__gte=question.judged_version
        )
        .select_related("reviewer")
        .order_by("-created_at", "-pk")
        .first()
    )


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
