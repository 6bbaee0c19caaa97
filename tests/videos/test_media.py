"""Probing, posters, the browser check and transcoding on small generated videos (no Django)."""

from __future__ import annotations

import hashlib
import io
import itertools
import struct
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from av.audio.stream import AudioStream
from av.video.stream import VideoStream
from PIL import Image, ImageStat

from videos.media.poster import extract_poster
from videos.media.probe import MediaError, VideoFacts, probe_video, sha256_file
from videos.media.transcode import is_browser_playable, transcode_to_browser_mp4
from videos.synthetic import SCENE_COLOURS, make_synthetic_video

SCENES = [(0.0, "Setup"), (5.0, "Mixing"), (10.0, "Heating"), (15.0, "Readout")]
FRAME = 1 / 5  # the test videos run at 5 fps
# Sample times in the middle of each scene, far from the boundaries.
MID_SCENE = [(2.5, 0), (7.5, 1), (12.5, 2), (17.5, 3)]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The module's test videos, generated once."""
    folder = tmp_path_factory.mktemp("media")
    made = {
        "mp4": folder / "plain.mp4",
        "mkv": folder / "plain.mkv",
        "offset_mp4": folder / "offset.mp4",
        "offset_ts": folder / "offset.ts",
        "vfr": folder / "vfr.mp4",
        "webm": folder / "plain.webm",
        "silent": folder / "silent.mp4",
    }
    tiny(made["mp4"], duration=20, scenes=SCENES, title="Plain")
    tiny(made["mkv"], duration=20, scenes=SCENES, container_format="matroska")
    tiny(made["offset_mp4"], duration=8, scenes=SCENES, start_offset=2.5)
    tiny(
        made["offset_ts"],
        duration=20,
        scenes=SCENES,
        container_format="mpegts",
        start_offset=2.0,
    )
    tiny(made["vfr"], duration=8, variable_frame_rate=True)
    tiny(made["webm"], duration=4, codec="libvpx-vp9")
    tiny(made["silent"], duration=4, audio=False)
    return made


# --- Helpers -------------------------------------------------------------------------------------


def tiny(path: Path, *, duration: float, **options: Any) -> Path:
    """A 160x90, 5 fps synthetic video: cheap to make and to decode."""
    make_synthetic_video(path, duration=duration, width=160, height=90, fps=5, **options)
    return path


def mean_colour(image: Image.Image) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(image.convert("RGB")).mean)


def nearest_scene(colour: tuple[float, ...]) -> int:
    """The scene whose background colour is closest (the white text only lightens it a little)."""
    distances = [
        sum((a - b) ** 2 for a, b in zip(colour, scene, strict=True))
        for scene in SCENE_COLOURS[: len(SCENES)]
    ]
    return distances.index(min(distances))


def decoded_frames(path: Path) -> list[tuple[float, Image.Image]]:
    """(absolute time, picture) of every frame, in presentation order."""
    with av.open(str(path)) as container:
        return [(frame.time or 0.0, frame.to_image()) for frame in container.decode(video=0)]


def frame_at(frames: list[tuple[float, Image.Image]], seconds: float) -> Image.Image:
    """The picture on screen at `seconds`: the last frame that started at or before it."""
    shown = [image for time, image in frames if time <= seconds + 1e-6]
    assert shown, f"no frame on screen at {seconds}"
    return shown[-1]


def top_level_boxes(path: Path) -> list[str]:
    """The order of the MP4's top-level boxes, read from the bytes."""
    data = path.read_bytes()
    boxes: list[str] = []
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
        elif size == 0:
            size = len(data) - pos
        boxes.append(kind.decode("latin-1"))
        assert size >= 8, f"bad box size at {pos}"
        pos += size
    return boxes


def facts(**changes: Any) -> VideoFacts:
    """Facts of a file every browser plays, with `changes`."""
    good = VideoFacts(
        duration=10.0,
        start_time=0.0,
        fps=25.0,
        width=640,
        height=360,
        codec="h264",
        audio_codec="aac",
        container="mov,mp4,m4a,3gp,3g2,mj2",
        variable_frame_rate=False,
        size=1000,
        pix_fmt="yuv420p",
        brand="isom",
    )
    return replace(good, **changes)


# --- Probing -------------------------------------------------------------------------------------


def test_it_probes_a_generated_mp4(videos: dict[str, Path]) -> None:
    found = probe_video(videos["mp4"])

    assert found.duration == pytest.approx(20.0, abs=FRAME)
    assert found.start_time == 0.0
    assert found.fps == 5.0
    assert (found.width, found.height) == (160, 90)
    assert found.codec == "h264"
    assert found.audio_codec == "aac"
    assert found.pix_fmt == "yuv420p"
    assert found.container == "mov,mp4,m4a,3gp,3g2,mj2"
    assert found.size == videos["mp4"].stat().st_size
    assert not found.variable_frame_rate
    assert is_browser_playable(found)


def test_it_probes_an_mkv_as_not_playable(videos: dict[str, Path]) -> None:
    found = probe_video(videos["mkv"])

    assert found.container == "matroska,webm"
    assert found.brand == "matroska"
    assert found.duration == pytest.approx(20.0, abs=FRAME)
    assert found.codec == "h264"
    assert not is_browser_playable(found)


def test_it_probes_a_webm_with_vp9_and_opus_as_playable(videos: dict[str, Path]) -> None:
    found = probe_video(videos["webm"])

    assert (found.codec, found.audio_codec, found.brand) == ("vp9", "opus", "webm")
    assert found.duration == pytest.approx(4.0, abs=FRAME)
    assert is_browser_playable(found)


def test_it_probes_a_video_without_audio(videos: dict[str, Path]) -> None:
    found = probe_video(videos["silent"])

    assert found.audio_codec == ""
    assert found.duration == pytest.approx(4.0, abs=FRAME)
    assert is_browser_playable(found)


def test_it_detects_a_non_zero_start_in_mp4(videos: dict[str, Path]) -> None:
    found = probe_video(videos["offset_mp4"])

    # AAC's priming samples put the audio a few ms before the video's 2.5 s.
    assert found.start_time == pytest.approx(2.5, abs=0.05)
    assert found.duration == pytest.approx(8.0, abs=FRAME)
    assert not is_browser_playable(found)


def test_it_detects_a_non_zero_start_in_mpegts(videos: dict[str, Path]) -> None:
    found = probe_video(videos["offset_ts"])

    # About the 2 s offset: AAC priming puts the audio a few ms earlier, and the MPEG-TS muxer
    # may add its own delay.
    assert 1.9 <= found.start_time <= 2.6
    assert found.container == "mpegts"
    assert found.duration == pytest.approx(20.0, abs=FRAME)
    assert not is_browser_playable(found)


def test_it_measures_the_content_of_an_offset_mkv_not_its_end_time(tmp_path: Path) -> None:
    # Matroska declares where the content ends (11.5 s), not how long it lasts (8 s).
    path = tmp_path / "late.mkv"
    tiny(path, duration=8, container_format="mkv", start_offset=3.5)

    found = probe_video(path)

    assert found.start_time == pytest.approx(3.5, abs=0.03)
    assert found.duration == pytest.approx(8.0, abs=FRAME)


def test_it_detects_a_variable_frame_rate(videos: dict[str, Path]) -> None:
    found = probe_video(videos["vfr"])

    assert found.variable_frame_rate
    assert found.fps == pytest.approx(5.0, rel=0.05)
    assert not is_browser_playable(found)


def test_it_rejects_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("These are lab notes, not a video.\n" * 20)

    with pytest.raises(MediaError, match=r"notes\.mp4 cannot be read as a video"):
        probe_video(path)


def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")

    with pytest.raises(MediaError, match="empty"):
        probe_video(path)


def test_it_rejects_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"Cannot read missing\.mp4"):
        probe_video(tmp_path / "missing.mp4")


def test_it_rejects_an_mp4_cut_before_its_index(videos: dict[str, Path], tmp_path: Path) -> None:
    # Without faststart the index (moov) is written last, so a cut file has none.
    data = videos["mp4"].read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(MediaError, match="truncated"):
        probe_video(path)


def test_it_rejects_a_faststart_mp4_cut_in_its_media_data(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    # Here the index survives and promises frames that are no longer in the file.
    whole = tmp_path / "whole.mp4"
    transcode_to_browser_mp4(videos["mkv"], whole)
    data = whole.read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) * 6 // 10])

    with pytest.raises(MediaError, match="truncated"):
        probe_video(path)


def test_it_measures_what_a_cut_mkv_still_holds(videos: dict[str, Path], tmp_path: Path) -> None:
    # Matroska's header still says 20 s; the frames stop about 70% in.
    data = videos["mkv"].read_bytes()
    path = tmp_path / "cut.mkv"
    path.write_bytes(data[: len(data) * 7 // 10])

    found = probe_video(path)
    copy = transcode_to_browser_mp4(path, tmp_path / "cut.mp4")

    assert 10.0 < found.duration < 17.0
    assert copy.duration == pytest.approx(found.duration, abs=FRAME)
    assert is_browser_playable(copy)


def test_it_rejects_a_file_without_video(tmp_path: Path) -> None:
    path = tmp_path / "sound.m4a"
    with av.open(str(path), mode="w") as output:
        stream = output.add_stream("aac", rate=48_000)
        assert isinstance(stream, AudioStream)
        stream.layout = "mono"
        for index in range(20):
            frame = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            frame.planes[0].update(bytes(4096))
            frame.sample_rate = 48_000
            frame.pts = index * 1024
            frame.time_base = Fraction(1, 48_000)
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))

    with pytest.raises(MediaError, match=r"no video stream \(it holds only audio\)"):
        probe_video(path)


# --- The browser check ---------------------------------------------------------------------------


def test_it_accepts_only_what_every_browser_plays_as_is() -> None:
    assert is_browser_playable(facts())
    assert is_browser_playable(facts(audio_codec=""))
    assert is_browser_playable(
        facts(codec="vp9", audio_codec="opus", container="matroska,webm", brand="webm")
    )
    assert is_browser_playable(
        facts(codec="av1", audio_codec="", container="matroska,webm", brand="webm")
    )

    assert not is_browser_playable(facts(codec="hevc"))
    assert not is_browser_playable(facts(pix_fmt="yuv422p"))
    assert not is_browser_playable(facts(pix_fmt="yuv420p10le"))
    assert not is_browser_playable(facts(variable_frame_rate=True))
    assert not is_browser_playable(facts(start_time=1.4))
    assert not is_browser_playable(facts(audio_codec="mp3"))
    assert not is_browser_playable(facts(audio_codec="opus"))
    assert not is_browser_playable(facts(brand="qt"))
    assert not is_browser_playable(facts(container="matroska,webm", brand="matroska"))
    assert not is_browser_playable(facts(container="matroska,webm", brand="webm"))
    assert not is_browser_playable(facts(container="avi"))
    assert not is_browser_playable(
        facts(codec="vp9", audio_codec="aac", container="matroska,webm", brand="webm")
    )


# --- Posters -------------------------------------------------------------------------------------


def test_it_extracts_a_jpeg_poster(videos: dict[str, Path]) -> None:
    poster = extract_poster(videos["mp4"])

    assert poster[:2] == b"\xff\xd8"
    image = Image.open(io.BytesIO(poster))
    image.load()
    assert image.format == "JPEG"
    assert image.size == (160, 90)
    # The default (10% in, 2 s here) is in the first scene.
    assert nearest_scene(mean_colour(image)) == 0


def test_it_scales_the_poster_down_keeping_the_aspect(videos: dict[str, Path]) -> None:
    image = Image.open(io.BytesIO(extract_poster(videos["mp4"], max_width=80)))

    assert image.size == (80, 45)


def test_it_takes_the_poster_at_the_asked_time(videos: dict[str, Path]) -> None:
    colours = [
        mean_colour(Image.open(io.BytesIO(extract_poster(videos["mp4"], at_seconds=when))))
        for when, _ in MID_SCENE
    ]

    assert [nearest_scene(colour) for colour in colours] == [scene for _, scene in MID_SCENE]
    assert len({tuple(round(c) for c in colour) for colour in colours}) == len(MID_SCENE)


def test_it_takes_the_poster_relative_to_the_start_of_an_offset_file(
    videos: dict[str, Path],
) -> None:
    # 6 s into the content is the second scene; 6 s on the absolute clock would be the first.
    poster = extract_poster(videos["offset_mp4"], at_seconds=6.0)

    assert nearest_scene(mean_colour(Image.open(io.BytesIO(poster)))) == 1


def test_it_clamps_a_poster_time_past_the_end(videos: dict[str, Path]) -> None:
    poster = extract_poster(videos["mp4"], at_seconds=999)

    assert nearest_scene(mean_colour(Image.open(io.BytesIO(poster)))) == 3


@pytest.fixture(scope="module")
def portrait(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A phone-style video: stored landscape (blue left, red right), flagged to turn 90° left."""
    path = tmp_path_factory.mktemp("portrait") / "phone.mp4"
    picture = Image.new("RGB", (160, 90), (200, 30, 30))
    picture.paste((30, 30, 200), (0, 0, 80, 90))
    with av.open(str(path), mode="w") as output:
        stream = output.add_stream("libx264", rate=5)
        assert isinstance(stream, VideoStream)
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        stream.set_display_rotation(90)
        for index in range(10):
            frame = av.VideoFrame.from_image(picture)
            frame.pts = index
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return path


def test_it_turns_the_poster_of_a_rotated_video(portrait: Path) -> None:
    image = Image.open(io.BytesIO(extract_poster(portrait)))

    assert image.size == (90, 160)
    # Turned counter-clockwise: the right (red) half is now on top.
    top, bottom = image.getpixel((45, 20)), image.getpixel((45, 140))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 150 > top[2]
    assert bottom[2] > 150 > bottom[0]


# --- Transcoding ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mkv_copy(videos: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("copies") / "plain.mp4"
    transcode_to_browser_mp4(videos["mkv"], target)
    return target


def test_it_transcodes_an_mkv_to_a_playable_mp4(videos: dict[str, Path], mkv_copy: Path) -> None:
    original = probe_video(videos["mkv"])
    copy = probe_video(mkv_copy)

    assert is_browser_playable(copy)
    assert copy.codec == "h264"
    assert copy.audio_codec == "aac"
    assert copy.fps == original.fps
    assert (copy.width, copy.height) == (original.width, original.height)
    assert copy.duration == pytest.approx(original.duration, abs=FRAME)


def test_it_writes_the_index_before_the_media_data(mkv_copy: Path) -> None:
    boxes = top_level_boxes(mkv_copy)

    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_it_keeps_every_scene_at_its_time(videos: dict[str, Path], mkv_copy: Path) -> None:
    original = decoded_frames(videos["mkv"])
    copy = decoded_frames(mkv_copy)

    for when, scene in MID_SCENE:
        assert nearest_scene(mean_colour(frame_at(copy, when))) == scene
        assert nearest_scene(mean_colour(frame_at(original, when))) == scene
    # Right after a scene change too: no frame shifted by a slot.
    assert nearest_scene(mean_colour(frame_at(copy, 5.0))) == 1
    assert nearest_scene(mean_colour(frame_at(copy, 5.0 - FRAME))) == 0


def test_it_maps_original_time_minus_start_to_output_time(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    source = videos["offset_ts"]
    start = probe_video(source).start_time
    target = tmp_path / "offset.mp4"

    copy_facts = transcode_to_browser_mp4(source, target)

    assert copy_facts.start_time == 0.0
    assert is_browser_playable(copy_facts)
    assert copy_facts.duration == pytest.approx(probe_video(source).duration, abs=FRAME)
    original = decoded_frames(source)
    copy = decoded_frames(target)
    assert copy[0][0] == 0.0
    for when, scene in MID_SCENE:
        in_copy = mean_colour(frame_at(copy, when))
        in_original = mean_colour(frame_at(original, when + start))
        assert nearest_scene(in_copy) == nearest_scene(in_original) == scene
        assert all(abs(a - b) < 10 for a, b in zip(in_copy, in_original, strict=True))


def test_it_makes_a_variable_rate_video_constant(videos: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "cfr.mp4"

    copy = transcode_to_browser_mp4(videos["vfr"], target)

    assert not copy.variable_frame_rate
    assert copy.fps == 5.0
    times = [when for when, _ in decoded_frames(target)]
    assert all(b - a == pytest.approx(FRAME, abs=1e-3) for a, b in itertools.pairwise(times))


def test_it_evens_odd_dimensions(tmp_path: Path) -> None:
    # An odd-sized source (as some cropped screen recordings are), written as raw mpeg4.
    source = tmp_path / "odd.mkv"
    with av.open(str(source), mode="w") as output:
        stream = output.add_stream("mpeg4", rate=5)
        assert isinstance(stream, VideoStream)
        stream.width, stream.height, stream.pix_fmt = 161, 91, "yuv420p"
        for index in range(10):
            frame = av.VideoFrame.from_image(Image.new("RGB", (161, 91), (30, 90, 200)))
            frame.pts = index
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))

    copy = transcode_to_browser_mp4(source, tmp_path / "even.mp4")

    assert (copy.width, copy.height) == (160, 90)
    assert is_browser_playable(copy)


def test_it_keeps_the_rotation_flag(portrait: Path, tmp_path: Path) -> None:
    target = tmp_path / "phone.mp4"

    transcode_to_browser_mp4(portrait, target)

    with av.open(str(target)) as container:
        assert next(container.decode(video=0)).rotation == 90


def test_it_reports_progress_up_to_one(videos: dict[str, Path], tmp_path: Path) -> None:
    seen: list[float] = []

    transcode_to_browser_mp4(videos["mkv"], tmp_path / "progress.mp4", progress=seen.append)

    assert len(seen) >= 5
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert 0.0 <= seen[0] < 0.5


def test_it_replaces_the_target_and_leaves_no_temporary_files(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "copy.mp4"
    target.write_bytes(b"old")

    transcode_to_browser_mp4(videos["mkv"], target)

    assert is_browser_playable(probe_video(target))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.mp4"]


def test_it_leaves_no_target_when_the_source_is_not_a_video(tmp_path: Path) -> None:
    source = tmp_path / "notes.mkv"
    source.write_text("not a video")
    target = tmp_path / "copy.mp4"

    with pytest.raises(MediaError):
        transcode_to_browser_mp4(source, target)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.mkv"]


# --- Synthetic videos ----------------------------------------------------------------------------


def test_it_generates_vfr_timestamps_that_are_irregular(videos: dict[str, Path]) -> None:
    times = [when for when, _ in decoded_frames(videos["vfr"])]
    steps = {round(b - a, 3) for a, b in itertools.pairwise(times)}

    assert len(steps) >= 3
    assert times[-1] < 8.0


def test_it_changes_the_background_at_each_scene(videos: dict[str, Path]) -> None:
    frames = decoded_frames(videos["mp4"])

    assert len(frames) == 100
    scenes = [nearest_scene(mean_colour(image)) for _, image in frames]
    assert scenes == [0] * 25 + [1] * 25 + [2] * 25 + [3] * 25


# --- Hashing -------------------------------------------------------------------------------------


def test_it_hashes_like_hashlib(videos: dict[str, Path]) -> None:
    data = videos["mp4"].read_bytes()

    assert sha256_file(videos["mp4"]) == hashlib.sha256(data).hexdigest()
    assert sha256_file(videos["mp4"], chunk_size=1000) == hashlib.sha256(data).hexdigest()
