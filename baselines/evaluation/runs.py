"""Starting, cancelling and following a model evaluation run."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from baselines.models import (
    ACTIVE_EVAL_STATUSES,
    EvalInput,
    EvalItem,
    EvalItemStatus,
    EvalPrompt,
    EvalStatus,
    Evaluation,
    Study,
    StudyStatus,
)
from drafting.pricing import price_of
from drafting.providers import (
    ProviderNotConfigured,
    provider_problem,
)
from releases.export import release_file
from releases.harness_tasks import task_prompt
from releases.models import Release, ReleaseItem
from sciannot.accounts.models import User
from sciannot.inputs import INT32_MAX, NUL, check_length
from sciannot.queue import require_broker, send_on_commit
from videos.models import Video

MAX_COST = Decimal("1000000")
# What the leaderboard name says about the input; a video run carries the model's name alone.
NAME_SUFFIX = {
    EvalInput.VIDEO: "",
    EvalInput.TEXT: " (text only)",
    EvalInput.TRANSCRIPT: " (text and transcript)",
}


class EvaluationInvalid(ValueError):
    """A run that cannot be started; the message says why."""


@dataclass(frozen=True)
class EvaluationRequest:
    model: str = ""
    input: str = EvalInput.VIDEO
    prompt: str = EvalPrompt.DEFAULT
    temperature: float = 0.0
    max_calls: int | None = None
    max_cost: Decimal | None = None
    include_open_study_items: bool = False


def leaderboard_name(model: str, input: str) -> str:
    return f"{model}{NAME_SUFFIX[EvalInput(input)]}"


def open_studies(release: Release, split: str) -> list[Study]:
    return list(Study.objects.filter(release=release, split=split, status=StudyStatus.OPEN))


def _check_request(release: Release, split: str, request: EvaluationRequest) -> str:
    """The provider model a request resolves to; raises with the reason when it is not valid."""
    problem = provider_problem()
    if problem:
        raise ProviderNotConfigured(problem)
    if not release.sealed:
        raise EvaluationInvalid(f"{release.name} {release.version} is not frozen")
    if split not in release.splits:
        raise EvaluationInvalid(
            f"{release.name} {release.version} has no split {split!r} "
            f"(it has {', '.join(release.splits)})"
        )
    if request.input not in EvalInput.values:
        raise EvaluationInvalid(
            f"unknown input {request.input!r}; use {', '.join(EvalInput.values)}"
        )
    if request.prompt not in EvalPrompt.values:
        raise EvaluationInvalid(
            f"unknown prompt {request.prompt!r}; use {', '.join(EvalPrompt.values)}"
        )
    if not math.isfinite(request.temperature) or not 0 <= request.temperature <= 2:
        raise EvaluationInvalid("the temperature must be between 0 and 2")
    model = " ".join(request.model.split()) or settings.LLM_MODEL
    too_long = check_length(model, kind="name", what="the model's name")
    if too_long or NUL in model:
        raise EvaluationInvalid(too_long or "the model's name contains a NUL character")
    if len(leaderboard_name(model, request.input)) > 200:
        raise EvaluationInvalid("the model's name is too long for the leaderboard")
    if request.max_calls is not None and not 1 <= request.max_calls <= INT32_MAX:
        raise EvaluationInvalid(f"the call budget must be between 1 and {INT32_MAX}")
    if request.max_cost is not None:
        if not request.max_cost.is_finite() or request.max_cost <= 0:
            raise EvaluationInvalid("the cost budget must be more than 0")
        if request.max_cost >= MAX_COST:
            raise EvaluationInvalid(f"the cost budget must be below {MAX_COST} USD")
        if price_of(model) is None:
            raise EvaluationInvalid(
                f"no price is known for the model {model!r}, so a cost budget cannot apply: "
                "add it to LLM_PRICES or leave the cost budget empty"
            )
    return model


def _split_docs(release: Release, split: str) -> list[dict[str, Any]]:
    stored = release_file(release, split, "jsonl")
    if stored is None:
        raise EvaluationInvalid(f"{release.name} {release.version} has no split {split!r}")
    with stored.file.open("rb") as handle:
        return [orjson.loads(line) for line in handle]


def _check_videos(release: Release, docs: list[dict[str, Any]]) -> None:
    wanted = sorted({str(doc["video_id"]) for doc in docs})
    videos = {
        v.video_id: v
        for v in Video.objects.filter(benchmark=release.benchmark_id, video_id__in=wanted)
    }
    without = [vid for vid in wanted if vid not in videos or not videos[vid].original]
    if without:
        shown = ", ".join(without[:5]) + (
            f" and {len(without) - 5} more" if len(without) > 5 else ""
        )
        raise EvaluationInvalid(
            f"the video input needs every video's file, and {shown} "
            f"{'has' if len(without) == 1 else 'have'} none; upload them or choose the text input"
        )


def evaluation_start(
    *, release: Release, split: str, request: EvaluationRequest, user: User | None
) -> Evaluation:
    """Check the request, create the run with a work row per item, and queue its tasks.

    Nothing is created unless the request is valid, no open study's items would be sent
    without the curator's say, and the task queue answers.
    """
    model = _check_request(release, split, request)
    studies = open_studies(release, split)
    if studies and not request.include_open_study_items:
        names = ", ".join(repr(s.name) for s in studies)
        raise EvaluationInvalid(
            f"the study {names} over {release.name} {release.version} ({split}) is open, so "
            "its items are sealed and a provider keeps what it is sent; close the study "
            "first, or tick the override (--include-open-study-items) to send them anyway"
        )
    name = leaderboard_name(model, request.input)
    running = Evaluation.objects.filter(
        release=release, split=split, name=name, status__in=ACTIVE_EVAL_STATUSES
    ).first()
    if running is not None:
        raise EvaluationInvalid(
            f"{name} is already being evaluated on this split (run {running.pk})"
        )
    docs = _split_docs(release, split)
    if request.input == EvalInput.VIDEO:
        _check_videos(release, docs)
    cot = request.prompt == EvalPrompt.COT
    pks = dict(
        ReleaseItem.objects.filter(release=release, split=split).values_list("position", "pk")
    )
    work = [
        EvalItem(
            item_id=pks[position],
            position=position,
            video_id=str(doc["video_id"]),
            prompt=task_prompt(doc, cot=cot),
        )
        for position, doc in enumerate(docs)
    ]
    require_broker()
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            release=release,
            split=split,
            model=model,
            name=name,
            provider=settings.LLM_PROVIDER,
            input=request.input,
            prompt=request.prompt,
            temperature=request.temperature,
            frames=settings.LLM_FRAMES if request.input == EvalInput.VIDEO else 0,
            max_calls=request.max_calls or 2 * len(work),
            max_cost=request.max_cost,
            include_open_study_items=bool(studies) and request.include_open_study_items,
            items_total=len(work),
            cost=Decimal("0") if price_of(model) is not None else None,
            created_by=user,
        )
        for row in work:
            row.evaluation = evaluation
        EvalItem.objects.bulk_create(work, batch_size=2000)
        evaluation_enqueue(evaluation, tasks=settings.EVAL_TASKS)
    return evaluation


def evaluation_enqueue(evaluation: Evaluation, *, tasks: int) -> None:
    """Send tasks for the run once the transaction commits (each takes a batch and then sends
    its successor while work is left, so this many keep going side by side)."""
    from baselines.tasks import send_batch

    batches = math.ceil(evaluation.items_total / settings.EVAL_BATCH_SIZE) or 1
    pk = evaluation.pk
    Evaluation.objects.filter(pk=pk).update(queued_at=timezone.now())
    for _ in range(min(tasks, batches)):
        send_on_commit(
            lambda: send_batch(pk),
            what=f"evaluation {pk}",
            on_failure=lambda: Evaluation.objects.filter(pk=pk).update(queued_at=None),
        )


def evaluation_cancel(evaluation: Evaluation) -> bool:
    """Stop a run: no call is sent after this; nothing is published."""
    changed = Evaluation.objects.filter(pk=evaluation.pk, status__in=ACTIVE_EVAL_STATUSES).update(
        status=EvalStatus.CANCELLED, reason="cancelled by a curator", finished_at=timezone.now()
    )
    evaluation.refresh_from_db()
    return bool(changed)


# --- Progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    total: int
    answered: int
    failed: int
    pending: int
    running: int

    @property
    def finished(self) -> int:
        return self.answered + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100


def evaluation_progress(evaluation: Evaluation) -> Progress:
    counts = dict(
        EvalItem.objects.filter(evaluation=evaluation)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return Progress(
        total=evaluation.items_total,
        answered=counts.get(EvalItemStatus.DONE, 0),
        failed=counts.get(EvalItemStatus.FAILED, 0),
        pending=counts.get(EvalItemStatus.PENDING, 0),
        running=counts.get(EvalItemStatus.RUNNING, 0),
    )
