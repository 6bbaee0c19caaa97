"""Comments on a question, optionally anchored to a moment of the video."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviews.models.questions import Question


class Comment(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    text = models.TextField()
    # Seconds on the original's timeline; clicking the comment seeks the player there.
    at_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(at_seconds__isnull=True) | models.Q(at_seconds__gte=0),
                name="comment_time_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.question_id}: {self.text[:40]}"
