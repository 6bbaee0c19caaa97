"""One run of one drafting stage: its job, context and candidates, and its LLM calls, each
made at most once per job (a stage run again replays the record), checked against the job's
cancellation, lease and budget before it is sent, and counted with its tokens and cost."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from pydantic import BaseModel

from drafting.context import extract_frames
from drafting.models import (
    CallStatus,
    DraftJob,
    DraftStage,
    JobStatus,
    LLMCall,
    StageName,
)
from drafting.pricing import cost_of
from drafting.prompts import prompt
from drafting.providers import (
    CallFailed,
    JsonProvider,
    Media,
    provider_from_settings,
)
from drafting.ratelimit import limiter_for
from drafting.recording import RECORDED, provider_for_job, recorded_price
from drafting.services import (
    Heartbeat,
)

Model = TypeVar("Model", bound=BaseModel)


class JobCancelled(Exception):
    pass


class LeaseLost(Exception):
    pass


class BudgetReached(Exception):
    pass


class StageRun:
    """One run of one stage: its job, context, candidates, and the way it calls the LLM."""

    def __init__(self, stage: DraftStage, heartbeat: Heartbeat) -> None:
        self.stage = stage
        self.job: DraftJob = stage.job
        self.heartbeat = heartbeat
        self.candidates: list[dict[str, Any]] = json.loads(json.dumps(self.job.candidates))
        self._provider: JsonProvider | None = None
        self._frames: list[Media] | None = None
        context_stage = self.job.stages.filter(name=StageName.CONTEXT).first()
        self.context: dict[str, Any] = context_stage.output if context_stage else {}

    @property
    def provider(self) -> JsonProvider:
        """The deployment's provider; for a recorded job, its recording (no key, no network)."""
        if self._provider is None:
            if self.job.provider == RECORDED:
                self._provider = provider_for_job(self.job)
            else:
                self._provider = provider_from_settings(
                    model=self.job.model, limiter=limiter_for(self.job.provider, self.job.model)
                )
        return self._provider

    def live(self) -> list[dict[str, Any]]:
        return [c for c in self.candidates if not c.get("failed")]

    def media(self) -> list[Media]:
        """The video as the agents see it: the uploaded file, or frames with their times."""
        if self._frames is None:
            if self.context.get("video_uri"):
                self._frames = [
                    Media(label="The video", mime="video/mp4", uri=self.context["video_uri"])
                ]
            else:
                self._frames = extract_frames(self.job.video, self.context.get("frame_times", []))
        return self._frames

    def checkpoint(self) -> None:
        """Before each call: stop if the job was cancelled, the lease lost, or the budget spent.

        One stage of a job runs at a time, so reading the budget here and counting the call
        when it is recorded cannot let two calls through on the last unit of budget.
        """
        job = (
            DraftJob.objects.filter(pk=self.job.pk)
            .values("status", "calls_made", "max_calls", "cost", "max_cost")
            .get()
        )
        if job["status"] == JobStatus.CANCELLED:
            raise JobCancelled
        if self.heartbeat.lost.is_set():
            raise LeaseLost
        over_cost = (
            job["max_cost"] is not None
            and job["cost"] is not None
            and job["cost"] >= job["max_cost"]
        )
        if job["calls_made"] >= job["max_calls"] or over_cost:
            DraftJob.objects.filter(pk=self.job.pk).update(budget_reached=True)
            spent = f"{job['calls_made']} of {job['max_calls']} calls"
            if job["max_cost"] is not None:
                spent += f", ${job['cost']} of ${job['max_cost']}"
            raise BudgetReached(f"the job's budget is spent ({spent})")

    def call(
        self,
        key: str,
        prompt_name: str,
        variables: dict[str, Any],
        schema: type[Model],
        media: Sequence[Media] = (),
    ) -> Model:
        """One LLM call, made at most once per job: a stage run again replays the record."""
        done = LLMCall.objects.filter(job=self.job, key=key).first()
        if done is not None:
            if done.status == CallStatus.OK:
                return schema.model_validate(done.parsed)
            raise CallFailed(done.error, [])
        self.checkpoint()
        template = prompt(prompt_name)
        system, user = template.render(variables)
        provider = self.provider.for_call(key)
        record = LLMCall(
            job=self.job,
            stage=self.stage,
            key=key,
            provider=provider.name,
            model=provider.model,
            prompt_name=template.name,
            prompt_version=template.version,
            prompt_hash=template.sha256,
        )
        started = time.perf_counter()
        try:
            result = provider.complete_json(
                system=system,
                user=user,
                schema=schema,
                temperature=self.job.temperature,
                media=media,
            )
        except CallFailed as exc:
            record.status = CallStatus.FAILED
            record.error = exc.reason
            record.attempts = [vars(a) for a in exc.attempts]
            record.response_text = exc.attempts[-1].response_text if exc.attempts else ""
            record.retries = max(0, len(exc.attempts) - 1)
            record.latency_ms = round((time.perf_counter() - started) * 1000)
            self._save_call(record)
            raise
        record.status = CallStatus.OK
        record.model = result.model
        record.attempts = [vars(a) for a in result.attempts]
        record.response_text = result.attempts[-1].response_text
        record.parsed = result.value.model_dump(mode="json")
        record.prompt_tokens = result.prompt_tokens
        record.completion_tokens = result.completion_tokens
        record.latency_ms = round(result.latency * 1000)
        record.retries = result.retries
        record.cost = cost_of(
            self.job.model,
            result.prompt_tokens,
            result.completion_tokens,
            recorded_price(self.job),
        )
        self._save_call(record)
        return result.value

    def _save_call(self, record: LLMCall) -> None:
        with transaction.atomic():
            record.save()
            update: dict[str, Any] = {
                "calls_made": F("calls_made") + 1,
                "prompt_tokens": F("prompt_tokens") + record.prompt_tokens,
                "completion_tokens": F("completion_tokens") + record.completion_tokens,
            }
            if record.cost is not None:
                update["cost"] = Coalesce(F("cost"), Decimal("0")) + record.cost
            DraftJob.objects.filter(pk=self.job.pk).update(**update)
