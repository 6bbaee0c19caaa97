"""Reads of questions, always scoped to what the person asking may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from reviews.models import EvidenceSpan, Option, Question
from sciannot.accounts.permissions import visible_questions
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
    return question
