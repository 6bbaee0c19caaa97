"""Expert review: who works on what. A reviewer's hold on an item, the next item of their
queue, and a curator's actions on many questions at once."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reviews.models import (
    DecisionKind,
    Question,
)
from reviews.selectors import questions_for_user, queue_candidates
from reviews.services.decisions import EditInvalid, ReviewError, question_decide
from sciannot.accounts.models import User
from sciannot.inputs import check_length

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
    for candidate in queue_candidates(user, after=after):
        if question_claim(question=candidate, user=user):
            return candidate
    return None


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
