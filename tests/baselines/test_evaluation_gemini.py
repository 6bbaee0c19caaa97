"""Model evaluation runs with Gemini's API (served by the fake provider on 127.0.0.1) on a real
Celery worker: frames sent inline with their labels, the whole video uploaded once per video
for the run, a text-only run with no media, and the scores on the leaderboard."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from baselines.evaluation import EvaluationRequest, evaluation_start
from baselines.models import EvalCall, EvalStatus, ModelRun, RunOrigin
from baselines.predictions import run_rows
from releases.harness_tasks import task_prompt
from releases.models import Release
from tests.baselines.evaluation_fixtures import (
    ScriptedModel,
    gemini_env,
    split_docs,
    use_gemini,
    wrong_letter,
)
from tests.baselines.test_evaluation import run_to_end, with_files
from tests.conftest import TEST_VAR, start_worker, stop_worker, wait_for
from tests.drafting.fake_openai import FakeOpenAI, fake_openai_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture(scope="module")
def module_fake() -> Iterator[FakeOpenAI]:
    with fake_openai_server() as server:
        yield server


@pytest.fixture
def fake(module_fake: FakeOpenAI, settings: Any) -> FakeOpenAI:
    module_fake.replies.clear()
    module_fake.by_schema.clear()
    module_fake.responders.clear()
    module_fake.requests.clear()
    module_fake.uploads.clear()
    module_fake.latency = 0.0
    use_gemini(settings, module_fake)
    return module_fake


@pytest.fixture
def gemini_worker(fake: FakeOpenAI) -> Iterator[Callable[..., None]]:
    """Starts a worker with Gemini's settings (and any extra ones); stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(log_name: str = "worker.log", **extra: str) -> None:
        (TEST_VAR / log_name).write_bytes(b"")
        started.append(start_worker(gemini_env(fake, **extra), log_name=log_name))

    yield start
    for process in started:
        stop_worker(process)


def field(part: dict[str, Any], name: str) -> Any:
    """A field as the SDK spells it on the wire (camelCase or snake_case)."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    return part.get(name, part.get(snake))


def parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    [content] = body["contents"]
    assert content["role"] == "user"
    return list(content["parts"])


def test_a_video_run_sends_labelled_frames_inline_and_is_scored(
    fake: FakeOpenAI,
    gemini_worker: Callable[..., None],
    release: Release,
    video_dir: Path,
    curator: Any,
) -> None:
    with_files(video_dir)
    gemini_worker()
    docs = split_docs(release)

    def answer(position: int, doc: dict[str, Any]) -> str:
        return f"({wrong_letter(doc['answer'])})" if position % 4 == 3 else doc["answer"]

    model = ScriptedModel(fake, docs, answer)
    evaluation = evaluation_start(
        release=release, split="test", request=EvaluationRequest(), user=curator
    )
    assert evaluation.provider == "gemini"
    run_to_end(evaluation)
    assert (evaluation.status, evaluation.reason) == (EvalStatus.DONE, "")
    assert sorted(model.asked) == list(range(12)) and len(fake.requests) == 12
    prompts = {task_prompt(doc, cot=False) for doc in docs}
    for body in fake.requests:
        assert body["_path"].endswith("/models/gemini-test:generateContent")
        sent = parts(body)
        # The exported prompt, then each frame's label followed by its picture.
        assert sent[0]["text"] in prompts
        assert [p.get("text", "")[:9] for p in sent[1::2]] == ["Frame at ", "Frame at "]
        pictures = [field(p, "inlineData") for p in sent[2::2]]
        assert len(pictures) == 2 and len(sent) == 5
        for picture in pictures:
            assert field(picture, "mimeType") == "image/jpeg"
            assert base64.urlsafe_b64decode(picture["data"])[:2] == b"\xff\xd8"
        assert not any(field(p, "fileData") for p in sent)
    assert fake.uploads == []
    # The recorded request keeps the frames as references, never their bytes.
    media = EvalCall.objects.filter(evaluation=evaluation).first().attempts[-1]["request"]["media"]  # type: ignore[union-attr]
    assert len(media) == 2 and all("sha256" in m and "data" not in m for m in media)
    # Scored as for any provider: 9 of 12 right (every fourth item answered wrong).
    run = ModelRun.objects.get(release=release, model="gemini-test")
    assert run.origin == RunOrigin.APP and evaluation.model_run_id == run.pk
    scores = run_rows(run)
    assert (scores.careful.overall.correct, scores.careful.overall.total) == (9, 12)
    assert scores.official.overall.correct == 9 and scores.unreadable == 0
    # Gemini's usage metadata: 90 prompt and 60 answer tokens a call, at $2 and $8 a million.
    assert (evaluation.prompt_tokens, evaluation.completion_tokens) == (12 * 90, 12 * 60)
    assert evaluation.cost == Decimal("0.007920")


def test_the_whole_video_is_uploaded_once_per_video_for_the_run(
    fake: FakeOpenAI,
    gemini_worker: Callable[..., None],
    release: Release,
    video_dir: Path,
) -> None:
    with_files(video_dir)
    gemini_worker(LLM_GEMINI_UPLOAD_VIDEO="1")
    docs = split_docs(release)
    ScriptedModel(fake, docs, lambda n, doc: doc["answer"])
    evaluation = evaluation_start(
        release=release, split="test", request=EvaluationRequest(), user=None
    )
    run_to_end(evaluation)
    assert evaluation.status == EvalStatus.DONE
    # Six items on each of the two videos, asked in batches of four: one upload per video.
    names = sorted(field(u["meta"]["file"], "displayName") for u in fake.uploads)
    assert names == ["video 1001", "video 1002"]
    sizes = {
        "video 1001": (video_dir / "jove_1001.mp4").stat().st_size,
        "video 1002": (video_dir / "jove_1002.mkv").stat().st_size,
    }
    for upload in fake.uploads:
        assert upload["bytes"] == sizes[field(upload["meta"]["file"], "displayName")]
    uris = {
        field(u["meta"]["file"], "displayName").split()[1]: f"{fake.root}/v1/{u['name']}"
        for u in fake.uploads
    }
    assert evaluation.uploads == uris
    video_of = {task_prompt(doc, cot=False): doc["video_id"] for doc in docs}
    assert len(fake.requests) == 12
    for body in fake.requests:
        sent = parts(body)
        assert len(sent) == 3 and sent[1]["text"] == "The video"
        video = field(sent[2], "fileData")
        assert field(video, "fileUri") == uris[video_of[sent[0]["text"]]]
        assert field(video, "mimeType") == "video/mp4"
        assert not any(field(p, "inlineData") for p in sent)
    scores = run_rows(ModelRun.objects.get(model="gemini-test"))
    assert scores.careful.overall.correct == 12


def test_two_workers_at_once_still_upload_each_video_once(
    fake: FakeOpenAI,
    gemini_worker: Callable[..., None],
    release: Release,
    video_dir: Path,
) -> None:
    with_files(video_dir)
    logs = ["worker-a.log", "worker-b.log"]
    for log in logs:
        gemini_worker(log, LLM_GEMINI_UPLOAD_VIDEO="1", EVAL_BATCH_SIZE="2")
    wait_for(
        lambda: all(" ready." in (TEST_VAR / log).read_text(errors="replace") for log in logs),
        timeout=120,
        what="both workers to be ready",
    )
    docs = split_docs(release)
    ScriptedModel(fake, docs, lambda n, doc: doc["answer"])
    evaluation = evaluation_start(
        release=release, split="test", request=EvaluationRequest(), user=None
    )
    run_to_end(evaluation)
    assert evaluation.status == EvalStatus.DONE
    # Both workers asked items of both videos at the same time; each video went up once.
    names = sorted(field(u["meta"]["file"], "displayName") for u in fake.uploads)
    assert names == ["video 1001", "video 1002"]
    uris = set(evaluation.uploads.values())
    for body in fake.requests:
        assert field(field(parts(body)[2], "fileData"), "fileUri") in uris


def test_a_text_only_run_sends_no_media_and_is_on_the_leaderboard(
    fake: FakeOpenAI,
    gemini_worker: Callable[..., None],
    release: Release,
    video_dir: Path,
    curator: Any,
) -> None:
    with_files(video_dir)
    # Even where videos would be uploaded, the text input sends none.
    gemini_worker(LLM_GEMINI_UPLOAD_VIDEO="1")
    docs = split_docs(release)
    ScriptedModel(fake, docs, lambda n, doc: doc["answer"] if n % 2 else "B", cot=True)
    evaluation = evaluation_start(
        release=release,
        split="test",
        request=EvaluationRequest(input="text", prompt="cot"),
        user=curator,
    )
    run_to_end(evaluation)
    assert evaluation.status == EvalStatus.DONE
    assert evaluation.name == "gemini-test (text only)"
    assert len(fake.requests) == 12 and fake.uploads == []
    for body in fake.requests:
        sent = parts(body)
        assert len(sent) == 1 and sent[0]["text"].endswith("Think step by step before answering.")
    assert evaluation.uploads in ({}, None)
    keys = [doc["answer"] for doc in docs]
    right = sum(1 for n, key in enumerate(keys) if n % 2 or key == "B")
    run = ModelRun.objects.get(model="gemini-test (text only)")
    assert run_rows(run).careful.overall.correct == right
    client = Client()
    client.force_login(curator)
    board = client.get(reverse("leaderboard:board", args=[release.pk, "test"])).content.decode()
    assert board.count('data-name="gemini-test (text only)"') == 2  # careful and official rows
    assert reverse("leaderboard:evaluation", args=[evaluation.pk]) in board
    assert "run in the app" in board
