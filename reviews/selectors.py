"""Reads of questions, always scoped to what the person asking may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from reviews.models import (
    Comment,
    Decision,
    EvidenceSpan,
    Option,
    Question,
    QuestionStatus,
    Revision,
    Solve,
)
from reviews.services import decisions, edits
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import has_role
from sciannot.seal import seal_check_question, seal_check_questions
from videos.models import Benchmark
from videos.scoping import scope_q


def visible_questions(user: Any, queryset: QuerySet[Question]) -> QuerySet[Question]:
    """Narrow a queryset of questions to those `user` may see."""
    if has_role(user, Role.CURATOR):
        return queryset
    if has_role(user, Role.REVIEWER):
        return queryset.filter(scope_q(user))
    # Evaluators see released items only through their baseline studies, never here.
    return queryset.none()


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
    """The question with `uid` if `user` may see it; 404 otherwise. It carries what `user`
    has solved and decided on it (`with_viewer_state`): fetch it again after a change."""
    queryset = with_details(questions_for_user(user)).filter(uid=uid)
    if user.is_authenticated:
        queryset = with_viewer_state(queryset, user)
    question = queryset.first()
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
    # Imported here: the pagination module brings in DRF, which commands that load this
    # module at startup (through the app registries) never need.
    from sciannot.pagination import cached_rows

    rows = questions_for_user(user).order_by().values("status").annotate(n=models.Count("id"))
    counts = dict.fromkeys(QuestionStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in cached_rows(rows)})
    return counts


def with_viewer_state(queryset: QuerySet[Question], user: Any) -> QuerySet[Question]:
    """Annotate whether `user` has solved each question and decided on its current content,
    so the visibility rules in the review service answer for a whole page in one query."""
    return queryset.annotate(
        viewer_solved=Exists(
            Solve.objects.filter(
                question=OuterRef("pk"), reviewer=user, question_version=OuterRef("version")
            )
        ),
        viewer_decided=Exists(
            Decision.objects.filter(
                question=OuterRef("pk"),
                reviewer=user,
                question_version__gte=OuterRef("judged_version"),
            )
        ),
    )


def decisions_visible(question: Question, user: Any) -> list[Decision] | None:
    """Every decision on `question`, newest first, when `user` may see others' decisions;
    None before (the page says why)."""
    if not decisions.may_see_others_decisions(question, user):
        return None
    return list(question.decisions.select_related("reviewer").order_by("-created_at"))


@dataclass(frozen=True)
class VisibleComments:
    comments: list[Comment]
    # Comments by others held back until `user` has decided (they may argue for a verdict
    # or name the key).
    hidden: int


def comments_visible(question: Question, user: Any) -> VisibleComments:
    comments = list(question.comments.select_related("author"))
    if decisions.may_see_others_decisions(question, user) and not decisions.must_solve_first(
        question, user
    ):
        return VisibleComments(comments, 0)
    own = [comment for comment in comments if comment.author_id == user.pk]
    return VisibleComments(own, len(comments) - len(own))


@dataclass(frozen=True)
class HistoryEntry:
    revision: Revision
    changes: list[edits.FieldChange]
    # Another reviewer's decision, shown once `user` may see decisions: the entry keeps its
    # place in the numbering, without its author, reason or changes.
    hidden: bool = False


def history_visible(question: Question, user: Any) -> list[HistoryEntry] | None:
    """The revisions, newest first, each with what it changed; None while `user` must solve
    the question first (every revision holds the key).

    Before `user` may see others' decisions, those decisions' revisions are masked and no
    entry shows a status change, which would tell what someone decided.
    """
    if decisions.must_solve_first(question, user):
        return None
    reveal = decisions.may_see_others_decisions(question, user)
    entries = []
    previous = None
    for revision in question.revisions.select_related("author").order_by("number"):
        changes = edits.revision_diff(previous, revision.snapshot)
        previous = revision.snapshot
        hidden = False
        if not reveal:
            changes = [change for change in changes if change.field != "status"]
            hidden = revision.author_id != user.pk and decisions.revision_is_decision(
                revision.reason
            )
        entries.append(HistoryEntry(revision, [] if hidden else changes, hidden))
    return entries[::-1]
