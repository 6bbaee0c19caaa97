"""Explicit API representations of questions."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.models import EvidenceSpan, Question


class EvidenceSpanSerializer(serializers.ModelSerializer[EvidenceSpan]):
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
