"""The drafting stages. Each is given a `drafting.stage_run.StageRun`, reads the job's
candidates, does its work, and returns its output and the updated candidates; `run_stage`
wraps them with the lease, the heartbeat and the bookkeeping so that a stage interrupted
anywhere can simply be run again.

A candidate in the job's working set:
    {"index": 0, "item": {...CandidateQuestion...}, "flags": [{"kind", "detail", "stage"}],
     "checks": {"verify": {...}, "ground": {...}, "shortcut": {...}},
     "failed": "" or the reason it was dropped, "refined": bool, "original": {...} or None}
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from pydantic import ValidationError

from drafting.checks import grounding_report
from drafting.context import build_context, transcript_lines
from drafting.models import (
    Draft,
    DraftJob,
    StageName,
    StageStatus,
)
from drafting.providers import (
    CallFailed,
    GeminiProvider,
)
from drafting.schemas import (
    CandidateQuestion,
    GeneratorOutput,
    LooseGeneratorOutput,
    ShortcutAnswer,
    VerifierAnswer,
)
from drafting.services import (
    FINISHED_STAGE,
    Heartbeat,
    lease_owner_token,
    stage_claim,
    stage_finish,
    stage_release,
)
from drafting.stage_run import BudgetReached, JobCancelled, LeaseLost, StageRun
from reviews.models import Question, QuestionSource, QuestionStatus, SpanOrigin
from reviews.services.item_format import text_key
from reviews.services.questions import question_set_options, question_set_spans
from reviews.services.revisions import revision_write
from reviews.timeparse import format_timestamp
from sciannot.vocabulary import LETTERS

log = logging.getLogger(__name__)

# Flags a refinement can fix; failures to run a check are not among them.
CONTENT_FLAGS = ("verifier_disagrees", "ambiguous", "grounding", "answerable_without_video")


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
        from videos.stored_files import local_path

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
        c["index"] for c in run.live() if any(f["stage"].startswith(stage) for f in c["flags"])
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


def run_stage(stage_pk: int, *, send_next: bool = True) -> str:
    """Claim the stage, run it under a renewed lease and record its result; with `send_next`,
    queue the next stage for the workers.

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
            stage,
            owner,
            status=StageStatus.DONE,
            output=output,
            candidates=run.candidates,
            send_next=send_next,
        )
    return "done" if finished else "lease-lost"


def job_run_here(job_pk: int, *, timeout: float = 600.0) -> DraftJob:
    """Run a job's stages one after another in this process, sending nothing to the workers
    (a recorded job seeded with the demo, where no worker need be running). A stage a worker
    holds is waited for; returns the job as it ended, or as it is when `timeout` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        job = DraftJob.objects.get(pk=job_pk)
        stage = job.stages.exclude(status__in=FINISHED_STAGE).order_by("order").first()
        if not job.is_active or stage is None or time.monotonic() > deadline:
            return job
        if run_stage(stage.pk, send_next=False) in ("claimed-elsewhere", "lease-lost"):
            time.sleep(0.5)
