"""A multiple-choice question about a video: ten options A–J, one key, evidence spans."""

from __future__ import annotations

import secrets

from django.db import models

from sciannot.taxonomy import Category
from sciannot.vocabulary import LETTERS
from videos.models import Video

_UID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32: no i, l, o, u


def new_uid() -> str:
    """An opaque, stable identifier: 'q_' and 12 base32 characters (60 random bits)."""
    bits = secrets.randbits(60)
    # Imports make 100,000 of these at a time, so no per-character random calls.
    return "q_" + "".join(_UID_ALPHABET[(bits >> shift) & 31] for shift in range(55, -1, -5))


class QuestionType(models.TextChoices):
    CONCEPTUAL = "Conceptual Reasoning"
    HYPOTHETICAL = "Hypothetical Reasoning"
    QUANTITATIVE = "Quantitative Reasoning"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    NEEDS_REVISION = "needs_revision", "Needs revision"
    # Experts disagreed on the same version: a curator decides.
    ADJUDICATION = "adjudication", "Needs adjudication"


class QuestionSource(models.TextChoices):
    IMPORTED = "imported", "Imported"
    LLM = "llm", "LLM draft"
    EXPERT = "expert", "Written by an expert"


class Question(models.Model):
    # Indexed through the unique (video, text_key) constraint, which starts with it.
    video = models.ForeignKey(
        Video, on_delete=models.PROTECT, related_name="questions", db_index=False
    )
    # The source's id; NOT unique — the reference file reuses (video_id, question_id) pairs.
    question_id = models.CharField(max_length=32, blank=True)
    uid = models.CharField(max_length=16, unique=True, default=new_uid, editable=False)
    # Stored exactly as given: exports must reproduce it byte for byte.
    text = models.TextField()
    # sha256 of the whitespace-normalised text: with the video, the identity of a question.
    text_key = models.CharField(max_length=64)
    question_type = models.CharField(max_length=32, choices=QuestionType.choices)
    answer = models.CharField(max_length=1, choices=[(letter, letter) for letter in LETTERS])
    discipline = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    subject = models.CharField(max_length=200, blank=True)
    rationale = models.TextField(blank=True)
    timestamp_breakdown = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT
    )
    source = models.CharField(
        max_length=16, choices=QuestionSource.choices, default=QuestionSource.IMPORTED
    )
    # Set once an expert has edited or decided on the question; imports never overwrite it.
    expert_touched = models.BooleanField(default=False)
    # Once an expert has edited the spans, exports render the breakdown from them.
    spans_edited = models.BooleanField(default=False)
    # A curator may give an item to one reviewer: it then shows only in their queue.
    assigned_to = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Taking an item from the queue holds it for one reviewer for a while; an abandoned
    # item comes back when the hold expires.
    locked_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every save increments it; a save based on a stale version fails.
    version = models.PositiveIntegerField(default=1)
    # The version whose content reviewers judge. An edit raises both; re-lettering the
    # options (the same options and key, in another order) raises only `version`, so the
    # accepts given since this version still count.
    judged_version = models.PositiveIntegerField(default=1, db_default=1)
    # Problems raised about the item by checks or by reviewers' blind answers:
    # [{"kind": ..., "detail": ..., "version": ...}]. Not part of the content.
    flags = models.JSONField(default=list, blank=True)
    # A curator's pick of an accepted question as an example for the drafting agents.
    exemplar = models.BooleanField(default=False, db_default=False)
    # sha256 of the imported content, to tell an identical re-import from a changed one.
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["video", "id"]
        constraints = [
            models.UniqueConstraint(fields=["video", "text_key"], name="question_unique_text"),
            models.CheckConstraint(
                condition=models.Q(answer__in=LETTERS), name="question_answer_letter"
            ),
            models.CheckConstraint(
                condition=models.Q(question_type__in=QuestionType.values),
                name="question_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values), name="question_category_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=QuestionStatus.values),
                name="question_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "category"]),
            models.Index(fields=["video", "question_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.video.video_id}#{self.question_id or '?'} ({self.uid})"


class Option(models.Model):
    """One of the ten options. The key is `Question.answer`, so there is exactly one."""

    # No index of its own: the unique (question, letter) index serves lookups by question.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", db_index=False
    )
    letter = models.CharField(max_length=1)
    text = models.TextField()

    class Meta:
        ordering = ["question", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["question", "letter"], name="option_unique_letter"),
            models.CheckConstraint(condition=models.Q(letter__in=LETTERS), name="option_letter"),
        ]

    def __str__(self) -> str:
        return f"{self.letter}. {self.text[:60]}"


class SpanOrigin(models.TextChoices):
    QUESTION_TEXT = "question", "Time in the question text"
    BREAKDOWN = "breakdown", "Timestamp breakdown"
    EXPERT = "expert", "Set by an expert"


class EvidenceSpan(models.Model):
    """A moment of the video (seconds on the original's timeline) the question relies on."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="spans")
    start = models.FloatField()
    end = models.FloatField()
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    origin = models.CharField(max_length=16, choices=SpanOrigin.choices)

    class Meta:
        ordering = ["question", "order"]
        constraints = [
            models.CheckConstraint(condition=models.Q(start__gte=0), name="span_start"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="span_end"),
        ]

    def __str__(self) -> str:
        return f"{self.start:.3f}-{self.end:.3f} {self.note[:40]}"
