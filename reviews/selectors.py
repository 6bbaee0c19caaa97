"""Reads of questions, always scoped to what the person asking may see."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from reviews.models import Decision, EvidenceSpan, Option, Question, QuestionStatus
from sciannot.accounts.permissions import visible_questions
from sciannot.pagination import cached_rows
from sciannot.seal import seal_check_question, seal_check_questions
from videos.models import Benchmark


def questions_for_user(user: Any, *, benchmark: Benchmark | None = None) -> QuerySet[Question]:
    queryset = Question.objects.select_related("video", "video__benchmark")
    if benchmark is not None:
        queryset = queryset.filter(video__benchmark=benchmark)
    return visible_questions(user, queryset)


def with_details(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """Prefetch options and spans in their display order."""
    return queryset.prefetch_related(
        Prefetch("options", queryset=Option.objects.order_by("letter")),
        Prefetch("spans", queryset=EvidenceSpan.objects.order_by("order", "id")),
    )


def question_get_for_user(user: Any, uid: str) -> Question:
    """The question with `uid` if `user` may see it; 404 otherwise."""
    question = with_details(questions_for_user(user)).filter(uid=uid).first()
    if question is None:
        raise Http404("No such question.")
    # Every page and action on one item shows its key, history and comments.
    seal_check_question(user=user, question=question)
    return question


def questions_with_keys_for_user(
    user: Any, queryset: QuerySet[Question], *, what: str = "this list"
) -> QuerySet[Question]:
    """`queryset` for a page or API answer that shows keys: refused, naming the study, when
    it holds a question `user` is answering blind (never silently narrowed)."""
    seal_check_questions(user=user, questions=queryset.values("pk"), what=what)
    return queryset


# Statuses that still need an expert's decision.
OPEN_STATUSES = (QuestionStatus.DRAFT, QuestionStatus.IN_REVIEW, QuestionStatus.NEEDS_REVISION)


def review_queue(user: Any) -> QuerySet[Question]:
    """Open questions `user` may review and has not yet decided on in their current form."""
    queryset = questions_for_user(user).filter(status__in=OPEN_STATUSES)
    # Items a curator gave to someone else are theirs alone.
    queryset = queryset.filter(models.Q(assigned_to__isnull=True) | models.Q(assigned_to=user))
    # Reviewers do not get an item again once they decided on its current content.
    decided = Decision.objects.filter(
        reviewer=user, question_version__gte=models.F("question__judged_version")
    ).values("question_id")
    # Creation order: imports and drafting write a video's questions together, and the
    # primary key index serves it without sorting the whole table.
    return queryset.exclude(pk__in=decided).order_by("id")


def queue_candidates(user: Any, *, after: Question | None = None) -> list[Question]:
    """Queue items not held by someone else: those after `after` first, then from the top."""
    now = timezone.now()
    queue = review_queue(user).exclude(models.Q(locked_until__gt=now) & ~models.Q(locked_by=user))
    # What a curator assigned to this reviewer comes first.
    mine = queue.filter(assigned_to=user)
    if after is not None:
        mine = mine.exclude(pk=after.pk)
    assigned = list(mine[:1])
    if assigned:
        return assigned
    if after is None:
        return list(queue[:CANDIDATES])
    queue = queue.exclude(pk=after.pk)
    later = queue.filter(id__gt=after.pk)
    candidates = list(later[:CANDIDATES])
    if len(candidates) < CANDIDATES:
        seen = {c.pk for c in candidates}
        candidates += [q for q in queue[:CANDIDATES] if q.pk not in seen]
    return candidates


# How many items to try when taking the next one; others may claim some meanwhile.
CANDIDATES = 20


def next_in_queue(user: Any, *, after: Question | None = None) -> Question | None:
    """The next question for `user` after `after` in queue order, wrapping around."""
    candidates = queue_candidates(user, after=after)
    return candidates[0] if candidates else None


def queue_counts(user: Any) -> dict[str, int]:
    """How many of the questions `user` may see are in each status (may lag a few seconds)."""
    rows = questions_for_user(user).order_by().values("status").annotate(n=models.Count("id"))
    counts = dict.fromkeys(QuestionStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in cached_rows(rows)})
    return counts
