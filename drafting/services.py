"""Drafting jobs: starting, cancelling, the stage leases and the watchdog.

A stage is run by whoever claims its row with a conditional update; the claim is a lease that a
heartbeat renews while the stage runs. When a worker dies, its lease runs out and the watchdog
makes the stage pending again and queues it, so no work depends on the broker redelivering a
message. A finished stage is never claimed again.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from drafting.context import video_category
from drafting.models import (
    ACTIVE_JOB_STATUSES,
    STAGE_ORDER,
    DraftJob,
    DraftStage,
    JobStatus,
    StageStatus,
)
from drafting.pricing import estimate_job, price_of
from drafting.providers import ProviderNotConfigured, provider_problem
from reviews.models import QuestionType
from sciannot.accounts.models import User
from sciannot.inputs import INT32_MAX, NUL, check_length
from sciannot.queue import require_broker, send_on_commit
from videos.models import Video

FINISHED_STAGE = (StageStatus.DONE, StageStatus.SKIPPED)
MAX_COUNT = 20


MAX_COST = Decimal("1000000")


class DraftingInvalid(ValueError):
    """A request to draft that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class JobRequest:
    count: int = 5
    # How many of each type; when empty, the count is spread over the three types.
    type_mix: dict[str, int] | None = None
    model: str = ""
    temperature: float = 0.7
    max_calls: int | None = None
    max_cost: Decimal | None = None


def spread_types(count: int) -> dict[str, int]:
    """`count` questions spread as evenly as possible over the three types, in their order."""
    types = list(QuestionType.values)
    return {t: count // 3 + (1 if n < count % 3 else 0) for n, t in enumerate(types)}


def check_request(request: JobRequest) -> tuple[dict[str, int], str]:
    """The type mix and model a request resolves to; raises DraftingInvalid or
    ProviderNotConfigured with the reason."""
    problem = provider_problem()
    if problem:
        raise ProviderNotConfigured(problem)
    if not 1 <= request.count <= MAX_COUNT:
        raise DraftingInvalid(f"the number of questions must be 1 to {MAX_COUNT}")
    if request.type_mix:
        unknown = [t for t in request.type_mix if t not in QuestionType.values]
        if unknown:
            raise DraftingInvalid(
                f"unknown question type {unknown[0]!r}; use " + ", ".join(QuestionType.values)
            )
        if any(n < 0 for n in request.type_mix.values()):
            raise DraftingInvalid("a type's number of questions cannot be negative")
        mix = {t: n for t, n in request.type_mix.items() if n}
        if sum(mix.values()) != request.count:
            raise DraftingInvalid(
                f"the type mix adds up to {sum(mix.values())} questions, not {request.count}"
            )
    else:
        mix = {t: n for t, n in spread_types(request.count).items() if n}
    if not 0 <= request.temperature <= 2:
        raise DraftingInvalid("the temperature must be between 0 and 2")
    model = request.model.strip() or settings.LLM_MODEL
    if not math.isfinite(request.temperature):
        raise DraftingInvalid("the temperature must be a finite number")
    too_long = check_length(model, kind="name", what="the model's name")
    if too_long or NUL in model:
        raise DraftingInvalid(too_long or "the model's name contains a NUL character")
    # The budgets' columns: a 32-bit integer, and a decimal of 12 digits with 6 decimals.
    if request.max_calls is not None and not 1 <= request.max_calls <= INT32_MAX:
        raise DraftingInvalid(f"the call budget must be between 1 and {INT32_MAX}")
    if request.max_cost is not None:
        if not request.max_cost.is_finite() or request.max_cost <= 0:
            raise DraftingInvalid("the cost budget must be more than 0")
        if request.max_cost >= MAX_COST:
            raise DraftingInvalid(f"the cost budget must be below {MAX_COST} USD")
        if price_of(model) is None:
            raise DraftingInvalid(
                f"no price is known for the model {model!r}, so a cost budget cannot apply: "
                "add it to LLM_PRICES or leave the cost budget empty"
            )
    return mix, model


def check_video(video: Video) -> None:
    if not video_category(video):
        raise DraftingInvalid(
            f"video {video.video_id} has no discipline or category, which every question needs"
        )
    if not video.duration:
        raise DraftingInvalid(f"video {video.video_id} has no known duration")


def context_tokens(video: Video) -> int:
    transcript = getattr(video, "transcript", None)
    manuscript = getattr(video, "manuscript", None)
    chars = len(transcript.text) if transcript is not None else 0
    chars += min(len(manuscript.text), 12_000) if manuscript is not None else 0
    return 600 + chars // 4 + 300 * settings.LLM_FRAMES


def jobs_start(*, videos: list[Video], request: JobRequest, user: User | None) -> list[DraftJob]:
    """Create a job per video with all its stages and queue the first stage of each.

    Nothing is created or queued unless every video and the request are valid.
    """
    mix, model = check_request(request)
    if not videos:
        raise DraftingInvalid("choose at least one video")
    for video in videos:
        check_video(video)
    waiting = (
        DraftJob.objects.filter(video__in=videos, status__in=ACTIVE_JOB_STATUSES)
        .filter(stages__status=StageStatus.PENDING, stages__queued_at__isnull=True)
        .select_related("video")
        .first()
    )
    if waiting is not None:
        # Its message could not be sent; the watchdog sends it when the broker is back. A
        # second job would draft (and pay for) the same questions again.
        raise DraftingInvalid(
            f"video {waiting.video.video_id} already has drafting job {waiting.pk} waiting for "
            "the task queue; it starts by itself when the queue is back"
        )
    # Checked last, just before anything is created: with the broker down the job would sit
    # unqueued, and the person would likely start it again.
    require_broker()
    batch = uuid.uuid4().hex if len(videos) > 1 else ""
    jobs = []
    with transaction.atomic():
        for video in videos:
            calls, cost = estimate_job(
                model=model, count=request.count, context_tokens=context_tokens(video)
            )
            job = DraftJob.objects.create(
                video=video,
                created_by=user,
                batch=batch,
                count=request.count,
                type_mix=mix,
                provider=settings.LLM_PROVIDER,
                model=model,
                temperature=request.temperature,
                max_calls=request.max_calls or max(settings.DRAFT_DEFAULT_MAX_CALLS, 2 * calls),
                max_cost=request.max_cost,
                estimated_cost=cost,
                cost=Decimal("0") if price_of(model) is not None else None,
            )
            DraftStage.objects.bulk_create(
                DraftStage(job=job, name=name, order=n) for n, name in enumerate(STAGE_ORDER)
            )
            stage_enqueue(job.stages.get(order=0))
            jobs.append(job)
    return jobs


def job_start_recorded(
    *, video: Video, recording: dict[str, Any], user: User | None, send: bool = True
) -> DraftJob:
    """Create a job answered from a recording (see `drafting.recording`): the real pipeline on
    this video, each call answered by its key. Needs no provider settings and no key.

    With `send`, its first stage goes to the workers like any job's (the broker must answer);
    without, nothing is sent and the caller runs it (`drafting.pipeline.job_run_here`)."""
    from drafting.recording import RECORDED, recording_parse

    try:
        parsed = recording_parse(recording)
    except ValueError as exc:
        raise DraftingInvalid(str(exc)) from exc
    if parsed.video_id.removeprefix("jove_") != video.video_id.removeprefix("jove_"):
        raise DraftingInvalid(
            f"the recording was made on video {parsed.video_id}, not {video.video_id}: its "
            "replies are about that video"
        )
    check_video(video)
    if send:
        require_broker()
    calls = len(parsed.calls)
    with transaction.atomic():
        job = DraftJob.objects.create(
            video=video,
            created_by=user,
            count=parsed.count,
            type_mix=parsed.type_mix,
            provider=RECORDED,
            model=parsed.model,
            recording=recording,
            temperature=parsed.temperature,
            max_calls=max(settings.DRAFT_DEFAULT_MAX_CALLS, 2 * calls),
            estimated_cost=parsed.cost(),
            cost=Decimal("0") if price_of(parsed.model, parsed.price) is not None else None,
        )
        DraftStage.objects.bulk_create(
            DraftStage(job=job, name=name, order=n) for n, name in enumerate(STAGE_ORDER)
        )
        if send:
            stage_enqueue(job.stages.get(order=0))
    return job


def job_cancel(job: DraftJob) -> bool:
    """Stop a job: no stage starts after this, a running one stops before its next call."""
    with transaction.atomic():
        changed = DraftJob.objects.filter(pk=job.pk, status__in=ACTIVE_JOB_STATUSES).update(
            status=JobStatus.CANCELLED, finished_at=timezone.now()
        )
        if changed:
            job.stages.filter(status=StageStatus.PENDING).update(status=StageStatus.CANCELLED)
    job.refresh_from_db()
    return bool(changed)


# --- Stages and their leases -------------------------------------------------------------------


def stage_enqueue(stage: DraftStage) -> None:
    """Mark the stage queued now and send its task once the transaction commits.

    When the broker refuses the message, the stage is left pending with no `queued_at`: the
    job page shows it waiting for the queue, and the watchdog sends it again.
    """
    # drafting.tasks imports this module (the watchdog): the task is imported here, when a
    # stage is sent, so neither module needs the other to load (a loop inside one app).
    from drafting.tasks import send_stage

    DraftStage.objects.filter(pk=stage.pk).update(queued_at=timezone.now())
    pk, name = stage.pk, stage.name
    send_on_commit(
        lambda: send_stage(name, pk),
        what=f"drafting stage {pk}",
        on_failure=lambda: DraftStage.objects.filter(pk=pk, status=StageStatus.PENDING).update(
            queued_at=None
        ),
    )


def lease_owner_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _lease_until() -> Any:
    return timezone.now() + timedelta(seconds=settings.DRAFT_LEASE_SECONDS)


def stage_claim(stage_pk: int, owner: str) -> DraftStage | None:
    """Take the stage if it is pending (or its holder's lease ran out) and it is its job's turn."""
    stage = DraftStage.objects.select_related("job").filter(pk=stage_pk).first()
    if stage is None or stage.job.status not in ACTIVE_JOB_STATUSES:
        return None
    earlier_open = (
        DraftStage.objects.filter(job_id=stage.job_id, order__lt=stage.order)
        .exclude(status__in=FINISHED_STAGE)
        .exists()
    )
    if earlier_open:
        return None
    now = timezone.now()
    claimed = (
        DraftStage.objects.filter(pk=stage_pk, job__status__in=ACTIVE_JOB_STATUSES)
        .filter(Q(status=StageStatus.PENDING) | Q(status=StageStatus.RUNNING, lease_until__lt=now))
        .update(
            status=StageStatus.RUNNING,
            lease_owner=owner,
            lease_until=_lease_until(),
            attempts=F("attempts") + 1,
            started_at=Coalesce(F("started_at"), now),
        )
    )
    if not claimed:
        return None
    DraftJob.objects.filter(pk=stage.job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now
    )
    stage.refresh_from_db()
    stage.job.refresh_from_db()
    return stage


class Heartbeat:
    """Renews a stage's lease from a background thread while the stage runs."""

    def __init__(self, stage: DraftStage, owner: str) -> None:
        self.stage_pk = stage.pk
        self.owner = owner
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = max(0.2, settings.DRAFT_LEASE_SECONDS / 3)
        try:
            while not self._stop.wait(interval):
                renewed = DraftStage.objects.filter(
                    pk=self.stage_pk, lease_owner=self.owner, status=StageStatus.RUNNING
                ).update(lease_until=_lease_until())
                if not renewed:
                    self.lost.set()
                    return
        finally:
            connection.close()


def stage_finish(
    stage: DraftStage,
    owner: str,
    *,
    status: str,
    output: dict[str, Any],
    candidates: list[dict[str, Any]] | None,
    error: str = "",
    send_next: bool = True,
) -> bool:
    """Record the stage's result and queue the next stage, atomically; False if the lease was
    lost meanwhile (another worker has the stage now, and its result counts instead).

    Without `send_next` the next stage is left pending and unsent, for a caller that runs
    the stages itself; should it stop, the watchdog sends the stage."""
    with transaction.atomic():
        finished = DraftStage.objects.filter(
            pk=stage.pk, lease_owner=owner, status=StageStatus.RUNNING
        ).update(status=status, output=output, error=error, finished_at=timezone.now())
        if not finished:
            return False
        job = DraftJob.objects.select_for_update().get(pk=stage.job_id)
        if candidates is not None:
            job.candidates = candidates
            job.save(update_fields=["candidates"])
        if status == StageStatus.FAILED:
            _job_end(job, JobStatus.FAILED, error)
            job.stages.filter(status=StageStatus.PENDING).update(status=StageStatus.CANCELLED)
            return True
        if job.status not in ACTIVE_JOB_STATUSES:
            return True
        following = job.stages.filter(order__gt=stage.order).order_by("order").first()
        if following is None:
            _job_end(job, *job_outcome(job))
        elif send_next:
            stage_enqueue(following)
    return True


def stage_release(stage: DraftStage, owner: str, *, status: str, error: str = "") -> None:
    """End a stage that stopped without a result (the job was cancelled)."""
    DraftStage.objects.filter(pk=stage.pk, lease_owner=owner, status=StageStatus.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )


def job_outcome(job: DraftJob) -> tuple[str, str]:
    failed = [c for c in job.candidates if c.get("failed")]
    if job.budget_reached:
        return JobStatus.BUDGET, "the job's budget was reached; unchecked drafts are flagged"
    if job.drafts_created == 0 and failed:
        return JobStatus.FAILED, "no candidate became a draft: " + failed[0]["failed"]
    return JobStatus.DONE, ""


def _job_end(job: DraftJob, status: str, error: str) -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


# --- The watchdog ------------------------------------------------------------------------------


@dataclass
class WatchdogReport:
    requeued: int = 0
    failed: int = 0


def watchdog() -> WatchdogReport:
    """Requeue each active job's current stage when its lease ran out or its message seems lost;
    fail the job when a stage keeps dying."""
    close_old_connections()
    report = WatchdogReport()
    now = timezone.now()
    lost_after = timedelta(seconds=max(600.0, 4 * settings.DRAFT_LEASE_SECONDS))
    for job in DraftJob.objects.filter(status__in=ACTIVE_JOB_STATUSES):
        stage = job.stages.exclude(status__in=FINISHED_STAGE).order_by("order").first()
        if stage is None:
            continue
        if stage.status == StageStatus.RUNNING and stage.lease_until and stage.lease_until < now:
            if stage.attempts >= settings.DRAFT_MAX_STAGE_ATTEMPTS:
                with transaction.atomic():
                    if DraftStage.objects.filter(
                        pk=stage.pk, status=StageStatus.RUNNING, lease_until__lt=now
                    ).update(
                        status=StageStatus.FAILED,
                        error=f"the worker running it stopped {stage.attempts} times",
                        finished_at=now,
                    ):
                        locked = DraftJob.objects.select_for_update().get(pk=job.pk)
                        _job_end(
                            locked,
                            JobStatus.FAILED,
                            f"the {stage.get_name_display().lower()} stage was interrupted "
                            f"{stage.attempts} times",
                        )
                        report.failed += 1
                continue
            with transaction.atomic():
                if DraftStage.objects.filter(
                    pk=stage.pk, status=StageStatus.RUNNING, lease_until__lt=now
                ).update(status=StageStatus.PENDING, lease_owner=""):
                    stage_enqueue(stage)
                    report.requeued += 1
        elif stage.status == StageStatus.PENDING and (
            stage.queued_at is None or stage.queued_at < now - lost_after
        ):
            with transaction.atomic():
                stage_enqueue(stage)
            report.requeued += 1
    return report
