"""Model evaluation runs on a real Celery worker against the fake provider (a real HTTP server
on 127.0.0.1): faults on the way, a text-only run, the budget, cancelling, the command with
--wait, the refusal to send an open study's items, and the leaderboard showing the run."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from baselines.evaluation import (
    EvaluationInvalid,
    EvaluationRequest,
    evaluation_start,
)
from baselines.models import (
    EvalCall,
    EvalItem,
    EvalStatus,
    Evaluation,
    ModelRun,
    Prediction,
    RunOrigin,
)
from baselines.predictions import run_rows
from releases.harness.reply_reader import official_guess, release_key
from releases.harness_tasks import task_prompt
from releases.models import Release
from tests.baselines.conftest import open_study
from tests.baselines.evaluation_fixtures import (
    ScriptedModel,
    provider_env,
    split_docs,
    use_provider,
    wrong_letter,
)
from tests.conftest import TEST_VAR, start_worker, stop_worker, wait_for
from tests.drafting.fake_openai import FakeOpenAI, Reply, fake_openai_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture(scope="module")
def module_fake() -> Iterator[FakeOpenAI]:
    with fake_openai_server() as server:
        yield server


@pytest.fixture
def fake(module_fake: FakeOpenAI) -> FakeOpenAI:
    module_fake.replies.clear()
    module_fake.by_schema.clear()
    module_fake.responders.clear()
    module_fake.requests.clear()
    module_fake.latency = 0.0
    return module_fake


@pytest.fixture(scope="module")
def worker(
    django_db_setup: None, django_db_blocker: Any, module_fake: FakeOpenAI
) -> Iterator[subprocess.Popen[bytes]]:
    (TEST_VAR / "worker.log").write_bytes(b"")
    with django_db_blocker.unblock():
        process = start_worker(provider_env(module_fake))
    yield process
    stop_worker(process)


@pytest.fixture
def provider(settings: Any, fake: FakeOpenAI) -> Any:
    use_provider(settings, fake)
    return settings


def with_files(video_dir: Path) -> None:
    from videos.models import Video
    from videos.services import video_store_file

    for video_id, name in (("1001", "jove_1001.mp4"), ("1002", "jove_1002.mkv")):
        video_store_file(video=Video.objects.get(video_id=video_id), path=video_dir / name)


def run_to_end(evaluation: Evaluation, timeout: float = 90) -> Evaluation:
    def ended() -> bool:
        evaluation.refresh_from_db()
        return not evaluation.is_active and (
            evaluation.model_run_id is not None
            or evaluation.status in (EvalStatus.FAILED, EvalStatus.CANCELLED)
        )

    wait_for(ended, timeout=timeout, what="the evaluation to end")
    return evaluation


def text_parts(body: dict[str, Any]) -> list[str]:
    texts = []
    for message in body["messages"]:
        content = message["content"]
        if isinstance(content, str):
            texts.append(content)
        else:
            texts += [p["text"] for p in content if p["type"] == "text"]
    return texts


def images(body: dict[str, Any]) -> int:
    return sum(
        1
        for message in body["messages"]
        if isinstance(message["content"], list)
        for part in message["content"]
        if part["type"] == "image_url"
    )


def test_a_run_with_faults_on_the_way_completes_with_the_right_scores(
    provider: Any,
    fake: FakeOpenAI,
    worker: Any,
    release: Release,
    video_dir: Path,
    curator: Any,
) -> None:
    with_files(video_dir)
    docs = split_docs(release)

    def answer(position: int, doc: dict[str, Any]) -> str:
        if position == 5:
            return "no idea, sorry"
        if position % 3 == 2:
            return f"({wrong_letter(doc['answer'])})"
        return f"The answer is {doc['answer']}."

    model = ScriptedModel(fake, docs, answer)
    # The first item meets a server error, a rate limit with Retry-After and a timeout before
    # it is answered (four attempts are allowed).
    fake.script(Reply(status=500), Reply(status=429, retry_after=0.2), Reply(hang=2.5))
    evaluation = evaluation_start(
        release=release, split="test", request=EvaluationRequest(), user=curator
    )
    run_to_end(evaluation)
    assert (evaluation.status, evaluation.reason) == (EvalStatus.DONE, "")
    assert evaluation.name == "fake-model"
    assert sorted(model.asked) == list(range(12))
    # Every item was asked with the exported task's prompt and two labelled frames.
    for body in fake.requests:
        texts = text_parts(body)
        assert texts[0] in {task_prompt(doc, cot=False) for doc in docs}
        assert images(body) == 2 and any(t.startswith("Frame at ") for t in texts[1:])
    assert len(fake.requests) == 12 + 3
    first = EvalCall.objects.get(work__position=0)
    assert first.retries == 3 and first.status == "ok"
    assert "InternalServerError" in first.attempts[0]["error"]
    assert "RateLimitError" in first.attempts[1]["error"]
    assert first.attempts[1]["waited"] == pytest.approx(0.2)
    assert "Timeout" in first.attempts[2]["error"]
    # Requests are recorded with the pictures as references, never their bytes.
    media = first.attempts[-1]["request"]["media"]
    assert len(media) == 2 and all("sha256" in m and "data" not in m for m in media)
    # Scored as import_predictions scores: 8 right; item 5 unreadable, guessed by the rule.
    run = ModelRun.objects.get(release=release, model="fake-model")
    assert run.origin == RunOrigin.APP and evaluation.model_run_id == run.pk
    assert run.run_settings["input"] == "video" and run.run_settings["prompt"] == "default"
    scores = run_rows(run)
    assert (scores.careful.overall.correct, scores.careful.overall.total) == (8, 12)
    assert scores.unreadable == 1 and scores.guessed == 1 and scores.missing == 0
    guessed = official_guess(release_key(release.name, release.version), docs[5]["uid"])
    assert scores.official.overall.correct == 8 + (guessed == docs[5]["answer"])
    assert Prediction.objects.get(run=run, item__position=5).reply == "no idea, sorry"
    # Tokens and cost: 120 + 80 tokens an answered call, at $2 and $8 a million.
    assert evaluation.calls_made == 12
    assert (evaluation.prompt_tokens, evaluation.completion_tokens) == (12 * 120, 12 * 80)
    assert evaluation.cost == Decimal("0.010560")


def test_a_text_only_run_sends_no_pictures_and_is_named_for_it(
    provider: Any, fake: FakeOpenAI, worker: Any, release: Release
) -> None:
    docs = split_docs(release)
    ScriptedModel(fake, docs, lambda n, doc: doc["answer"], cot=True)
    evaluation = evaluation_start(
        release=release,
        split="test",
        request=EvaluationRequest(input="text", prompt="cot"),
        user=None,
    )
    run_to_end(evaluation)
    assert evaluation.status == EvalStatus.DONE
    assert evaluation.name == "fake-model (text only)"
    assert len(fake.requests) == 12
    for body in fake.requests:
        assert images(body) == 0 and "media" not in body
        assert [m["role"] for m in body["messages"]] == ["user"]
        assert body["messages"][0]["content"].endswith("Think step by step before answering.")
    run = ModelRun.objects.get(model="fake-model (text only)")
    assert run_rows(run).careful.overall.correct == 12


def test_the_call_budget_stops_a_run_cleanly_with_its_reason(
    provider: Any, fake: FakeOpenAI, worker: Any, release: Release
) -> None:
    docs = split_docs(release)
    ScriptedModel(fake, docs, lambda n, doc: doc["answer"])
    evaluation = evaluation_start(
        release=release,
        split="test",
        request=EvaluationRequest(input="text", max_calls=3),
        user=None,
    )
    run_to_end(evaluation)
    assert evaluation.status == EvalStatus.BUDGET
    assert evaluation.reason == "the call budget is spent (3 of 3 calls)"
    assert len(fake.requests) == 3 and evaluation.calls_made == 3
    # The answered items are on the leaderboard; the rest count as missing.
    scores = run_rows(ModelRun.objects.get(model="fake-model (text only)"))
    assert (scores.careful.overall.correct, scores.missing) == (3, 9)


def test_cancel_stops_a_run_and_publishes_nothing(
    provider: Any, fake: FakeOpenAI, worker: Any, release: Release, curator: Any
) -> None:
    docs = split_docs(release)
    ScriptedModel(fake, docs, lambda n, doc: doc["answer"])
    fake.latency = 0.4
    evaluation = evaluation_start(
        release=release, split="test", request=EvaluationRequest(input="text"), user=curator
    )
    wait_for(lambda: len(fake.requests) >= 2, timeout=60, what="the first calls")
    client = Client()
    client.force_login(curator)
    response = client.post(reverse("leaderboard:evaluation_cancel", args=[evaluation.pk]))
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvalStatus.CANCELLED
    asked = len(fake.requests)
    wait_for(
        lambda: not EvalItem.objects.filter(evaluation=evaluation, status="running").exists(),
        timeout=30,
        what="the worker to let go of its items",
    )
    # At most the call in flight when it was cancelled still went out.
    assert len(fake.requests) <= asked + 1 < 12
    assert not ModelRun.objects.exists()
    page = client.get(reverse("leaderboard:evaluation", args=[evaluation.pk]))
    assert b'data-status="cancelled"' in page.content


def test_the_command_waits_for_the_run_and_prints_its_name(
    provider: Any, fake: FakeOpenAI, worker: Any, release: Release
) -> None:
    docs = split_docs(release)
    ScriptedModel(fake, docs, lambda n, doc: doc["answer"] if n < 6 else "Z")
    out = io.StringIO()
    call_command(
        "evaluate_model",
        "fake-model",
        "--release",
        "svb",
        "--version",
        "1.0.0",
        "--input",
        "transcript",
        "--wait",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "fake-model (text and transcript)"
    assert "50.00 (6/12)" in out.getvalue()
    # The narration goes first in its own message; the task's prompt stays as exported.
    body = fake.requests[0]
    assert body["messages"][0]["content"].startswith("The narration of the video")
    assert body["messages"][1]["content"] in {task_prompt(doc, cot=False) for doc in docs}


def test_the_command_exits_non_zero_when_the_run_fails(
    provider: Any, fake: FakeOpenAI, worker: Any, release: Release
) -> None:
    fake.responders[""] = lambda body: Reply(status=400)
    with pytest.raises(CommandError, match="failed: no item got a reply: the provider refused"):
        call_command(
            "evaluate_model",
            "fake-model",
            "--release",
            "svb",
            "--version",
            "1.0.0",
            "--input",
            "text",
            "--wait",
            stdout=io.StringIO(),
        )
    assert not ModelRun.objects.exists()


def test_an_open_studys_items_are_not_sent_without_the_override(
    provider: Any, fake: FakeOpenAI, release: Release, curator: Any, evaluator: Any
) -> None:
    open_study("Pilot", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    message = re.escape("the study 'Pilot' over svb 1.0.0 (test) is open")
    with pytest.raises(EvaluationInvalid, match=message):
        evaluation_start(
            release=release, split="test", request=EvaluationRequest(input="text"), user=None
        )
    with pytest.raises(CommandError, match=message):
        call_command(
            "evaluate_model", "m", "--release", "svb", "--version", "1.0.0", "--input", "text"
        )
    client = Client()
    client.force_login(curator)
    url = reverse("leaderboard:evaluate", args=[release.pk, "test"])
    page = client.post(url, {"model": "m", "input": "text", "prompt": "default"})
    assert page.status_code == 400
    assert "the study &#x27;Pilot&#x27; over svb 1.0.0 (test) is open" in page.content.decode()
    assert not Evaluation.objects.exists() and fake.requests == []
    # Ticked, the run starts and says so.
    evaluation = evaluation_start(
        release=release,
        split="test",
        request=EvaluationRequest(input="text", include_open_study_items=True),
        user=None,
    )
    assert evaluation.include_open_study_items


def test_the_leaderboard_shows_a_run_made_in_the_app(
    provider: Any, fake: FakeOpenAI, worker: Any, release: Release, curator: Any
) -> None:
    docs = split_docs(release)
    ScriptedModel(fake, docs, lambda n, doc: doc["answer"] if n % 2 else "B")
    client = Client()
    client.force_login(curator)
    response = client.post(
        reverse("leaderboard:evaluate", args=[release.pk, "test"]),
        {"model": "fake-model", "input": "text", "prompt": "default", "temperature": "0"},
    )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("leaderboard:evaluation", args=[evaluation.pk])
    run_to_end(evaluation)
    board = client.get(reverse("leaderboard:board", args=[release.pk, "test"])).content.decode()
    assert 'data-name="fake-model (text only)"' in board
    assert board.count('data-name="fake-model (text only)"') == 2  # careful and official rows
    assert reverse("leaderboard:evaluation", args=[evaluation.pk]) in board
    assert "run in the app" in board
    page = client.get(reverse("leaderboard:evaluation", args=[evaluation.pk])).content.decode()
    assert "text only" in page and 'data-testid="eval-calls"' in page
    call = EvalCall.objects.filter(evaluation=evaluation).first()
    assert call is not None
    detail = client.get(reverse("leaderboard:evaluation_call", args=[evaluation.pk, call.pk]))
    assert detail.status_code == 200 and call.response_text.encode() in detail.content
