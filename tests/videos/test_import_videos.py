"""import_videos: probing, posters, transcripts beside the files, skips and re-runs."""

from __future__ import annotations

import os
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from videos.models import MediaStatus, Transcript, Video

pytestmark = pytest.mark.django_db


def import_videos(folder: Path) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_videos", str(folder), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.fixture
def folder(tmp_path: Path, video_dir: Path) -> Path:
    target = tmp_path / "incoming"
    shutil.copytree(video_dir, target)
    return target


def test_it_probes_stores_and_makes_posters(benchmark: Any, folder: Path) -> None:
    out = import_videos(folder)

    assert "jove_1001.mp4: created" in out
    video = Video.objects.get(video_id="1001")
    assert video.media_status == MediaStatus.READY
    assert video.duration == pytest.approx(20.0, abs=0.25)
    assert video.fps == pytest.approx(5.0)
    assert (video.width, video.height, video.codec) == (160, 90, "h264")
    assert video.size == (folder / "jove_1001.mp4").stat().st_size
    assert len(video.sha256) == 64
    assert video.original.storage.exists(video.original.name)
    with video.poster.open("rb") as poster:
        assert poster.read(2) == b"\xff\xd8"


def test_it_attaches_the_transcript_beside_the_video(benchmark: Any, folder: Path) -> None:
    import_videos(folder)
    transcript = Transcript.objects.get(video__video_id="1001")
    cues = list(transcript.cues.values_list("start", "end", "text"))
    assert cues[1] == (5.0, 10.0, "The reagents are mixed at a 1:10 ratio.")
    assert "heated to 80 degrees" in transcript.text


def test_it_queues_a_browser_copy_for_an_mkv(benchmark: Any, folder: Path) -> None:
    import_videos(folder)
    video = Video.objects.get(video_id="1002")
    assert video.media_status == MediaStatus.PROCESSING
    assert video.original.name.endswith(".mkv")
    assert not video.playable


def test_it_skips_unchanged_files_on_a_second_run(benchmark: Any, folder: Path) -> None:
    import_videos(folder)
    first = {v.video_id: (v.original.name, v.updated_at) for v in Video.objects.all()}
    out = import_videos(folder)
    assert "jove_1001.mp4: unchanged" in out
    assert {v.video_id: (v.original.name, v.updated_at) for v in Video.objects.all()} == first


def test_it_skips_a_touched_but_identical_file_by_checksum(benchmark: Any, folder: Path) -> None:
    import_videos(folder)
    path = folder / "jove_1001.mp4"
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 100))
    out = import_videos(folder)
    assert "jove_1001.mp4: unchanged" in out


def test_it_updates_a_changed_file(benchmark: Any, folder: Path, video_dir: Path) -> None:
    from videos.synthetic import make_synthetic_video

    import_videos(folder)
    old_sha = Video.objects.get(video_id="1001").sha256
    make_synthetic_video(folder / "jove_1001.mp4", duration=8, width=160, height=90, fps=5)
    out = import_videos(folder)
    video = Video.objects.get(video_id="1001")
    assert "jove_1001.mp4: updated" in out
    assert video.sha256 != old_sha
    assert video.duration == pytest.approx(8.0, abs=0.25)


def test_it_reports_a_file_that_is_not_a_video_and_keeps_the_rest(
    benchmark: Any, folder: Path
) -> None:
    (folder / "jove_9999.mp4").write_bytes(b"this is not a video at all" * 100)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 file\\(s\\) skipped"):
        call_command("import_videos", str(folder), stdout=out, stderr=err)
    assert "jove_9999.mp4: skipped" in err.getvalue()
    assert set(Video.objects.values_list("video_id", flat=True)) == {"1001", "1002"}


def test_it_fills_a_placeholder_video_made_by_a_question_import(
    benchmark: Any, folder: Path, write_items: Any
) -> None:
    from tests.factories import make_item

    call_command(
        "import_questions",
        str(
            write_items(
                [
                    make_item(
                        video_id="1001",
                        question="At 00:12?",
                        video_duration=20,
                        timestamp_breakdown=[],
                    )
                ]
            )
        ),
    )
    assert Video.objects.get(video_id="1001").media_status == MediaStatus.PLACEHOLDER
    import_videos(folder)
    video = Video.objects.get(video_id="1001")
    assert video.media_status == MediaStatus.READY
    assert video.questions.count() == 1


def test_it_fails_with_one_line_for_a_missing_folder(benchmark: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_videos", str(tmp_path / "missing"))


def test_it_warns_about_questions_that_cite_times_past_the_probed_end(
    benchmark: Any, folder: Path, write_items: Any
) -> None:
    from tests.factories import make_item

    # The question file said the video is 300 s long; the real file is 20 s.
    call_command(
        "import_questions",
        str(write_items([make_item(video_id="1001", video_duration=300)])),
    )
    out = import_videos(folder)
    assert "jove_1001.mp4: created" in out
    assert "warning: 1 question(s) cite times past the end of the video (20.0 s)" in out


def test_it_accepts_upper_case_extensions(benchmark: Any, folder: Path) -> None:
    (folder / "jove_1001.mp4").rename(folder / "jove_1003.MP4")
    out = import_videos(folder)
    assert "jove_1003.MP4: created" in out
    assert Video.objects.get(video_id="1003").duration == pytest.approx(20.0, abs=0.25)


def test_it_finds_videos_by_transcript_text(benchmark: Any, folder: Path, curator: Any) -> None:
    from django.test import Client

    import_videos(folder)
    client = Client()
    client.force_login(curator)
    page = client.get("/videos/?q=heated+to+80").content.decode()
    assert ">1001<" in page and ">1002<" not in page
    assert "No video matches" in client.get("/videos/?q=centrifuge").content.decode()


def test_it_reads_a_json_transcript_beside_the_video(benchmark: Any, folder: Path) -> None:
    (folder / "1001.vtt").unlink()
    (folder / "1001.json").write_text(
        '{"segments": [{"start": 0.0, "end": 4.5, "text": " The bead is trapped."},'
        ' {"start": 4.5, "end": 9.0, "text": "The laser power is 200 mW."}]}',
        encoding="utf-8",
    )
    import_videos(folder)
    cues = Transcript.objects.get(video__video_id="1001").cues.values_list("start", "text")
    assert list(cues) == [(0.0, "The bead is trapped."), (4.5, "The laser power is 200 mW.")]


def test_the_video_list_pages_through_many_videos(benchmark: Any, curator: Any) -> None:
    from django.test import Client

    Video.objects.bulk_create(
        Video(benchmark=benchmark, video_id=f"{n:05d}", duration=60) for n in range(250)
    )
    client = Client()
    client.force_login(curator)
    first = client.get("/videos/").content.decode()
    assert "page 1 of 3 · 250 videos" in first
    assert ">00099<" in first and ">00100<" not in first
    last = client.get("/videos/?page=3").content.decode()
    assert ">00249<" in last and ">00000<" not in last
