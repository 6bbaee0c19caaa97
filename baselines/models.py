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
    APP = "app", "replies recorded by a run in the app"


class RunOrigin(models.TextChoices):
    IMPORTED = "imported", "Imported from a file"
    APP = "app", "Run in the app"


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
    # Imported from a file, or made by an evaluation run in the app (`Evaluation`), whose
    # settings are kept here too: provider, model, input, prompt, temperature.
    origin = models.CharField(max_length=16, choices=RunOrigin.choices, default=RunOrigin.IMPORTED)
    run_settings = models.JSONField(default=dict, blank=True)

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


# --- Model evaluation runs in the app ------------------------------------------------------


class EvalInput(models.TextChoices):
    VIDEO = "video", "Video (frames, or the whole video for Gemini)"
    TEXT = "text", "Text only (question and options)"
    TRANSCRIPT = "transcript", "Text and the narration"


class EvalPrompt(models.TextChoices):
    DEFAULT = "default", "The exported task's default prompt"
    COT = "cot", "The exported task's chain-of-thought prompt"


class EvalStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    BUDGET = "budget", "Stopped: budget reached"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


ACTIVE_EVAL_STATUSES = (EvalStatus.QUEUED, EvalStatus.RUNNING)


class Evaluation(models.Model):
    """A model evaluated on a release split by the app's workers: one work row per item, each
    call recorded, the replies published as a `ModelRun` when the run ends."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.PROTECT, related_name="evaluations"
    )
    split = models.CharField(max_length=32)
    # The provider's model id, and the name the run gets on the leaderboard.
    model = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=16)
    input = models.CharField(max_length=16, choices=EvalInput.choices, default=EvalInput.VIDEO)
    prompt = models.CharField(max_length=16, choices=EvalPrompt.choices, default=EvalPrompt.DEFAULT)
    temperature = models.FloatField(default=0.0)
    frames = models.PositiveSmallIntegerField(default=0)
    max_calls = models.PositiveIntegerField()
    max_cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    # The curator chose to send the items of an open (sealed) study to the provider.
    include_open_study_items = models.BooleanField(default=False)

    status = models.CharField(max_length=16, choices=EvalStatus.choices, default=EvalStatus.QUEUED)
    # Why it stopped (budget, failure, cancellation); empty when it ran to the end.
    reason = models.TextField(blank=True)
    items_total = models.PositiveIntegerField(default=0)
    calls_made = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveBigIntegerField(default=0)
    completion_tokens = models.PositiveBigIntegerField(default=0)
    # None while the model has no known price.
    cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    # Gemini file URIs of the videos uploaded for this run, by video id.
    uploads = models.JSONField(default=dict, blank=True)
    # When tasks were last sent for it (the watchdog sends more when they seem lost).
    queued_at = models.DateTimeField(null=True, blank=True)
    model_run = models.OneToOneField(
        ModelRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluation"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EvalStatus.values), name="evaluation_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(input__in=EvalInput.values), name="evaluation_input_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(prompt__in=EvalPrompt.values), name="evaluation_prompt_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"evaluation {self.pk}: {self.name} on {self.release_id} ({self.split})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_EVAL_STATUSES


class EvalItemStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Answered"
    FAILED = "failed", "Failed"


class EvalItem(models.Model):
    """One item of an evaluation: the unit of work, claimed with a lease by a conditional
    update, with the prompt it is asked with and the reply it got."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="work")
    item = models.ForeignKey("releases.ReleaseItem", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    video_id = models.CharField(max_length=64)
    prompt = models.TextField()
    status = models.CharField(
        max_length=16, choices=EvalItemStatus.choices, default=EvalItemStatus.PENDING
    )
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    reply = models.TextField(blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="evalitem_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=EvalItemStatus.values), name="evalitem_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["evaluation", "status", "lease_until"])]

    def __str__(self) -> str:
        return f"item {self.position} of evaluation {self.evaluation_id}"


class EvalCallStatus(models.TextChoices):
    OK = "ok", "OK"
    FAILED = "failed", "Failed"


class EvalCall(models.Model):
    """The one LLM call made for an item of an evaluation: every attempt's request body
    (pictures as references), the raw reply, tokens, latency and cost. An item run again
    replays it instead of paying twice."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="calls")
    work = models.OneToOneField(EvalItem, on_delete=models.CASCADE, related_name="call")
    provider = models.CharField(max_length=16)
    model = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=EvalCallStatus.choices)
    error = models.TextField(blank=True)
    attempts = models.JSONField(default=list)
    response_text = models.TextField(blank=True)
    refusal = models.TextField(blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    retries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evaluation", "pk"]

    def __str__(self) -> str:
        return f"call for {self.work}"
