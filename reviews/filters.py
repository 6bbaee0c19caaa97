"""The question filters, read once for every list of questions: the question list page and
`GET /api/questions/` parse a request's parameters here and narrow a queryset the same way.

An empty value is no filter. A value outside a field's choices is refused, naming the
allowed values: the API answers 400 with them, the list page shows them above an empty list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from reviews.models import Question, QuestionStatus, QuestionType
from sciannot.taxonomy import Category

# The fields whose value must be one of their choices.
CHOICES: dict[str, list[str]] = {
    "status": list(QuestionStatus.values),
    "category": list(Category.values),
    "question_type": list(QuestionType.values),
}


class FiltersInvalid(ValueError):
    """Filter values outside their choices; `errors` maps each field to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class FilterParams:
    """The query parameters an entry point offers (None: not offered there)."""

    video: str
    benchmark: str | None = None
    search: str | None = None
    flagged: str | None = None


# The question list page: `?status=&category=&question_type=&video=&q=&flagged=1`.
PAGE_PARAMS = FilterParams(video="video", search="q", flagged="flagged")
# `GET /api/questions/`: `?status=&category=&question_type=&video_id=&benchmark=`.
API_PARAMS = FilterParams(video="video_id", benchmark="benchmark")


@dataclass(frozen=True)
class QuestionFilters:
    status: str = ""
    category: str = ""
    question_type: str = ""
    video_id: str = ""
    benchmark: str = ""
    search: str = ""
    flagged: bool = False

    def choices_selected(self) -> dict[str, str]:
        """The chosen value of each choice field (empty: any)."""
        return {name: getattr(self, name) for name in CHOICES}


def question_filters_parse(params: Mapping[str, str], offered: FilterParams) -> QuestionFilters:
    """Read the filters from query parameters: the choice fields (`status`, `category`,
    `question_type`) and those `offered` names; FiltersInvalid for an unknown choice."""
    errors: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for name, choices in CHOICES.items():
        value = params.get(name) or ""
        if value and value not in choices:
            errors[name] = f"unknown {name} {value!r}; use one of: {', '.join(choices)}"
        chosen[name] = value
    if errors:
        raise FiltersInvalid(errors)

    def text(name: str | None) -> str:
        return (params.get(name) or "").strip() if name else ""

    return QuestionFilters(
        **chosen,
        video_id=text(offered.video),
        benchmark=text(offered.benchmark),
        search=text(offered.search),
        flagged=offered.flagged is not None and params.get(offered.flagged) == "1",
    )


def questions_filter(queryset: QuerySet[Question], filters: QuestionFilters) -> QuerySet[Question]:
    """Narrow `queryset` by `filters` (each empty one leaves it as it is)."""
    for name, value in filters.choices_selected().items():
        if value:
            queryset = queryset.filter(**{name: value})
    if filters.benchmark:
        queryset = queryset.filter(video__benchmark__name=filters.benchmark)
    if filters.video_id:
        queryset = queryset.filter(video__video_id=filters.video_id)
    if filters.search:
        queryset = queryset.filter(text__icontains=filters.search)
    if filters.flagged:
        queryset = queryset.exclude(flags=[])
    return queryset
