"""The work of an evaluation run: items claimed in batches with a lease, each asked once
(or its recorded call replayed) under the run's budget, and the watchdog for dead workers."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from baselines.evaluation.publish import evaluation_finish
from baselines.evaluation.runs import evaluation_enqueue
from baselines.models import (
    ACTIVE_EVAL_STATUSES,
    EvalCall,
    EvalCallStatus,
    EvalInput,
    EvalItem,
    EvalItemStatus,
    EvalStatus,
    Evaluation,
)
from drafting.context import extract_frames, frame_times, transcript_lines
from drafting.pricing import cost_of
from drafting.providers import (
    CallFailed,
    GeminiProvider,
    JsonProvider,
    Media,
    ProviderNotConfigured,
    provider_from_settings,
)
from drafting.ratelimit import limiter_for
from drafting.services import lease_owner_token
from reviews.timeparse import format_timestamp
from sciannot.conflicts import serialize_on
from sciannot.queue import send_safely
from videos.models import Video

log = logging.getLogger(__name__)

NARRATION_INTRO = "The narration of the video, with its times:\n"


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
        """The whole video through Gemini's file API, uploaded once per run: workers asking
        for the same video at once wait for the first one's upload and use its file."""
        from videos.stored_files import local_path

        ev = self.evaluation
        with transaction.atomic():
            serialize_on(f"evaluation-upload:{ev.pk}:{video.video_id}")
            known = Evaluation.objects.filter(pk=ev.pk).values_list("uploads", flat=True).get()
            uri = (known or {}).get(video.video_id)
            if not uri:
                assert isinstance(self.provider, GeminiProvider)
                with local_path(video.original) as path:
                    uri = self.provider.upload_video(str(path), f"video {video.video_id}").uri
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
