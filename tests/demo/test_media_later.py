"""seed_demo --media-later: everything but the videos' files at once, the files from the worker.

`make run` seeds this way so its server answers before the demo videos are generated; the
demo must still be complete once the worker has finished, and a lost message costs no video.
"""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.seed import (
    VideoQuality,
    demo_seed,
    demo_video_generate,
    demo_videos_without_media,
    load_videos,
    question_paths,
)
from drafting.models import DraftJob, JobStatus
from releases.models import Release
from reviews.models import Question, QuestionSource
from tests.conftest import start_worker, stop_worker, wait_for
from tests.demo.test_seed_demo import (
    assert_lifecycle_seeded,
    assert_recorded_job_seeded,
    snapshot,
)
from videos.models import Benchmark, MediaStatus, Video

VIDEOS = load_videos()
QUESTIONS = [line for _, path in question_paths() for line in path.read_text().splitlines()]
TINY = VideoQuality(64, 36, 2)


def wait_for_files(timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while Video.objects.filter(original="").exists():
        if time.monotonic() > deadline:
            missing = list(Video.objects.filter(original="").values_list("video_id", flat=True))
            raise AssertionError(f"the worker left {missing} without a file")
        time.sleep(0.5)


def assert_demo_complete() -> None:
    videos = Video.objects.order_by("video_id")
    assert [v.video_id for v in videos] == [d.video_id for d in VIDEOS]
    for video, demo in zip(videos, VIDEOS, strict=True):
        assert video.media_status == MediaStatus.READY, video.video_id
        assert video.original and video.poster and len(video.sha256) == 64
        assert video.duration == pytest.approx(demo.duration, abs=0.5)
        assert video.copy_lease_owner == "" and video.copy_lease_until is None
    # The imported ones; the recorded drafting job adds its drafts once its video has a file.
    assert Question.objects.exclude(source=QuestionSource.LLM).count() == len(QUESTIONS)


def test_the_command_returns_before_the_files_and_the_worker_completes_the_demo(
    celery_worker: object, frozen_releases_cleared: None
) -> None:
    out = StringIO()
    call_command(
        "seed_demo",
        "--media-later",
        "--width",
        str(TINY.width),
        "--height",
        str(TINY.height),
        "--fps",
        str(TINY.fps),
        stdout=out,
    )
    text = out.getvalue()
    assert f"the worker is generating {len(VIDEOS)} of their files" in text
    assert "Generating" not in text
    # Everything but the files is there at once: rows with their durations, transcripts,
    # manuscripts and every question.
    assert Video.objects.count() == len(VIDEOS)
    assert Question.objects.count() == len(QUESTIONS)
    for video in Video.objects.all():
        assert video.duration and video.transcript.cues.exists() and video.manuscript.text
    # The release needs every file's checksum: it waits for the worker.
    assert "worker freezes the demo release" in text
    assert not Release.objects.exists()

    wait_for_files()
    assert_demo_complete()
    # The worker that stored the last file went on to the release, studies and model runs.
    wait_for(lambda: Release.objects.exists(), timeout=120, what="the demo release")
    wait_for(
        lambda: Release.objects.get().model_runs.count() == 3,
        timeout=60,
        what="the release's studies and model runs",
    )
    assert_lifecycle_seeded()
    # The worker that stored the drafting video's file queued the recorded job, and the
    # workers ran its stages like any job's.
    wait_for(
        lambda: DraftJob.objects.filter(status=JobStatus.DONE).exists(),
        timeout=120,
        what="the recorded drafting job",
    )
    assert_recorded_job_seeded()
    # Seeding again changes nothing and queues nothing.
    before = snapshot()
    again = StringIO()
    call_command("seed_demo", "--media-later", stdout=again)
    assert "worker is generating" not in again.getvalue()
    assert "0 questions created" in again.getvalue()
    assert snapshot() == before


def test_a_worker_that_starts_generates_the_files_whose_message_was_lost(
    transactional_db: None, frozen_releases_cleared: None
) -> None:
    # Seeded with its files left for later, and the messages never sent (lost with a
    # stopped worker: the filesystem broker never redelivers).
    counts = demo_seed(benchmark=Benchmark.objects.default(), quality=TINY, media_later=True)
    assert counts["pending"] == demo_videos_without_media() and len(counts["pending"]) == len(
        VIDEOS
    )
    # All but the last are made here, small; the worker must find the last one by itself.
    for pk in counts["pending"][:-1]:
        assert demo_video_generate(video_pk=pk, quality=TINY)
    assert demo_videos_without_media() == counts["pending"][-1:]

    process = start_worker()
    try:
        wait_for_files()
    finally:
        stop_worker(process)
    assert_demo_complete()
    assert demo_videos_without_media() == []


@pytest.mark.django_db
def test_a_video_another_worker_is_generating_is_left_to_it() -> None:
    counts = demo_seed(
        benchmark=Benchmark.objects.default(),
        quality=TINY,
        media_later=True,
    )
    first = counts["pending"][0]
    until = timezone.now() + timedelta(minutes=5)
    Video.objects.filter(pk=first).update(copy_lease_owner="elsewhere", copy_lease_until=until)

    assert first not in demo_videos_without_media()
    assert demo_video_generate(video_pk=first, quality=TINY) is False
    video = Video.objects.get(pk=first)
    assert not video.original and video.copy_lease_owner == "elsewhere"

    # Once that lease has run out (its worker died), the video is free again.
    Video.objects.filter(pk=first).update(copy_lease_until=timezone.now() - timedelta(seconds=1))
    assert first in demo_videos_without_media()
    assert demo_video_generate(video_pk=first, quality=TINY) is True
    assert Video.objects.get(pk=first).original


def test_a_worker_that_starts_finishes_a_life_cycle_left_undone(
    transactional_db: None, frozen_releases_cleared: None
) -> None:
    # Every file was stored, but the worker that stored the last one stopped before the
    # release: the next worker to start seeds it.
    counts = demo_seed(benchmark=Benchmark.objects.default(), quality=TINY, media_later=True)
    for pk in counts["pending"]:
        assert demo_video_generate(video_pk=pk, quality=TINY)
    assert demo_videos_without_media() == [] and not Release.objects.exists()

    process = start_worker()
    try:
        wait_for(lambda: Release.objects.exists(), timeout=120, what="the demo release")
    finally:
        stop_worker(process)
    assert_lifecycle_seeded()
