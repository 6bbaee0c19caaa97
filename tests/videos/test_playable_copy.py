"""A real Celery worker makes the browser copy of an mkv; times keep the original timeline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.conftest import wait_for
from videos.media.probe import probe_video
from videos.media.transcode import is_browser_playable
from videos.models import MediaStatus, Video

pytestmark = [pytest.mark.worker]


def test_it_transcodes_an_mkv_in_a_real_worker(
    celery_worker: subprocess.Popen[bytes], benchmark: Any, tmp_path: Path, video_dir: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1002.mkv", folder)

    call_command("import_videos", str(folder))

    def ready() -> bool:
        return Video.objects.get(video_id="1002").media_status != MediaStatus.PROCESSING

    wait_for(ready, timeout=90, what="the browser copy")
    video = Video.objects.get(video_id="1002")
    assert video.media_status == MediaStatus.READY, video.media_error
    assert video.original.name.endswith(".mkv")
    assert video.playable.name.endswith(".mp4")
    facts = probe_video(video.playable.path)
    assert is_browser_playable(facts)
    assert facts.duration == pytest.approx(video.duration, abs=0.3)
    assert celery_worker.poll() is None


@pytest.mark.redis
def test_the_worker_consumes_from_redis_when_configured(
    celery_worker: subprocess.Popen[bytes], benchmark: Any, tmp_path: Path, video_dir: Path
) -> None:
    from django.conf import settings

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1002.mkv", folder / "jove_2002.mkv")
    call_command("import_videos", str(folder))
    wait_for(
        lambda: Video.objects.get(video_id="2002").media_status == MediaStatus.READY,
        timeout=90,
        what="the browser copy over Redis",
    )


@pytest.fixture
def stranded_video(transactional_db: None, benchmark: Any, tmp_path: Path, video_dir: Path) -> int:
    """A video whose browser copy was due when its worker died: no message is left for it."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    call_command("import_videos", str(folder))
    video = Video.objects.get(video_id="1001")
    Video.objects.filter(pk=video.pk).update(media_status=MediaStatus.PROCESSING)
    return video.pk


def test_a_starting_worker_finishes_copies_a_dead_worker_left(
    stranded_video: int, celery_worker: subprocess.Popen[bytes]
) -> None:
    wait_for(
        lambda: Video.objects.get(pk=stranded_video).media_status == MediaStatus.READY,
        timeout=90,
        what="the stranded copy",
    )
    video = Video.objects.get(pk=stranded_video)
    assert video.playable.name.endswith(".mp4")
    assert video.playable.name != video.original.name
