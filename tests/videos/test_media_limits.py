"""Videos over the configured size, frame rate or length are refused from their metadata,
before a frame is decoded, on import, upload and replace; probing stays within bounded memory."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import ROOT
from tests.videos.test_uploads import finish, signed_in, upload_file
from videos.media.poster import extract_poster
from videos.media.probe import MediaTooLarge, probe_video
from videos.models import Upload, UploadStatus, Video

HUGE = 8192  # 67 megapixels per frame: a few hundred KB of H.264, hundreds of MB decoded

# Encodes two black frames at HUGE x HUGE in a child process (the encoder itself needs the
# memory the probe must not).
MAKE_HUGE = textwrap.dedent(
    """
    import sys, av
    size = int(sys.argv[2])
    out = av.open(sys.argv[1], "w", format="mp4")
    stream = out.add_stream("libx264", rate=1, options={"preset": "ultrafast", "crf": "51"})
    stream.width = stream.height = size
    stream.pix_fmt = "yuv420p"
    frame = av.VideoFrame(size, size, "yuv420p")
    for plane in frame.planes:
        plane.update(bytes(plane.buffer_size))
    for pts in range(2):
        frame.pts = pts
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))
    out.close()
    """
)

# Probes (or makes a poster of) a file in a fresh process and reports its peak memory.
MEASURE = textwrap.dedent(
    """
    import json, sys
    from videos.media.poster import extract_poster
    from videos.media.probe import MediaError, probe_video
    outcome = "accepted"
    try:
        (probe_video if sys.argv[2] == "probe" else extract_poster)(sys.argv[1])
    except MediaError as exc:
        outcome = str(exc)
    # VmHWM, not getrusage: ru_maxrss survives exec and would count the forking parent.
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"outcome": outcome, "peak_mb": int(line.split()[1]) // 1024}))
    """
)


@pytest.fixture(scope="session")
def huge_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("huge") / "jove_9001.mp4"
    subprocess.run([sys.executable, "-c", MAKE_HUGE, str(path), str(HUGE)], check=True, timeout=120)
    return path


def measure(path: Path, what: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), what],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("what", ["probe", "poster"])
def test_a_tiny_file_declaring_a_huge_picture_is_refused_without_decoding_it(
    huge_video: Path, what: str
) -> None:
    assert huge_video.stat().st_size < 2_000_000
    result = measure(huge_video, what)
    assert result["outcome"] == (
        f"jove_9001.mp4 is {HUGE}x{HUGE} pixels (67,108,864); the limit is 9,437,184 pixels "
        "per frame (VIDEO_MAX_PIXELS)."
    )
    # One decoded frame alone is 96 MiB, and the decoder holds more: the interpreter with
    # PyAV and Pillow stays well under this.
    assert result["peak_mb"] < 140, result


def test_the_limits_come_from_the_settings(settings: Any, video_dir: Path) -> None:
    path = video_dir / "jove_1001.mp4"  # 160x90, 5 fps, 20 s
    probe_video(path)
    settings.VIDEO_MAX_PIXELS = 160 * 90 - 1
    with pytest.raises(MediaTooLarge, match=r"is 160x90 pixels \(14,400\); the limit is 14,399"):
        probe_video(path)
    with pytest.raises(MediaTooLarge, match="VIDEO_MAX_PIXELS"):
        extract_poster(path)
    settings.VIDEO_MAX_PIXELS = 160 * 90
    settings.VIDEO_MAX_FPS = 4
    with pytest.raises(MediaTooLarge, match=r"runs at 5 frames per second; the limit is 4 \("):
        probe_video(path)
    settings.VIDEO_MAX_FPS = 120
    settings.VIDEO_MAX_DURATION = 10
    with pytest.raises(MediaTooLarge, match=r"lasts 20 s; the limit is 10 s \(VIDEO_MAX_DUR"):
        probe_video(path)


@pytest.mark.django_db
def test_import_reports_a_video_over_the_limit_and_stores_nothing(
    settings: Any, benchmark: Any, tmp_path: Path, video_dir: Path
) -> None:
    shutil.copy(video_dir / "jove_1001.mp4", tmp_path)
    settings.VIDEO_MAX_PIXELS = 1000
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_videos", str(tmp_path), stdout=out, stderr=out)
    assert "VIDEO_MAX_PIXELS" in out.getvalue()
    assert not Video.objects.filter(video_id="1001").exclude(original="").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("replace", [False, True])
def test_an_upload_or_replacement_over_the_limit_is_refused_with_the_limit(
    settings: Any, benchmark: Any, curator: Any, video_dir: Path, replace: bool
) -> None:
    from videos.services import video_store_file

    if replace:
        video = Video.objects.create(benchmark=benchmark, video_id="1001")
        video_store_file(video=video, path=video_dir / "jove_1001.mp4")
        before = Video.objects.get(pk=video.pk).sha256
    client = signed_in(curator)
    data = (video_dir / "jove_1001.mp4").read_bytes()
    upload = upload_file(client, data, name="jove_1001.mp4", replace=replace)
    settings.VIDEO_MAX_PIXELS = 1000
    response = finish(client, upload)
    assert response.status_code == 413
    assert response.json()["error"] == (
        "jove_1001.mp4 is 160x90 pixels (14,400); the limit is 1,000 pixels per frame "
        "(VIDEO_MAX_PIXELS)."
    )
    assert Upload.objects.get(pk=upload["id"]).status == UploadStatus.FAILED
    if replace:
        assert Video.objects.get(video_id="1001").sha256 == before
    else:
        assert not Video.objects.filter(video_id="1001").exists()
