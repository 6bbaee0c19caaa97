"""An expert's decision on a question: accept, reject (with a reason), send back, unsure."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviews.models.questions import Question


class DecisionKind(models.TextChoices):
    ACCEPT = "accept", "Accept"
    REJECT = "reject", "Reject"
    NEEDS_REVISION = "needs_revision", "Send back for revision"
    UNSURE = "unsure", "Unsure: ask for a second opinion"


class RejectReason(models.TextChoices):
    WRONG_ANSWER = "wrong_answer", "Wrong answer"
    MULTIPLE_CORRECT = "multiple_correct", "More than one correct option"
    NOT_GROUNDED = "not_grounded", "Not grounded in the video"
    ANSWERABLE_WITHOUT_VIDEO = "answerable_without_video", "Answerable without the video"
    AMBIGUOUS = "ambiguous", "Ambiguous"
    FACTUAL_ERROR = "factual_error", "Factual error"
    DUPLICATE = "duplicate", "Duplicate"
    OTHER = "other", "Other"


class Decision(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(max_length=16, choices=DecisionKind.choices)
    reason = models.CharField(max_length=32, choices=RejectReason.choices, blank=True)
    comment = models.TextField(blank=True)
    # The question version the reviewer saw: an edit makes earlier accepts stale.
    question_version = models.PositiveIntegerField()
    # From taking the item off the queue to deciding; empty when it was not taken first.
    seconds_spent = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "created_at"]
        indexes = [models.Index(fields=["question", "question_version", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="reject") | ~models.Q(reason=""),
                name="decision_reject_has_reason",
            ),
            # One decision per reviewer and version: a repeat changes nothing, a different
            # decision replaces the earlier one (recorded as a revision).
            models.UniqueConstraint(
                fields=["question", "reviewer", "question_version"],
                name="decision_once_per_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} {self.kind} {self.question_id} v{self.question_version}"


class Solve(models.Model):
    """A reviewer's own answer, given before the key is shown (solve-first mode)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="solves")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="solves"
    )
    question_version = models.PositiveIntegerField()
    letter = models.CharField(max_length=1)
    correct = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "reviewer", "question_version"], name="solve_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.reviewer_id} solved {self.question_id} v{self.question_version}: {self.letter}"
        )
