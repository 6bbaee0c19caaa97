"""Evaluating a model on a release split inside the app, with drafting's provider machinery.

A run (`Evaluation`) has one work row per item (`EvalItem`) holding the exported task's prompt
for it, byte for byte. Celery tasks take the rows in batches by a conditional update that
gives them a lease, renewed while they work; a row whose worker died is taken again once its
lease ran out (by the next task, or by the tasks the watchdog sends). Each item gets at most
one LLM call (`EvalCall`), recorded with every attempt's request (pictures as references), the
raw reply, tokens, latency and cost; an item run again replays that record instead of paying
twice. Calls go through the shared rate limit and the provider's retries.

Before a call is sent it takes one unit of the call budget with a conditional update, which
also refuses once the run was cancelled or its cost budget is spent, so two workers cannot
both spend the last unit; a cost can still overrun by the calls already in flight.

When no item is left (or the budget stopped the run), the replies are read by the shared reply
reader and stored as a `ModelRun` exactly as `import_predictions` stores a file's, so the run
takes its place on the leaderboard with its careful and official-rule rows.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from baselines.models import (
    ACTIVE_EVAL_STATUSES,
    EvalCall,
    EvalCallStatus,
    EvalInput,
    EvalItem,
    EvalItemStatus,
    EvalPrompt,
    EvalStatus,
    Evaluation,
    ModelRun,
    PredictionFormat,
    RunOrigin,
    Study,
    StudyStatus,
)
from baselines.predictions import (
    missing_prediction,
    scored_prediction,
    split_facts,
    store_run,
)
from drafting.context import extract_frames, frame_times, transcript_lines
from drafting.pricing import cost_of, price_of
from drafting.providers import (
    CallFailed,
    GeminiProvider,
    JsonProvider,
    Media,
    ProviderNotConfigured,
    provider_from_settings,
    provider_problem,
)
from drafting.ratelimit import limiter_for
from drafting.services import lease_owner_token
from releases.export import release_file
from releases.harness.reply_reader import release_key
from releases.harness_tasks import task_prompt
from releases.models import Release, ReleaseItem
from reviews.timeparse import format_timestamp
from sciannot.accounts.models import User
from sciannot.inputs import INT32_MAX, NUL, check_length
from sciannot.queue import require_broker, send_on_commit, send_safely
from videos.models import Video

log = logging.getLogger(__name__)

MAX_COST = Decimal("1000000")
# What the leaderboard name says about the input; a video run carries the model's name alone.
NAME_SUFFIX = {
    EvalInput.VIDEO: "",
    EvalInput.TEXT: " (text only)",
    EvalInput.TRANSCRIPT: " (text and transcript)",
}
NARRATION_INTRO = "The narration of the video, with its times:\n"
UNFINISHED = (EvalItemStatus.PENDING, EvalItemStatus.RUNNING)


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


# --- The work: claiming items, asking, recording --------------------------------------------


def _lease_until() -> Any:
    return timezone.now() + timedelta(seconds=settings.EVAL_LEASE_SECONDS)


def _claimable(now: Any) -> Q:
    return Q(status=EvalItemStatus.PENDING) | Q(status=EvalItemStatus.RUNNING, lease_until__lt=now)


def items_claim(evaluation_pk: int, owner: str, size: int) -> list[EvalItem]:
    """Take up to `size` pending items (or items whose holder's lease ran out) with a lease.

    An item whose workers died too often fails instead of being taken again.
    """
    now = timezone.now()
    EvalItem.objects.filter(
        evaluation_id=evaluation_pk,
        status=EvalItemStatus.RUNNING,
        lease_until__lt=now,
        attempts__gte=settings.EVAL_MAX_ITEM_ATTEMPTS,
    ).update(
        status=EvalItemStatus.FAILED,
        error="the worker asking it stopped each time it was taken",
        finished_at=now,
    )
    with transaction.atomic():
        pks = list(
            EvalItem.objects.select_for_update(skip_locked=True)
            .filter(evaluation_id=evaluation_pk)
            .filter(_claimable(now))
            .order_by("position")
            .values_list("pk", flat=True)[:size]
        )
        if not pks:
            return []
        EvalItem.objects.filter(pk__in=pks).filter(_claimable(now)).update(
            status=EvalItemStatus.RUNNING,
            lease_owner=owner,
            lease_until=_lease_until(),
            attempts=F("attempts") + 1,
        )
    return list(
        EvalItem.objects.filter(pk__in=pks, lease_owner=owner, status=EvalItemStatus.RUNNING)
        .select_related("item")
        .order_by("position")
    )


def _items_release(pks: list[int], owner: str) -> None:
    EvalItem.objects.filter(pk__in=pks, lease_owner=owner, status=EvalItemStatus.RUNNING).update(
        status=EvalItemStatus.PENDING, lease_owner="", lease_until=None
    )


class LeaseKeeper:
    """Renews the leases of a batch's items from a background thread while it is worked on."""

    def __init__(self, pks: list[int], owner: str) -> None:
        self.pks = pks
        self.owner = owner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eval-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = max(0.2, settings.EVAL_LEASE_SECONDS / 3)
        try:
            while not self._stop.wait(interval):
                EvalItem.objects.filter(
                    pk__in=self.pks, lease_owner=self.owner, status=EvalItemStatus.RUNNING
                ).update(lease_until=_lease_until())
        finally:
            connection.close()


class Stop(Exception):
    """The run was cancelled or its budget is spent: no more calls."""


class Asker:
    """What a batch needs to ask its items: the provider, and each video's pictures or
    narration, made once per video."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self._provider: JsonProvider | None = None
        self._media: dict[str, list[Media]] = {}
        self._narration: dict[str, str] = {}

    @property
    def provider(self) -> JsonProvider:
        if self._provider is None:
            ev = self.evaluation
            self._provider = provider_from_settings(
                model=ev.model, limiter=limiter_for(ev.provider, ev.model)
            )
        return self._provider

    def _video(self, video_id: str) -> Video | None:
        return Video.objects.filter(
            benchmark=self.evaluation.release.benchmark_id, video_id=video_id
        ).first()

    def media(self, video_id: str) -> list[Media]:
        if self.evaluation.input != EvalInput.VIDEO:
            return []
        if video_id not in self._media:
            video = self._video(video_id)
            if video is None:
                self._media[video_id] = []
            elif settings.LLM_GEMINI_UPLOAD_VIDEO and isinstance(self.provider, GeminiProvider):
                self._media[video_id] = [self._uploaded(video)]
            else:
                times = frame_times(video, self.evaluation.frames)
                self._media[video_id] = extract_frames(video, times)
        return self._media[video_id]

    def _uploaded(self, video: Video) -> Media:
        """The whole video through Gemini's file API, uploaded once per run."""
        from videos.stored_files import local_path

        ev = self.evaluation
        known = Evaluation.objects.filter(pk=ev.pk).values_list("uploads", flat=True).get()
        uri = (known or {}).get(video.video_id)
        if not uri:
            assert isinstance(self.provider, GeminiProvider)
            with local_path(video.original) as path:
                uri = self.provider.upload_video(str(path), f"video {video.video_id}").uri
            with transaction.atomic():
                locked = Evaluation.objects.select_for_update().get(pk=ev.pk)
                uploads = dict(locked.uploads or {})
                uri = uploads.setdefault(video.video_id, uri)
                locked.uploads = uploads
                locked.save(update_fields=["uploads"])
        return Media(label="The video", mime="video/mp4", uri=uri)

    def messages(self, work: EvalItem) -> list[dict[str, str]]:
        """The task's prompt as the one user message; with the transcript input, the
        narration goes first, in a message of its own, so the prompt stays as exported."""
        prompt = {"role": "user", "content": work.prompt}
        if self.evaluation.input != EvalInput.TRANSCRIPT:
            return [prompt]
        if work.video_id not in self._narration:
            video = self._video(work.video_id)
            lines = transcript_lines(video) if video is not None else []
            self._narration[work.video_id] = "\n".join(
                f"{format_timestamp(start)}  {text}" for start, _end, text in lines
            )
        narration = self._narration[work.video_id] or "(this video has no narration)"
        return [{"role": "user", "content": NARRATION_INTRO + narration}, prompt]


def _take_call(evaluation_pk: int) -> None:
    """Spend one call of the budget, or raise Stop (cancelled, or a budget spent)."""
    within_cost = Q(max_cost__isnull=True) | Q(cost__isnull=True) | Q(cost__lt=F("max_cost"))
    taken = (
        Evaluation.objects.filter(
            pk=evaluation_pk, status=EvalStatus.RUNNING, calls_made__lt=F("max_calls")
        )
        .filter(within_cost)
        .update(calls_made=F("calls_made") + 1)
    )
    if taken:
        return
    ev = Evaluation.objects.get(pk=evaluation_pk)
    if ev.status != EvalStatus.RUNNING:
        raise Stop(ev.status)
    if ev.calls_made >= ev.max_calls:
        reason = f"the call budget is spent ({ev.calls_made} of {ev.max_calls} calls)"
    else:
        reason = f"the cost budget is spent (${ev.cost} of ${ev.max_cost})"
    Evaluation.objects.filter(pk=evaluation_pk, status=EvalStatus.RUNNING).update(
        status=EvalStatus.BUDGET, reason=reason
    )
    raise Stop(reason)


def _answer(asker: Asker, work: EvalItem, owner: str) -> str:
    """Ask one item (or replay its recorded call) and record the result; returns how."""
    ev = asker.evaluation
    recorded = EvalCall.objects.filter(work=work).first()
    if recorded is not None:
        _item_finish(work, owner, recorded)
        return "replayed"
    _take_call(ev.pk)
    media = asker.media(work.video_id)
    messages = asker.messages(work)
    record = EvalCall(evaluation=ev, work=work, provider=asker.provider.name, model=ev.model)
    try:
        result = asker.provider.complete_text(
            messages=messages, temperature=ev.temperature, media=media
        )
    except CallFailed as exc:
        record.status = EvalCallStatus.FAILED
        record.error = exc.reason
        record.attempts = [vars(a) for a in exc.attempts]
        record.response_text = exc.attempts[-1].response_text if exc.attempts else ""
        record.retries = max(0, len(exc.attempts) - 1)
    else:
        record.status = EvalCallStatus.OK
        record.model = result.model
        record.attempts = [vars(a) for a in result.attempts]
        record.response_text = result.text
        record.refusal = result.refusal
        record.prompt_tokens = result.prompt_tokens
        record.completion_tokens = result.completion_tokens
        record.latency_ms = round(result.latency * 1000)
        record.retries = result.retries
        record.cost = cost_of(ev.model, result.prompt_tokens, result.completion_tokens)
    try:
        with transaction.atomic():
            record.save()
            update: dict[str, Any] = {
                "prompt_tokens": F("prompt_tokens") + record.prompt_tokens,
                "completion_tokens": F("completion_tokens") + record.completion_tokens,
            }
            if record.cost is not None:
                update["cost"] = Coalesce(F("cost"), Decimal("0")) + record.cost
            Evaluation.objects.filter(pk=ev.pk).update(**update)
            _item_finish(work, owner, record)
    except IntegrityError:
        # Another worker took the item over (its lease had run out) and recorded first:
        # its record counts.
        return "taken-over"
    return "asked"


def _item_finish(work: EvalItem, owner: str, call: EvalCall) -> None:
    ok = call.status == EvalCallStatus.OK
    EvalItem.objects.filter(pk=work.pk, lease_owner=owner, status=EvalItemStatus.RUNNING).update(
        status=EvalItemStatus.DONE if ok else EvalItemStatus.FAILED,
        reply=call.response_text if ok else "",
        error="" if ok else call.error,
        finished_at=timezone.now(),
    )


def run_batch(evaluation_pk: int) -> str:
    """One task's work: claim a batch, ask its items, publish the run if it was the last,
    and send a successor while items are left. Returns what happened, for logs and tests."""
    ev = Evaluation.objects.select_related("release").filter(pk=evaluation_pk).first()
    if ev is None or ev.status not in ACTIVE_EVAL_STATUSES:
        if ev is not None:
            evaluation_finish(ev.pk)
        return "inactive"
    Evaluation.objects.filter(pk=ev.pk, status=EvalStatus.QUEUED).update(
        status=EvalStatus.RUNNING, started_at=timezone.now()
    )
    ev.status = EvalStatus.RUNNING
    owner = lease_owner_token()
    batch = items_claim(ev.pk, owner, settings.EVAL_BATCH_SIZE)
    if not batch:
        evaluation_finish(ev.pk)
        return "nothing-left"
    asker = Asker(ev)
    outcome = "done"
    with LeaseKeeper([w.pk for w in batch], owner):
        for number, work in enumerate(batch):
            try:
                _answer(asker, work, owner)
            except Stop:
                _items_release([w.pk for w in batch[number:]], owner)
                outcome = "stopped"
                break
            except ProviderNotConfigured as exc:
                _items_release([w.pk for w in batch[number:]], owner)
                _fail(ev.pk, str(exc))
                return "failed"
            except Exception as exc:
                log.exception("evaluation %s: item %s failed", ev.pk, work.position)
                _items_release([w.pk for w in batch[number:]], owner)
                _fail(ev.pk, f"{type(exc).__name__}: {exc}")
                return "failed"
    evaluation_finish(ev.pk)
    if outcome == "done" and _has_pending(ev.pk):
        from baselines.tasks import send_batch

        pk = ev.pk
        send_safely(
            lambda: send_batch(pk),
            what=f"evaluation {pk}",
            on_failure=lambda: Evaluation.objects.filter(pk=pk).update(queued_at=None),
        )
    return outcome


def _has_pending(evaluation_pk: int) -> bool:
    return Evaluation.objects.filter(
        pk=evaluation_pk,
        status=EvalStatus.RUNNING,
        work__status=EvalItemStatus.PENDING,
    ).exists()


def _fail(evaluation_pk: int, reason: str) -> None:
    Evaluation.objects.filter(pk=evaluation_pk, status__in=ACTIVE_EVAL_STATUSES).update(
        status=EvalStatus.FAILED, reason=reason, finished_at=timezone.now()
    )


# --- Publishing ----------------------------------------------------------------------------


def evaluation_finish(evaluation_pk: int) -> bool:
    """Publish the run once nothing is in flight: every item answered or failed, or the
    budget stopped it. True if this call published it."""
    now = timezone.now()
    with transaction.atomic():
        ev = Evaluation.objects.select_for_update().select_related("release").get(pk=evaluation_pk)
        # A run ends once: a published run removed from the leaderboard stays removed.
        ended = ev.finished_at is not None or ev.model_run_id is not None
        if ended or ev.status not in (EvalStatus.RUNNING, EvalStatus.BUDGET):
            return False
        work = EvalItem.objects.filter(evaluation=ev)
        if work.filter(status=EvalItemStatus.RUNNING, lease_until__gte=now).exists():
            return False
        if ev.status == EvalStatus.RUNNING and work.filter(status__in=UNFINISHED).exists():
            return False
        answered = dict(work.filter(status=EvalItemStatus.DONE).values_list("item_id", "reply"))
        if not answered:
            first = work.exclude(error="").values_list("error", flat=True).first()
            ev.status = EvalStatus.FAILED
            ev.reason = ev.reason or f"no item got a reply{': ' + first if first else ''}"
            ev.finished_at = now
            ev.save(update_fields=["status", "reason", "finished_at"])
            return False
        ev.model_run = _publish(ev, answered)
        if ev.status == EvalStatus.RUNNING:
            ev.status = EvalStatus.DONE
        ev.finished_at = now
        ev.save(update_fields=["model_run", "status", "finished_at"])
    return True


def run_settings(ev: Evaluation) -> dict[str, Any]:
    return {
        "evaluation": ev.pk,
        "provider": ev.provider,
        "model": ev.model,
        "input": ev.input,
        "prompt": ev.prompt,
        "temperature": ev.temperature,
        "frames": ev.frames,
        "max_calls": ev.max_calls,
        "max_cost": str(ev.max_cost) if ev.max_cost is not None else None,
        "include_open_study_items": ev.include_open_study_items,
    }


def _publish(ev: Evaluation, answered: dict[int, str]) -> ModelRun:
    """The replies as a leaderboard run, scored exactly as `import_predictions` scores a
    file's (the same reader, the same rows, the same replacement of an earlier run)."""
    release = ev.release
    facts = split_facts(release, ev.split)
    seed = release_key(release.name, release.version)
    rows = []
    digest = hashlib.sha256()
    for position, fact in enumerate(facts):
        reply = answered.get(fact.pk)
        if reply is None:
            rows.append(missing_prediction(fact))
            continue
        digest.update(orjson.dumps({"uid": fact.uid, "prediction": reply}) + b"\n")
        rows.append(
            scored_prediction(
                fact, reply, seed, line=position + 1, raw={"evaluation": ev.pk, "uid": fact.uid}
            )
        )
    run, _ = store_run(
        rows,
        release=release,
        split=ev.split,
        model=ev.name,
        format=PredictionFormat.APP,
        file_name=f"evaluation {ev.pk}",
        file_sha256=digest.hexdigest(),
        lines=len(answered),
        unmatched=[],
        unchecked=0,
        imported_by=ev.created_by,
        origin=RunOrigin.APP,
        run_settings=run_settings(ev),
    )
    return run


# --- The watchdog --------------------------------------------------------------------------


def evaluation_watchdog() -> int:
    """Send tasks for runs whose items wait with no live task (a worker died, or a message
    was lost), and publish runs whose last worker died; returns how many runs were sent."""
    now = timezone.now()
    quiet = now - timedelta(seconds=settings.EVAL_LEASE_SECONDS)
    sent = 0
    for ev in Evaluation.objects.filter(
        status__in=(*ACTIVE_EVAL_STATUSES, EvalStatus.BUDGET), finished_at__isnull=True
    ):
        work = EvalItem.objects.filter(evaluation=ev)
        live = work.filter(status=EvalItemStatus.RUNNING, lease_until__gte=now).exists()
        if live:
            continue
        expired = work.filter(status=EvalItemStatus.RUNNING, lease_until__lt=now).exists()
        pending = work.filter(status=EvalItemStatus.PENDING).exists()
        if ev.status != EvalStatus.BUDGET and (
            expired or (pending and (ev.queued_at is None or ev.queued_at < quiet))
        ):
            with transaction.atomic():
                evaluation_enqueue(ev, tasks=settings.EVAL_TASKS)
            sent += 1
        elif not pending or ev.status == EvalStatus.BUDGET:
            evaluation_finish(ev.pk)
    return sent
