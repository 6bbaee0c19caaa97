"""Drafting jobs, their stages (each a row with a lease), LLM call records and the drafts made.

A job drafts questions for one video. Its stages run one after another, each as a Celery task
that first claims the stage row with a conditional update; a lease renewed while it runs lets a
watchdog hand the stage to another worker when the one running it dies. Every LLM call is kept
with its bodies, tokens, latency and cost, keyed so that a stage run again replays a call it
already made instead of paying for it twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from reviews.models import Question
from videos.models import Video


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    BUDGET = "budget", "Stopped: budget reached"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class DraftJob(models.Model):
    video = models.ForeignKey(Video, on_delete=models.PROTECT, related_name="draft_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Jobs started together from the video list share a batch.
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    error = models.TextField(blank=True)

    count = models.PositiveSmallIntegerField(default=5)
    # {"Conceptual Reasoning": 2, ...}: how many of each type the generator is asked for.
    type_mix = models.JSONField(default=dict)
    # "openai" or "gemini"; "recorded" for a job answered from a recording of a real run.
    provider = models.CharField(max_length=16)
    model = models.CharField(max_length=200)
    # A recorded job's replies, by call key (see `drafting.recording`); None for a live job.
    recording = models.JSONField(null=True, blank=True)
    temperature = models.FloatField(default=0.7)
    max_calls = models.PositiveIntegerField(default=100)
    max_cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    estimated_cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)

    calls_made = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveBigIntegerField(default=0)
    completion_tokens = models.PositiveBigIntegerField(default=0)
    # None while the model has no known price.
    cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    budget_reached = models.BooleanField(default=False)
    # The working set of candidates, rewritten by each stage as it completes.
    candidates = models.JSONField(default=list, blank=True)
    drafts_created = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["video", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="draftjob_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"drafting job {self.pk} for {self.video_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class StageName(models.TextChoices):
    CONTEXT = "context", "Context"
    GENERATE = "generate", "Generator"
    VERIFY = "verify", "Verifier"
    GROUND = "ground", "Grounding check"
    SHORTCUT = "shortcut", "Shortcut check"
    REFINE = "refine", "Refiner"
    RECHECK = "recheck", "Re-check"
    SAVE = "save", "Save drafts"


STAGE_ORDER = list(StageName.values)


class StageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class DraftStage(models.Model):
    job = models.ForeignKey(DraftJob, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=16, choices=StageName.choices)
    order = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=16, choices=StageStatus.choices, default=StageStatus.PENDING
    )
    # Who holds the stage and until when; renewed while it runs.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # When a task for the pending stage was last sent to the broker.
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    output = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "order"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="draftstage_unique_name"),
            models.CheckConstraint(
                condition=models.Q(status__in=StageStatus.values), name="draftstage_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "lease_until"])]

    def __str__(self) -> str:
        return f"{self.name} of job {self.job_id}"


class CallStatus(models.TextChoices):
    OK = "ok", "OK"
    FAILED = "failed", "Failed"


class LLMCall(models.Model):
    job = models.ForeignKey(DraftJob, on_delete=models.CASCADE, related_name="calls")
    stage = models.ForeignKey(DraftStage, on_delete=models.CASCADE, related_name="calls")
    # What the call was for within the job ("verify:2"); a stage run again finds it by this.
    key = models.CharField(max_length=64)
    provider = models.CharField(max_length=16)
    model = models.CharField(max_length=200)
    prompt_name = models.CharField(max_length=64)
    prompt_version = models.CharField(max_length=16)
    prompt_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=CallStatus.choices)
    error = models.TextField(blank=True)
    # Every attempt's request body (images as references) and raw response text.
    attempts = models.JSONField(default=list)
    response_text = models.TextField(blank=True)
    parsed = models.JSONField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    retries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "key"], name="llmcall_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.prompt_name} call {self.key} of job {self.job_id}"


class Draft(models.Model):
    """A candidate that became a Question; (job, index) makes a second save impossible."""

    job = models.ForeignKey(DraftJob, on_delete=models.PROTECT, related_name="drafts")
    index = models.PositiveSmallIntegerField()
    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="draft")
    # The candidate's whole history: as generated, each check's result, the refinement.
    record = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="draft_unique_index"),
        ]

    def __str__(self) -> str:
        return f"draft {self.index} of job {self.job_id}"


ZERO = Decimal("0")
