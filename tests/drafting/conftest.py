"""Fixtures for drafting: a real video with a transcript, the fake provider, settings for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.drafting.fake_openai import FakeOpenAI, fake_openai_server
from tests.drafting.llm_script import ScriptedLLM


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with fake_openai_server() as server:
        yield server


@pytest.fixture
def llm(fake: FakeOpenAI) -> ScriptedLLM:
    return ScriptedLLM(fake)


@pytest.fixture
def llm_settings(settings: Any, fake: FakeOpenAI) -> Any:
    settings.LLM_PROVIDER = "openai"
    settings.LLM_BASE_URL = fake.url
    settings.LLM_API_KEY = "test-key"
    settings.LLM_MODEL = "fake-model"
    settings.LLM_TIMEOUT = 2.0
    settings.LLM_BACKOFF = 0.01
    settings.LLM_FRAMES = 2
    settings.LLM_PRICES = {"fake-model": {"input": 2.0, "output": 8.0}}
    # In-process tests run inside a transaction another connection cannot see; a long lease
    # keeps the heartbeat thread from touching the database during them.
    settings.DRAFT_LEASE_SECONDS = 600
    return settings


@pytest.fixture
def draft_video(benchmark: Any, video_dir: Path) -> Any:
    from videos.models import Video
    from videos.services import transcript_attach, video_store_file
    from videos.transcripts import parse_transcript

    video = Video.objects.create(
        benchmark=benchmark,
        video_id="1001",
        title="Heating a flask",
        discipline="Chemistry",
        category="Chemistry",
        subject="Synthesis",
    )
    video_store_file(video=video, path=video_dir / "jove_1001.mp4")
    cues = parse_transcript((video_dir / "1001.vtt").read_text(encoding="utf-8"), "vtt")
    transcript_attach(video=video, cues=cues, source_name="1001.vtt", source_format="vtt")
    video.refresh_from_db()
    return video
