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


class PredictionFormat(models.TextChoices):
    LMMS_EVAL = "lmms-eval", "lmms-eval --log_samples"
    UID = "uid", '{"uid", "prediction"} lines'


class ModelRun(models.Model):
    """A model's predictions for a release split, imported from a file and scored two ways:
    carefully (a reply that cannot be read is unreadable, not a guess) and by the official
    SciVideoBench task's rule (for comparability with published numbers). Importing the same
    model again replaces it."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.PROTECT, related_name="model_runs"
    )
    split = models.CharField(max_length=32, default="test")
    model = models.CharField(max_length=200)
    format = models.CharField(max_length=16, choices=PredictionFormat.choices)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField(help_text="Predictions read from the file.")
    # Lines that matched no item (or a second line for the same item): [{"line", "reason"}].
    unmatched = models.JSONField(default=list)
    # Lines whose question could not be checked (the log carries neither doc nor prompt).
    unchecked = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "split", "model"]
        constraints = [
            models.UniqueConstraint(fields=["release", "split", "model"], name="modelrun_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.model} on {self.release} ({self.split})"


class Prediction(models.Model):
    """A model's reply to one item, kept raw, with the letter each scorer reads in it. Every
    item of the split has one; an item the file had no line for is `missing` (counted wrong)."""

    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="predictions")
    item = models.ForeignKey("releases.ReleaseItem", on_delete=models.PROTECT, related_name="+")
    # Copied from the frozen line (which never changes) so tables are counted in SQL.
    question_type = models.CharField(max_length=32)
    category = models.CharField(max_length=32)
    missing = models.BooleanField(default=False)
    line = models.PositiveIntegerField(null=True, blank=True)
    reply = models.TextField(blank=True)
    # The file's record as it was (lmms-eval's resps, filtered_resps, target, metrics…).
    raw = models.JSONField(null=True, blank=True)
    # The letter by the official SciVideoBench task's rule, and whether it was the stand-in
    # for its random guess (seeded by the release and the item) because it found none.
    official_letter = models.CharField(max_length=1, blank=True)
    official_correct = models.BooleanField(default=False)
    official_guessed = models.BooleanField(default=False)
    # Empty when the careful reader could not tell which option the reply means.
    careful_letter = models.CharField(max_length=1, blank=True)
    careful_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["run", "item"]
        constraints = [
            models.UniqueConstraint(fields=["run", "item"], name="prediction_once"),
        ]

    def __str__(self) -> str:
        return f"{self.run.model}: {self.item_id} {self.careful_letter or '?'}"
