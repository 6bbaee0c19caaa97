"""Append-only history of a question: a full snapshot on every change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from reviews.models.questions import Question


class Revision(models.Model):
    # No index of its own: the unique (question, number) index serves lookups by question.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text="Empty for changes made by an import or the system.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)
    # Every field, option and span as they were after the change.
    snapshot = models.JSONField()
    changed_fields = models.JSONField(default=list)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} r{self.number}: {self.reason}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # History is append-only: an existing revision is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise ValueError("revisions are append-only")
        super().save(*args, **kwargs)
