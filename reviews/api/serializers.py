"""Explicit API representations of questions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.models import EvidenceSpan, Question
from reviews.services.decisions import must_solve_first
from sciannot.vocabulary import LETTERS

SOLVE_FIRST_HELP = (
    "Null while `solve_first` is true: the caller must answer the question on its review "
    "page before the key, the rationale and the evidence notes are shown."
)


class EvidenceSpanSerializer(serializers.ModelSerializer[EvidenceSpan]):
    note = serializers.CharField(read_only=True, allow_null=True, help_text=SOLVE_FIRST_HELP)

    class Meta:
        model = EvidenceSpan
        fields = ["start", "end", "note", "origin"]


class QuestionSerializer(serializers.ModelSerializer[Question]):
    video_id = serializers.CharField(source="video.video_id", read_only=True)
    benchmark = serializers.CharField(source="video.benchmark.name", read_only=True)
    question = serializers.CharField(source="text", read_only=True)
    options = serializers.SerializerMethodField()
    video_duration = serializers.FloatField(source="video.duration", read_only=True)
    spans = EvidenceSpanSerializer(many=True, read_only=True)
    review_url = serializers.SerializerMethodField()
    solve_first = serializers.SerializerMethodField()
    answer = serializers.ChoiceField(
        choices=list(LETTERS), read_only=True, allow_null=True, help_text=SOLVE_FIRST_HELP
    )
    rationale = serializers.CharField(read_only=True, allow_null=True, help_text=SOLVE_FIRST_HELP)
    timestamp_breakdown = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        allow_null=True,
        help_text="The evidence steps as imported. " + SOLVE_FIRST_HELP,
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "uid",
            "benchmark",
            "video_id",
            "question_id",
            "status",
            "source",
            "review_url",
            "solve_first",
            "question",
            "options",
            "answer",
            "question_type",
            "discipline",
            "category",
            "subject",
            "video_duration",
            "timestamp_breakdown",
            "rationale",
            "spans",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "description": "The ten options keyed by letter A–J.",
            "additionalProperties": {"type": "string"},
        }
    )
    def get_options(self, question: Question) -> dict[str, str]:
        return {option.letter: option.text for option in question.options.all()}

    @extend_schema_field(serializers.CharField(help_text="Path of the item's review page."))
    def get_review_url(self, question: Question) -> str:
        return reverse("reviews:question", kwargs={"uid": question.uid})

    @extend_schema_field(
        serializers.BooleanField(
            help_text=(
                "True while the benchmark's solve-first setting hides this item's `answer`, "
                "`rationale`, `timestamp_breakdown` and span notes from the caller (null "
                "until they answer it on the review page)."
            )
        )
    )
    def get_solve_first(self, question: Question) -> bool:
        return self._hides_key(question)

    def _hides_key(self, question: Question) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return user is None or not user.is_authenticated or must_solve_first(question, user)

    def to_representation(self, instance: Question) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if data["solve_first"]:
            data["answer"] = data["rationale"] = data["timestamp_breakdown"] = None
            for span in data["spans"]:
                span["note"] = None
        return data
