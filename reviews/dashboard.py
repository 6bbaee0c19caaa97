"""Figures for the curator's dashboard: where the items are, and how the reviewers work."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from reviews.models import Decision, QuestionStatus, QuestionType
from sciannot.taxonomy import Category

# Bar colours per status, in the order the bars stack.
STATUS_COLOURS = {
    QuestionStatus.DRAFT: "#9aa4b2",
    QuestionStatus.IN_REVIEW: "#5b8def",
    QuestionStatus.NEEDS_REVISION: "#e0a030",
    QuestionStatus.ADJUDICATION: "#9b59d0",
    QuestionStatus.ACCEPTED: "#2f9e63",
    QuestionStatus.REJECTED: "#d0463b",
}


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    name: str
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class ReviewerFigures:
    username: str
    decisions: int
    last_7_days: int
    accepts: int
    rejects: int
    median_seconds: float | None


def _bars(counts: dict[tuple[str, str], int], names: list[str], width: float) -> list[Bar]:
    largest = max([sum(counts.get((n, s), 0) for s in STATUS_COLOURS) for n in names] + [1])
    bars = []
    for name in names:
        x = 0.0
        segments = []
        for status, colour in STATUS_COLOURS.items():
            count = counts.get((name, status), 0)
            span = width * count / largest
            if count:
                segments.append(
                    Segment(status, QuestionStatus(status).label, count, x, span, colour)
                )
            x += span
        bars.append(Bar(name, sum(s.count for s in segments), segments))
    return bars


def dashboard_figures(questions: Any, *, bar_width: float = 520.0) -> dict[str, Any]:
    """State × category and state × type counts, as tables and stacked bars."""
    rows = (
        questions.order_by().values("category", "question_type", "status").annotate(n=Count("id"))
    )
    by_category: dict[tuple[str, str], int] = {}
    by_type: dict[tuple[str, str], int] = {}
    for row in rows:
        key_c = (row["category"], row["status"])
        key_t = (row["question_type"], row["status"])
        by_category[key_c] = by_category.get(key_c, 0) + row["n"]
        by_type[key_t] = by_type.get(key_t, 0) + row["n"]
    return {
        "category_bars": _bars(by_category, list(Category.values), bar_width),
        "type_bars": _bars(by_type, list(QuestionType.values), bar_width),
        "legend": [(QuestionStatus(s).label, c) for s, c in STATUS_COLOURS.items()],
        "total": sum(by_category.values()),
    }


def reviewer_figures(questions: Any) -> list[ReviewerFigures]:
    """Decisions per reviewer on `questions`: volume, recent volume, median time taken."""
    since = timezone.now() - timedelta(days=7)
    decisions = Decision.objects.filter(question__in=questions).values_list(
        "reviewer__username", "kind", "created_at", "seconds_spent"
    )
    grouped: dict[str, list[tuple[str, Any, float | None]]] = {}
    for username, kind, created, seconds in decisions:
        grouped.setdefault(username, []).append((kind, created, seconds))
    figures = []
    for username, items in sorted(grouped.items()):
        times = [s for _, _, s in items if s is not None]
        figures.append(
            ReviewerFigures(
                username=username,
                decisions=len(items),
                last_7_days=sum(1 for _, created, _ in items if created >= since),
                accepts=sum(1 for kind, _, _ in items if kind == "accept"),
                rejects=sum(1 for kind, _, _ in items if kind == "reject"),
                median_seconds=statistics.median(times) if times else None,
            )
        )
    return figures
