"""Publishing an evaluation run: its replies scored as `import_predictions` scores a file's,
stored as the leaderboard's `ModelRun`."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from django.db import transaction
from django.utils import timezone

from baselines.models import (
    EvalItem,
    EvalItemStatus,
    EvalStatus,
    Evaluation,
    ModelRun,
    PredictionFormat,
    RunOrigin,
)
from baselines.predictions import (
    missing_prediction,
    scored_prediction,
    split_facts,
    store_run,
)
from releases.harness.reply_reader import release_key

UNFINISHED = (EvalItemStatus.PENDING, EvalItemStatus.RUNNING)


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
