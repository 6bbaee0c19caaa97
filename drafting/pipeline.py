"""The drafting stages. Each reads the job's candidates, does its work, and returns its output
and the updated candidates; `run_stage` wraps them with the lease, the heartbeat and the
bookkeeping so that a stage interrupted anywhere can simply be run again.

A candidate in the job's working set:
    {"index": 0, "item": {...CandidateQuestion...}, "flags": [{"kind", "detail", "stage"}],
     "checks": {"verify": {...}, "ground": {...}, "shortcut": {...}},
     "failed": "" or the reason it was dropped, "refined": bool, "original": {...} or None}
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from pydantic import BaseModel, ValidationError

from drafting.checks import grounding_report
from drafting.context import build_context, extract_frames, transcript_lines
from drafting.models import (
    CallStatus,
    Draft,
    DraftJob,
    DraftStage,
    JobStatus,
    LLMCall,
    StageName,
    StageStatus,
)
from drafting.pricing import cost_of
from drafting.prompts import prompt
from drafting.providers import (
    CallFailed,
    GeminiProvider,
    JsonProvider,
    Media,
    provider_from_settings,
)
from drafting.ratelimit import limiter_for
from drafting.schemas import (
    CandidateQuestion,
    GeneratorOutput,
    LooseGeneratorOutput,
    ShortcutAnswer,
    VerifierAnswer,
)
from drafting.services import (
    Heartbeat,
    lease_owner_token,
    stage_claim,
    stage_finish,
    stage_release,
)
from reviews.models import Question, QuestionSource, QuestionStatus, SpanOrigin
from reviews.services.item_format import text_key
from reviews.services.questions import question_set_options, question_set_spans
from reviews.services.revisions import revision_write
from reviews.timeparse import format_timestamp
from sciannot.vocabulary import LETTERS

log = logging.getLogger(__name__)
Model = TypeVar("Model", bound=BaseModel)

# Flags a refinement can fix; failures to run a check are not among them.
CONTENT_FLAGS = ("verifier_disagrees", "ambiguous", "grounding", "answerable_without_video")


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
        if self._provider is None:
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
        record = LLMCall(
            job=self.job,
            stage=self.stage,
            key=key,
            provider=self.provider.name,
            model=self.provider.model,
            prompt_name=template.name,
            prompt_version=template.version,
            prompt_hash=template.sha256,
        )
        started = time.perf_counter()
        try:
            result = self.provider.complete_json(
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
        record.cost = cost_of(self.job.model, result.prompt_tokens, result.completion_tokens)
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


def _flag(candidate: dict[str, Any], kind: str, detail: str, stage: str) -> None:
    candidate.setdefault("flags", []).append({"kind": kind, "detail": detail, "stage": stage})


def _options(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(letter, item["options"][letter]) for letter in LETTERS]


# --- The stages ---------------------------------------------------------------------------------


def stage_context(run: StageRun) -> dict[str, Any]:
    from django.conf import settings

    video = run.job.video
    context = build_context(video, frames=settings.LLM_FRAMES)
    if (
        settings.LLM_GEMINI_UPLOAD_VIDEO
        and isinstance(run.provider, GeminiProvider)
        and video.original
    ):
        from videos.services import local_path

        # The file API takes the whole video; frames are then not needed.
        with local_path(video.original) as path:
            uploaded = run.provider.upload_video(str(path), f"video {video.video_id}")
        context["video_uri"] = uploaded.uri
        context["frame_times"] = []
    return context


def _agent_variables(run: StageRun) -> dict[str, Any]:
    context = run.context
    return {
        "video": context["video"],
        "transcript": context["transcript"],
        "manuscript": context["manuscript"],
        "exemplars": context["exemplars"],
        "frames": bool(context.get("frame_times") or context.get("video_uri")),
    }


def stage_generate(run: StageRun) -> dict[str, Any]:
    variables = {
        **_agent_variables(run),
        "count": run.job.count,
        "type_mix": sorted(run.job.type_mix.items()),
    }
    try:
        raw = run.call("generate", "generator", variables, GeneratorOutput, run.media())
        items: list[tuple[dict[str, Any] | None, str]] = [
            (c.model_dump(mode="json"), "") for c in raw.candidates
        ]
    except CallFailed as exc:
        items = _salvage(exc)
        if not items:
            raise
    run.candidates = [
        {
            "index": n,
            "item": item,
            "flags": [],
            "checks": {},
            "failed": f"the generator's question was invalid: {problem}" if problem else "",
            "refined": False,
            "original": None,
        }
        for n, (item, problem) in enumerate(items[: run.job.count])
    ]
    kept = len(run.live())
    return {"candidates": len(items), "valid": kept, "dropped": max(0, len(items) - run.job.count)}


def _salvage(exc: CallFailed) -> list[tuple[dict[str, Any] | None, str]]:
    """When the generator's whole reply never validated, keep the questions in its last reply
    that are valid on their own; each invalid one fails alone."""
    text = exc.attempts[-1].response_text if exc.attempts else ""
    try:
        loose = LooseGeneratorOutput.model_validate_json(text)
    except ValidationError:
        return []
    items: list[tuple[dict[str, Any] | None, str]] = []
    for raw in loose.candidates:
        try:
            items.append((CandidateQuestion.model_validate(raw).model_dump(mode="json"), ""))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "question"
            items.append((None, f"{where}: {first['msg']}"))
    return items if any(item for item, _ in items) else []


def _verify(run: StageRun, candidate: dict[str, Any], key: str, stage: str) -> None:
    item = candidate["item"]
    variables = {**_agent_variables(run), "question": item["question"], "options": _options(item)}
    try:
        answer = run.call(key, "verifier", variables, VerifierAnswer, run.media())
    except BudgetReached as exc:
        _flag(candidate, "unchecked", f"not verified: {exc}", stage)
        return
    except CallFailed as exc:
        candidate["failed"] = f"the verifier's call failed: {exc.reason}"
        return
    result = answer.model_dump(mode="json")
    candidate["checks"][stage] = result
    if answer.answer != item["answer"]:
        _flag(
            candidate,
            "verifier_disagrees",
            f"the verifier answered {answer.answer}, the key is {item['answer']}: "
            f"{answer.reasoning}",
            stage,
        )
    others = sorted(set(answer.also_defensible) - {item["answer"]})
    if others:
        _flag(
            candidate,
            "ambiguous",
            f"the verifier argues {', '.join(others)} could also be right: {answer.argument}",
            stage,
        )


def _ground(run: StageRun, candidate: dict[str, Any], stage: str) -> None:
    report = grounding_report(
        candidate["item"],
        duration=run.job.video.duration,
        cues=transcript_lines(run.job.video),
    )
    candidate["checks"][stage] = report
    for problem in report["problems"]:
        _flag(candidate, "grounding", problem, stage)


def _shortcut(run: StageRun, candidate: dict[str, Any], key: str, stage: str) -> None:
    item = candidate["item"]
    variables = {"question": item["question"], "options": _options(item)}
    try:
        answer = run.call(key, "shortcut", variables, ShortcutAnswer)
    except BudgetReached as exc:
        _flag(candidate, "unchecked", f"shortcut check not run: {exc}", stage)
        return
    except CallFailed as exc:
        candidate["failed"] = f"the shortcut check's call failed: {exc.reason}"
        return
    candidate["checks"][stage] = answer.model_dump(mode="json")
    if answer.answer == item["answer"]:
        _flag(
            candidate,
            "answerable_without_video",
            f"answerable without the video: from the text alone the key {answer.answer} was chosen",
            stage,
        )


def stage_verify(run: StageRun) -> dict[str, Any]:
    for candidate in run.live():
        _verify(run, candidate, f"verify:{candidate['index']}", "verify")
    return _summary(run, "verify")


def stage_ground(run: StageRun) -> dict[str, Any]:
    for candidate in run.live():
        _ground(run, candidate, "ground")
    return _summary(run, "ground")


def stage_shortcut(run: StageRun) -> dict[str, Any]:
    for candidate in run.live():
        _shortcut(run, candidate, f"shortcut:{candidate['index']}", "shortcut")
    return _summary(run, "shortcut")


def stage_refine(run: StageRun) -> dict[str, Any]:
    refined = 0
    for candidate in run.live():
        problems = [f["detail"] for f in candidate["flags"] if f["kind"] in CONTENT_FLAGS]
        if not problems:
            continue
        variables = {
            "video": run.context["video"],
            "transcript": run.context["transcript"],
            "candidate_json": json.dumps(candidate["item"], ensure_ascii=False, indent=2),
            "problems": problems,
        }
        try:
            better = run.call(
                f"refine:{candidate['index']}", "refiner", variables, CandidateQuestion
            )
        except BudgetReached as exc:
            _flag(candidate, "unchecked", f"not refined: {exc}", "refine")
            continue
        except CallFailed as exc:
            # The draft as it was, with its flags, is still worth a reviewer's look.
            _flag(candidate, "refine_failed", f"the refiner's call failed: {exc.reason}", "refine")
            continue
        candidate["original"] = candidate["item"]
        candidate["item"] = better.model_dump(mode="json")
        candidate["refined"] = True
        candidate["flags_before_refine"] = candidate["flags"]
        candidate["flags"] = []
        refined += 1
    return {"refined": refined}


def stage_recheck(run: StageRun) -> dict[str, Any]:
    for candidate in run.live():
        if not candidate.get("refined"):
            continue
        index = candidate["index"]
        _verify(run, candidate, f"reverify:{index}", "recheck_verify")
        if not candidate.get("failed"):
            _ground(run, candidate, "recheck_ground")
        if not candidate.get("failed"):
            _shortcut(run, candidate, f"reshortcut:{index}", "recheck_shortcut")
    return _summary(run, "recheck")


def _summary(run: StageRun, stage: str) -> dict[str, Any]:
    flagged = [
        c["index"] for c in run.live() if any(f["stage"].endswith(stage) for f in c["flags"])
    ]
    return {
        "checked": len(run.live()),
        "flagged": flagged,
        "failed": [c["index"] for c in run.candidates if c.get("failed")],
    }


def stage_save(run: StageRun) -> dict[str, Any]:
    """Every surviving candidate becomes a draft question, exactly once."""
    job = run.job
    video = job.video
    context = run.context["video"]
    created = []
    with transaction.atomic():
        saved = set(Draft.objects.filter(job=job).values_list("index", flat=True))
        taken = set(video.questions.values_list("question_id", flat=True))
        next_id = 1 + max((int(q) for q in taken if q.isascii() and q.isdigit()), default=0)
        for candidate in run.live():
            if candidate["index"] in saved:
                continue
            item = candidate["item"]
            key = text_key(item["question"])
            twin = video.questions.filter(text_key=key).first()
            if twin is not None:
                candidate["failed"] = f"the same question already exists ({twin.uid})"
                continue
            spans = [(s["start"], s["end"], s["note"]) for s in item["evidence"]]
            question = Question(
                video=video,
                question_id=str(next_id),
                text=item["question"],
                text_key=key,
                question_type=item["question_type"],
                answer=item["answer"],
                discipline=video.discipline or context["discipline"],
                category=context["category"],
                subject=video.subject,
                rationale=item["rationale"],
                timestamp_breakdown=[
                    f"{format_timestamp(a)}-{format_timestamp(b)}: {note}" for a, b, note in spans
                ],
                status=QuestionStatus.DRAFT,
                source=QuestionSource.LLM,
                flags=[
                    {"kind": f["kind"], "detail": f["detail"], "version": 1}
                    for f in candidate["flags"]
                ],
            )
            try:
                with transaction.atomic():
                    question.save()
                    question_set_options(question, item["options"])
                    question_set_spans(
                        question, [(a, b, note, SpanOrigin.BREAKDOWN) for a, b, note in spans]
                    )
                    revision_write(
                        question=question,
                        author=None,
                        reason=f"drafted by {job.model} (drafting job {job.pk})",
                    )
                    Draft.objects.create(
                        job=job, index=candidate["index"], question=question, record=candidate
                    )
            except IntegrityError as exc:
                candidate["failed"] = f"could not be saved: {exc}"
                continue
            next_id += 1
            created.append(question.uid)
        total = Draft.objects.filter(job=job).count()
        DraftJob.objects.filter(pk=job.pk).update(drafts_created=total)
        job.drafts_created = total
    return {"created": created, "drafts": total}


STAGES: dict[str, Callable[[StageRun], dict[str, Any]]] = {
    StageName.CONTEXT: stage_context,
    StageName.GENERATE: stage_generate,
    StageName.VERIFY: stage_verify,
    StageName.GROUND: stage_ground,
    StageName.SHORTCUT: stage_shortcut,
    StageName.REFINE: stage_refine,
    StageName.RECHECK: stage_recheck,
    StageName.SAVE: stage_save,
}


def run_stage(stage_pk: int) -> str:
    """Claim the stage, run it under a renewed lease and record its result.

    Returns what happened, for logs and tests: "claimed-elsewhere", "done", "cancelled",
    "lease-lost" or "failed".
    """
    owner = lease_owner_token()
    stage = stage_claim(stage_pk, owner)
    if stage is None:
        return "claimed-elsewhere"
    with Heartbeat(stage, owner) as heartbeat:
        run = StageRun(stage, heartbeat)
        try:
            output = STAGES[stage.name](run)
        except JobCancelled:
            stage_release(stage, owner, status=StageStatus.CANCELLED, error="the job was cancelled")
            return "cancelled"
        except LeaseLost:
            return "lease-lost"
        except BudgetReached as exc:
            # Only the generator ends up here: nothing was drafted, so the job ends.
            stage_finish(
                stage, owner, status=StageStatus.SKIPPED, output={}, candidates=None, error=str(exc)
            )
            return "done"
        except Exception as exc:
            if isinstance(exc, CallFailed):
                reason = exc.reason
            else:
                log.exception("drafting stage %s of job %s failed", stage.name, stage.job_id)
                reason = f"{type(exc).__name__}: {exc}"
            stage_finish(
                stage,
                owner,
                status=StageStatus.FAILED,
                output={},
                candidates=None,
                error=f"{stage.get_name_display()}: {reason}",
            )
            return "failed"
        if heartbeat.lost.is_set():
            return "lease-lost"
        finished = stage_finish(
            stage, owner, status=StageStatus.DONE, output=output, candidates=run.candidates
        )
    return "done" if finished else "lease-lost"
