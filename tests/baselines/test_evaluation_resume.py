"""Resuming a model evaluation run: a worker killed in the middle of a batch (SIGKILL) is
replaced by another that takes its items once their lease runs out and pays for no call that
was already recorded; and an item whose call is on record is replayed, not asked again."""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

# Imported ahead: the broker check's first import of the client can take longer than the
# check allows on a busy machine.
import redis  # noqa: F401
from django.utils import timezone

from baselines.evaluation import (
    EvaluationRequest,
    evaluation_start,
    items_claim,
    run_batch,
)
from baselines.models import EvalCall, EvalItem, EvalStatus, ModelRun
from baselines.predictions import run_rows
from releases.models import Release
from tests.baselines.evaluation_fixtures import (
    ScriptedModel,
    provider_env,
    split_docs,
    use_provider,
)
from tests.conftest import TEST_VAR, start_worker, stop_worker, wait_for
from tests.drafting.fake_openai import FakeOpenAI, Reply, fake_openai_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with fake_openai_server() as server:
        yield server


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    (TEST_VAR / "worker.log").write_bytes(b"")
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop_worker(process)


def test_a_worker_killed_mid_batch_is_replaced_and_no_recorded_call_is_paid_twice(
    settings: Any,
    fake: FakeOpenAI,
    release: Release,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    use_provider(settings, fake)
    docs = split_docs(release)
    model = ScriptedModel(fake, docs, lambda n, doc: doc["answer"])
    answered = model.reply
    hung: list[int] = []

    def reply(body: dict[str, Any]) -> Reply:
        # The third item hangs the first time it is asked: the worker is killed meanwhile.
        if model.position(body) == 2 and not hung:
            hung.append(2)
            return Reply(hang=60)
        return answered(body)

    fake.responders[""] = reply
    env = provider_env(
        fake,
        LLM_TIMEOUT="120",
        EVAL_LEASE_SECONDS="3",
        DRAFT_WATCHDOG_SECONDS="1",
        EVAL_TASKS="1",
    )
    evaluation = evaluation_start(
        release=release, split="test", request=EvaluationRequest(input="text"), user=None
    )
    first = start_worker(env)
    workers.append(first)
    wait_for(lambda: bool(hung), timeout=60, what="the third item's call")
    held = EvalItem.objects.filter(evaluation=evaluation, status="running")
    assert sorted(held.values_list("position", flat=True)) == [2, 3]
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert EvalCall.objects.filter(evaluation=evaluation).count() == 2

    # A new worker with the watchdog on beat takes the items over once their lease ran out.
    workers.append(start_worker(env, beat=True))

    def ended() -> bool:
        evaluation.refresh_from_db()
        return evaluation.model_run_id is not None or evaluation.status == "failed"

    wait_for(ended, timeout=120, what="the run to end after the restart")
    assert (evaluation.status, evaluation.reason) == (EvalStatus.DONE, "")
    # The two answered items were not asked again; the one in flight went out twice.
    sent = Counter(model.position(body) for body in fake.requests)
    assert sent == Counter({**dict.fromkeys(range(12), 1), 2: 2})
    assert EvalItem.objects.get(evaluation=evaluation, position=2).attempts == 2
    assert EvalCall.objects.filter(evaluation=evaluation).count() == 12
    assert run_rows(ModelRun.objects.get()).careful.overall.correct == 12


def test_an_item_whose_call_is_on_record_is_replayed_not_asked_again(
    settings: Any, fake: FakeOpenAI, release: Release
) -> None:
    use_provider(settings, fake)
    settings.EVAL_BATCH_SIZE = 12
    docs = split_docs(release)
    model = ScriptedModel(fake, docs, lambda n, doc: doc["answer"])
    evaluation = evaluation_start(
        release=release, split="test", request=EvaluationRequest(input="text"), user=None
    )
    # A worker took the first items and recorded a call for item 0, then lost its lease
    # before it could mark the item answered.
    [first, *_] = items_claim(evaluation.pk, "gone-worker", 2)
    EvalCall.objects.create(
        evaluation=evaluation,
        work=first,
        provider="openai",
        model="fake-model",
        status="ok",
        response_text="(J) recorded",
        prompt_tokens=5,
        completion_tokens=1,
    )
    EvalItem.objects.filter(evaluation=evaluation, status="running").update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert run_batch(evaluation.pk) == "done"
    evaluation.refresh_from_db()
    assert evaluation.status == EvalStatus.DONE and evaluation.model_run is not None
    assert sorted(model.asked) == list(range(1, 12))
    assert evaluation.calls_made == 11
    prediction = evaluation.model_run.predictions.get(item__position=0)
    assert (prediction.reply, prediction.careful_letter) == ("(J) recorded", "J")
    assert prediction.careful_correct == (docs[0]["answer"] == "J")
