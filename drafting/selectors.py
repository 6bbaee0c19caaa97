"""What the job page, the video list and the CLI show about drafting jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from drafting.models import DraftJob, DraftStage, LLMCall, StageStatus

FINISHED = (StageStatus.DONE, StageStatus.SKIPPED)


@dataclass
class JobProgress:
    job: DraftJob
    stages: list[DraftStage]
    done: int
    total: int
    current: DraftStage | None
    errors: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        if not self.job.is_active:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def waiting_for_queue(self) -> bool:
        """The job's next stage could not be sent to the broker; the watchdog sends it again."""
        return bool(
            self.job.is_active
            and self.current is not None
            and self.current.status == StageStatus.PENDING
            and self.current.queued_at is None
        )

    def as_dict(self) -> dict[str, Any]:
        job = self.job
        return {
            "job": job.pk,
            "video_id": job.video.video_id,
            "status": job.status,
            "stages_done": self.done,
            "stages": self.total,
            "current_stage": self.current.name if self.current else None,
            "calls": job.calls_made,
            "max_calls": job.max_calls,
            "prompt_tokens": job.prompt_tokens,
            "completion_tokens": job.completion_tokens,
            "cost": str(job.cost) if job.cost is not None else None,
            "estimated_cost": str(job.estimated_cost) if job.estimated_cost is not None else None,
            "drafts": job.drafts_created,
            "waiting_for_queue": self.waiting_for_queue,
            "errors": self.errors,
        }


def job_progress(job: DraftJob) -> JobProgress:
    stages = list(job.stages.order_by("order"))
    done = sum(1 for s in stages if s.status in FINISHED)
    current = next((s for s in stages if s.status not in FINISHED), None)
    errors = [f"{s.get_name_display()}: {s.error}" for s in stages if s.error]
    if job.error and not any(job.error in e for e in errors):
        errors.insert(0, job.error)
    errors += [
        f"question {c['index'] + 1}: {c['failed']}" for c in job.candidates if c.get("failed")
    ]
    return JobProgress(
        job=job, stages=stages, done=done, total=len(stages), current=current, errors=errors
    )


def job_calls(job: DraftJob) -> QuerySet[LLMCall]:
    return job.calls.select_related("stage").defer("attempts", "response_text", "parsed")


def latest_jobs_by_video(video_pks: list[int]) -> dict[int, DraftJob]:
    """Each video's most recent drafting job, for the video list's status column."""
    latest: dict[int, DraftJob] = {}
    for job in DraftJob.objects.filter(video_id__in=video_pks).order_by(
        "video_id", "-created_at", "-pk"
    ):
        latest.setdefault(job.video_id, job)
    return latest


def money(value: Decimal | None) -> str:
    if value is None:
        return "unknown (no price for this model)"
    return f"${value:.4f}"
