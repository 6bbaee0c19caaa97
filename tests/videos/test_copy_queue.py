"""Browser copies and the broker: a failed send leaves the video waiting and the beat sweep
sends it again; a transcode claims its video, so two workers never make the same copy."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import TEST_VAR, celery_broker, start_worker, stop_worker, wait_for
from tests.videos.test_uploads import finish, signed_in, upload_file
from videos.models import MediaStatus, Upload, UploadStatus, Video
from videos.playable import copy_claim, video_make_playable, videos_requeue_copies


def upload_mkv(client: Client, video_dir: Path, dead_broker_url: str) -> Any:
    data = (video_dir / "jove_1002.mkv").read_bytes()
    upload = upload_file(client, data, name="jove_1002.mkv", video_id="1002")
    with celery_broker(dead_broker_url):
        response = finish(client, upload)
    return upload, response


def test_an_upload_finished_while_the_broker_is_down_succeeds_and_waits_for_its_copy(
    transactional_db: None, benchmark: Any, curator: Any, video_dir: Path, dead_broker_url: str
) -> None:
    client = signed_in(curator)
    upload, response = upload_mkv(client, video_dir, dead_broker_url)
    # The video exists, so the answer says so: the state and the answer agree.
    assert response.status_code == 200, response.content
    assert response.json()["video_url"]
    assert Upload.objects.get(pk=upload["id"]).status == UploadStatus.DONE
    video = Video.objects.get(video_id="1002")
    assert video.media_status == MediaStatus.PROCESSING
    assert video.copy_queued_at is None  # waiting for the sweep

    # The broker is back: the sweep sends it, and only once.
    assert videos_requeue_copies() == 1
    video.refresh_from_db()
    assert video.copy_queued_at is not None
    assert videos_requeue_copies() == 0


def test_a_sweep_while_the_broker_is_still_down_keeps_the_video_waiting(
    transactional_db: None, benchmark: Any, curator: Any, video_dir: Path, dead_broker_url: str
) -> None:
    upload_mkv(signed_in(curator), video_dir, dead_broker_url)
    with celery_broker(dead_broker_url):
        assert videos_requeue_copies() == 0
    assert Video.objects.get(video_id="1002").copy_queued_at is None


@pytest.mark.worker
def test_the_beat_sweep_makes_the_copy_without_a_worker_restart(
    transactional_db: None, benchmark: Any, curator: Any, video_dir: Path, dead_broker_url: str
) -> None:
    (TEST_VAR / "worker.log").write_bytes(b"")
    worker = start_worker({"VIDEO_COPY_SWEEP_SECONDS": "2"}, beat=True)
    try:
        wait_for(
            lambda: b" ready." in (TEST_VAR / "worker.log").read_bytes(),
            timeout=60,
            what="the worker to start",
        )
        upload_mkv(signed_in(curator), video_dir, dead_broker_url)
        wait_for(
            lambda: Video.objects.get(video_id="1002").media_status == MediaStatus.READY,
            timeout=90,
            what="the swept browser copy",
        )
        assert worker.poll() is None, "the same worker made it"
    finally:
        stop_worker(worker)


def stranded(benchmark: Any, video_dir: Path, dead_broker_url: str) -> Video:
    """An mkv waiting for its browser copy, its message never sent: the test plays the worker."""
    from videos.services import video_store_file

    video = Video.objects.create(benchmark=benchmark, video_id="1002")
    with celery_broker(dead_broker_url):
        video_store_file(video=video, path=video_dir / "jove_1002.mkv")
    video.refresh_from_db()
    assert video.media_status == MediaStatus.PROCESSING
    return video


@pytest.mark.postgres
def test_two_workers_on_one_video_transcode_it_once(
    transactional_db: None, benchmark: Any, video_dir: Path, dead_broker_url: str
) -> None:
    video = stranded(benchmark, video_dir, dead_broker_url)
    barrier = threading.Barrier(2)
    results: dict[str, bool] = {}
    progressed: dict[str, int] = {"a": 0, "b": 0}

    def work(name: str) -> None:
        def progress(_fraction: float) -> None:
            progressed[name] += 1

        try:
            barrier.wait()
            results[name] = video_make_playable(video_pk=video.pk, progress=progress)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(results.values()) == [False, True]
    loser = next(name for name, won in results.items() if not won)
    assert progressed[loser] == 0, "the worker that lost the claim transcoded nothing"
    video.refresh_from_db()
    assert video.media_status == MediaStatus.READY
    assert (video.copy_lease_owner, video.copy_lease_until) == ("", None)


@pytest.mark.django_db
def test_a_live_lease_keeps_others_out_and_an_expired_one_does_not(
    benchmark: Any, video_dir: Path, dead_broker_url: str
) -> None:
    video = stranded(benchmark, video_dir, dead_broker_url)
    name = video.original.name
    assert copy_claim(video_pk=video.pk, original_name=name, owner="first")
    assert not copy_claim(video_pk=video.pk, original_name=name, owner="second")
    assert not video_make_playable(video_pk=video.pk)
    # The first worker died: once its lease has run out, the sweep and another worker take it.
    Video.objects.filter(pk=video.pk).update(copy_lease_until=timezone.now() - timedelta(seconds=1))
    from videos.playable import videos_awaiting_copy

    assert videos_awaiting_copy() == [video.pk]
    assert copy_claim(video_pk=video.pk, original_name=name, owner="second")
    assert videos_awaiting_copy() == []


def test_the_sweep_is_on_the_beat_schedule(settings: Any) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "videos.requeue_copies" in tasks
