"""The timeline's thumbnail strip: made from the original by a real worker, stored once,
served through the media endpoint, made again only when its file is missing."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image, ImageStat

from tests.conftest import wait_for
from videos.media.thumbnails import THUMBNAIL_COUNT, extract_thumbnails, thumbnail_times
from videos.models import Video
from videos.synthetic import SCENE_COLOURS
from videos.thumbnails import video_make_thumbnails, videos_missing_thumbnails


def nearest_scene(image: Image.Image) -> int:
    colour = ImageStat.Stat(image.convert("RGB")).mean
    distances = [
        sum((a - b) ** 2 for a, b in zip(colour, scene, strict=True)) for scene in SCENE_COLOURS[:4]
    ]
    return distances.index(min(distances))


def frames_of(jpeg: bytes, count: int) -> list[Image.Image]:
    sprite = Image.open(io.BytesIO(jpeg))
    width = sprite.width // count
    return [sprite.crop((i * width, 0, (i + 1) * width, sprite.height)) for i in range(count)]


# --- The strip itself (PyAV on a generated video) ----------------------------------------------


def test_it_spaces_the_pictures_at_the_middle_of_equal_slices() -> None:
    assert thumbnail_times(20, 4) == [2.5, 7.5, 12.5, 17.5]


def test_it_puts_evenly_spaced_frames_side_by_side(video_dir: Path) -> None:
    # jove_1001.mp4: 20 s at 160x90, scenes of 5 s each in four colours.
    strip = extract_thumbnails(video_dir / "jove_1001.mp4", count=8, width=80)
    sprite = Image.open(io.BytesIO(strip.jpeg))
    assert strip.jpeg[:2] == b"\xff\xd8"
    assert (strip.count, strip.width, strip.height) == (8, 80, 45)
    assert sprite.size == (8 * 80, 45)
    # Pictures at 1.25, 3.75, 6.25 … 18.75 s: two per scene, in order.
    assert [nearest_scene(frame) for frame in frames_of(strip.jpeg, 8)] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_it_refuses_a_file_that_is_not_a_video(tmp_path: Path) -> None:
    from videos.media.probe import MediaError

    fake = tmp_path / "jove_9.mp4"
    fake.write_bytes(b"not a video at all" * 100)
    with pytest.raises(MediaError):
        extract_thumbnails(fake)


# --- Stored once per original ------------------------------------------------------------------


@pytest.fixture
def video(benchmark: Any, tmp_path: Path, video_dir: Path) -> Video:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    call_command("import_videos", str(folder))
    video = Video.objects.get(video_id="1001")
    Video.objects.filter(pk=video.pk).update(discipline="Biology", category="Biology")
    return video


@pytest.mark.django_db
def test_a_stored_video_has_no_strip_until_the_worker_makes_it(video: Video) -> None:
    assert not video.thumbnails
    assert video.thumbnail_count == 0
    assert videos_missing_thumbnails(benchmark=video.benchmark) == [video]


@pytest.mark.django_db
def test_it_makes_the_strip_once(video: Video) -> None:
    assert video_make_thumbnails(video_pk=video.pk) is True
    video.refresh_from_db()
    name = video.thumbnails.name
    assert name.startswith(f"videos/{video.benchmark_id}/thumbnails/")
    assert video.thumbnail_count == THUMBNAIL_COUNT
    with video.thumbnails.open("rb") as handle:
        frames = frames_of(handle.read(), THUMBNAIL_COUNT)
    assert nearest_scene(frames[0]) == 0
    assert nearest_scene(frames[-1]) == 3

    # A second run (a message delivered twice) leaves the stored strip alone.
    assert video_make_thumbnails(video_pk=video.pk) is False
    video.refresh_from_db()
    assert video.thumbnails.name == name
    assert videos_missing_thumbnails(benchmark=video.benchmark) == []


@pytest.mark.django_db
def test_it_makes_the_strip_again_when_its_file_is_gone(video: Video) -> None:
    video_make_thumbnails(video_pk=video.pk)
    video.refresh_from_db()
    lost = video.thumbnails.name
    video.thumbnails.storage.delete(lost)

    assert videos_missing_thumbnails(benchmark=video.benchmark) == [video]
    assert video_make_thumbnails(video_pk=video.pk) is True
    video.refresh_from_db()
    assert video.thumbnails.storage.exists(video.thumbnails.name)


@pytest.mark.django_db
def test_replacing_the_file_drops_the_old_strip(
    video: Video, video_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from videos.services import video_store_file

    video_make_thumbnails(video_pk=video.pk)
    video.refresh_from_db()
    old = video.thumbnails.name
    storage = video.thumbnails.storage

    with django_capture_on_commit_callbacks(execute=True):
        video_store_file(video=video, path=video_dir / "jove_1002.mkv")
    video.refresh_from_db()
    assert not video.thumbnails
    assert video.thumbnail_count == 0
    assert not storage.exists(old)
    # The next strip is made from the new file.
    assert video_make_thumbnails(video_pk=video.pk) is True
    video.refresh_from_db()
    assert video.thumbnails.name != old


@pytest.mark.django_db
def test_the_command_makes_missing_strips_here_and_names_unknown_videos(video: Video) -> None:
    out = io.StringIO()
    call_command("make_thumbnails", "--here", stdout=out)
    assert "1001: made" in out.getvalue()
    video.refresh_from_db()
    assert video.thumbnail_count == THUMBNAIL_COUNT

    out = io.StringIO()
    call_command("make_thumbnails", "--here", stdout=out)
    assert "Every video with a file has its thumbnail strip." in out.getvalue()

    with pytest.raises(CommandError, match="no video 'nope'"):
        call_command("make_thumbnails", "--video", "nope")


# --- Served through the media endpoint ---------------------------------------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_media_endpoint_serves_the_strip_with_cache_headers(
    video: Video, curator: Any, outsider: Any
) -> None:
    client = signed_in(curator)
    assert client.get(f"/videos/{video.pk}/media/thumbnails").status_code == 404

    video_make_thumbnails(video_pk=video.pk)
    video.refresh_from_db()
    response = client.get(f"/videos/{video.pk}/media/thumbnails")
    data = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert data == video.thumbnails.open("rb").read()
    assert response["Cache-Control"].startswith("private, max-age=")
    etag = response["ETag"]

    again = client.get(f"/videos/{video.pk}/media/thumbnails", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304

    # A physicist may not see a biology video: nor its pictures.
    refused = signed_in(outsider).get(f"/videos/{video.pk}/media/thumbnails")
    assert refused.status_code == 404


# --- A real worker ------------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_makes_the_strip_of_an_imported_video(
    celery_worker: subprocess.Popen[bytes], benchmark: Any, tmp_path: Path, video_dir: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    call_command("import_videos", str(folder))

    def made() -> bool:
        return Video.objects.get(video_id="1001").thumbnail_count == THUMBNAIL_COUNT

    wait_for(made, timeout=90, what="the thumbnail strip")
    video = Video.objects.get(video_id="1001")
    with video.thumbnails.open("rb") as handle:
        assert Image.open(handle).size[0] == THUMBNAIL_COUNT * 160
    assert celery_worker.poll() is None
