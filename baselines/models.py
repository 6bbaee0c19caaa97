"""Blind human-baseline studies over a frozen release split, and their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StudyStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Study(models.Model):
    """Evaluators answer a release split's items blind, as a model sees them."""

    benchmark = models.ForeignKey(
        "videos.Benchmark", on_delete=models.PROTECT, related_name="studies"
    )
    name = models.CharField(max_length=100)
    release = models.ForeignKey(
        "releases.Release", on_delete=models.PROTECT, related_name="studies"
    )
    split = models.CharField(max_length=32, default="test")
    show_video = models.BooleanField(default=True)
    show_transcript = models.BooleanField(default=True)
    # Seconds an evaluator has for an item, enforced by the server; None: no limit.
    time_limit = models.PositiveIntegerField(null=True, blank=True)
    # Whether the player may be scrubbed and replayed (and the question's times seek it).
    allow_rewatch = models.BooleanField(default=True)
    # Items are the whole split, or this many of them drawn with `seed` (the same ones for
    # every evaluator, so their answers overlap).
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    seed = models.PositiveIntegerField(default=0)
    # The release items' primary keys the study covers, in release order.
    items = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=StudyStatus.choices, default=StudyStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["benchmark", "name"], name="study_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """One evaluator in a study, with the order they get the items in."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="participants")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations"
    )
    # The release items' primary keys in the order this evaluator gets them (seeded shuffle).
    order = models.JSONField(default=list)
    seed = models.PositiveBigIntegerField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["study", "evaluator__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "evaluator"], name="participation_unique_evaluator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} in {self.study}"


class Answer(models.Model):
    """An evaluator's answer to one item: opened when the item is first shown (the clock
    starts), final once answered. `letter` is empty when the time ran out."""

    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="answers"
    )
    item = models.ForeignKey("releases.ReleaseItem", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    opened_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    letter = models.CharField(max_length=1, blank=True)
    correct = models.BooleanField(default=False)
    timed_out = models.BooleanField(default=False)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["participation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "item"], name="answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.participation}: item {self.position} {self.letter or '-'}"
