"""REST API views over questions: thin adapters over the selectors."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from reviews.api.serializers import QuestionSerializer
from reviews.filters import API_PARAMS, FiltersInvalid, question_filters_parse, questions_filter
from reviews.models import Question, QuestionStatus, QuestionType
from reviews.selectors import (
    questions_for_user,
    questions_with_keys_for_user,
    with_details,
    with_viewer_state,
)
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import HasRole
from sciannot.openapi import error_responses
from sciannot.taxonomy import Category


@extend_schema_view(
    get=extend_schema(
        summary="List questions",
        description=(
            "Questions the caller may see (curators: all; reviewers: their disciplines), "
            "paginated, in creation order. An empty filter value is no filter; an unknown "
            "one is a 400 naming the allowed values. With the benchmark's solve-first "
            "setting, an item the caller has not answered yet has `solve_first: true` and "
            "null `answer`, `rationale`, `timestamp_breakdown` and span notes."
        ),
        parameters=[
            OpenApiParameter("video_id", OpenApiTypes.STR, description="Source video id."),
            # Empty means no filter: `?video_id=&status=` lists everything.
            OpenApiParameter("status", OpenApiTypes.STR, enum=[*QuestionStatus.values, ""]),
            OpenApiParameter("category", OpenApiTypes.STR, enum=[*Category.values, ""]),
            OpenApiParameter("question_type", OpenApiTypes.STR, enum=[*QuestionType.values, ""]),
            OpenApiParameter("benchmark", OpenApiTypes.STR, description="Benchmark name."),
        ],
        responses={200: QuestionSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
)
class QuestionListView(generics.ListAPIView[Question]):
    serializer_class = QuestionSerializer
    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.CURATOR, Role.REVIEWER)

    def get_queryset(self) -> QuerySet[Question]:
        try:
            filters = question_filters_parse(self.request.query_params, API_PARAMS)
        except FiltersInvalid as exc:
            raise ValidationError(exc.errors) from exc
        queryset = questions_filter(questions_for_user(self.request.user), filters)
        # Items come with their keys: refused when one is sealed for the caller.
        queryset = questions_with_keys_for_user(self.request.user, queryset, what="the questions")
        return with_viewer_state(with_details(queryset), self.request.user).order_by("id")
