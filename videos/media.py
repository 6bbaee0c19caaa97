"""Video files through PyAV: probing, posters, the browser-compatibility check and transcoding.

Everything here works on local paths and raises MediaError with a message meant for the uploader.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.packet import Packet
from av.stream import Disposition
from av.video.frame import PictureType, VideoFrame
from av.video.stream import VideoStream
from django.conf import settings
from PIL import Image

MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
MATROSKA_FAMILY = "matroska,webm"

# How many frames' timestamps decide whether the frame rate is constant.
_VFR_SAMPLE = 60
# Packets come in decode order; with B-frames a frame's packet can arrive up to the reorder depth
# (at most 16 in H.264/HEVC) after earlier-shown ones, so read this many to have the first
# _VFR_SAMPLE frames in presentation order complete.
_VFR_PACKETS = _VFR_SAMPLE + 30
# Give up looking for a first decodable frame after this many packets (a stream cut mid-GOP
# needs a few until the next keyframe; a real video never needs this many).
_FIRST_FRAME_PACKETS = 600
# Read the last seconds to measure where the content really ends.
_TAIL_SECONDS = 3.0
# The container's declared duration is kept when the measured one agrees within this.
_DURATION_TOLERANCE = 0.25

# Frame rates that cameras and editors produce, so "29.97..." becomes exactly 30000/1001.
_STANDARD_RATES = (
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(48),
    Fraction(50),
    Fraction(60000, 1001),
    Fraction(60),
)
# Above this the browser copy drops frames: displays refresh at 60 Hz and high-speed footage at
# its native rate would make a huge file for no visible gain.
_MAX_OUTPUT_RATE = Fraction(60)
_AUDIO_RATE = 48_000


class MediaError(Exception):
    """The file is not a decodable video (message says why, suitable for the user)."""


class MediaTooLarge(MediaError):
    """The video is over a configured limit (size in pixels, frame rate or duration)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} {reason}")
        # Without the file's name, which for an upload is that of a partial file.
        self.reason = reason


@dataclass(frozen=True)
class MediaLimits:
    """The largest video accepted, judged from the container's metadata before any decoding:
    a tiny file can declare a picture that takes gigabytes to decode."""

    max_pixels: int = 4096 * 2304  # width x height: 4K (DCI and UHD) fits
    max_fps: float = 120.0
    max_duration: float = 4 * 3600.0  # seconds


def media_limits() -> MediaLimits:
    """The limits from the settings (VIDEO_MAX_PIXELS, VIDEO_MAX_FPS, VIDEO_MAX_DURATION)."""
    if not settings.configured:
        return MediaLimits()
    default = MediaLimits()
    return MediaLimits(
        max_pixels=int(getattr(settings, "VIDEO_MAX_PIXELS", default.max_pixels)),
        max_fps=float(getattr(settings, "VIDEO_MAX_FPS", default.max_fps)),
        max_duration=float(getattr(settings, "VIDEO_MAX_DURATION", default.max_duration)),
    )


@dataclass(frozen=True)
class VideoFacts:
    duration: float  # seconds of content, ms precision
    start_time: float  # container start time in seconds (non-zero for e.g. MPEG-TS)
    fps: float  # average frame rate of the video stream
    width: int
    height: int
    codec: str  # e.g. "h264", "hevc", "vp9", "av1"
    audio_codec: str  # "" when there is no audio
    container: str  # PyAV's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
    variable_frame_rate: bool
    size: int  # bytes
    pix_fmt: str
    # The demuxer names both mkv and webm "matroska,webm" and both mov and mp4 "mov,mp4,…", so
    # the compatibility check needs the file's own type: the Matroska DocType ("webm",
    # "matroska") or the MP4 major brand ("isom", "mp42", "qt" for QuickTime).
    brand: str = ""


# --- Probing -----------------------------------------------------------------------------------


def probe_video(path: str | os.PathLike[str]) -> VideoFacts:
    """Facts about a video file; raises MediaError when it is not a decodable video."""
    filename = os.fspath(path)
    name = Path(filename).name
    try:
        size = Path(filename).stat().st_size
    except OSError as exc:
        raise MediaError(f"Cannot read {name}: {exc.strerror or exc}.") from exc
    if size == 0:
        raise MediaError(f"{name} is empty (0 bytes).")

    with _open_input(filename) as container:
        stream = _main_video_stream(container, name)
        head = _read_head(container, stream, name, need_all=container.duration is None)
        start = _start_seconds(container, stream, head)
        declared = _declared_duration(container, stream)
        if declared is None:
            # Nothing in the headers: the whole file was read, its last timestamp is the answer.
            duration = (head.end - start) if head.end is not None else 0.0
        else:
            measured_end = _tail_end(container, stream, start + declared, head.fps)
            if measured_end is None:
                raise MediaError(
                    f"{name} seems to be truncated: it declares {declared:.1f} s of video but "
                    "nothing near the end can be read."
                )
            measured = measured_end - start
            # The declared value is what players show, so keep it when it agrees; Matroska
            # declares the end *time*, which differs from the duration when the file does not
            # start at 0, and a damaged file can declare more than it holds.
            if abs(declared - measured) <= max(_DURATION_TOLERANCE, 2 / (head.fps or 25)):
                duration = declared
            else:
                duration = measured
        audio = _main_audio_stream(container)
        return VideoFacts(
            duration=round(max(duration, 0.0), 3),
            start_time=round(start, 3),
            fps=round(head.fps, 3),
            width=head.width,
            height=head.height,
            codec=_codec_name(stream),
            audio_codec=_codec_name(audio) if audio is not None else "",
            container=container.format.name,
            variable_frame_rate=head.variable,
            size=size,
            pix_fmt=head.pix_fmt,
            brand=_brand(container, filename),
        )


def _open_input(filename: str, *, threads: int = 1) -> InputContainer:
    """Open a file for reading with bounded decoder memory.

    Opening already decodes a frame to learn the stream's parameters; `max_pixels` makes the
    decoder refuse a picture above the limit instead of allocating it, and one thread (the
    default, for probing and posters) keeps the decoder from holding a frame per thread.
    """
    name = Path(filename).name
    limits = media_limits()
    options = {"max_pixels": str(limits.max_pixels), "threads": str(threads)}
    try:
        # Metadata in legacy encodings must not make a valid video unreadable.
        return av.open(filename, mode="r", metadata_errors="replace", options=options)
    except av.error.FFmpegError as exc:
        reason = exc.strerror or "unknown error"
        raise MediaError(
            f"{name} cannot be read as a video ({reason}). It may be truncated, damaged, or not "
            "a video file at all."
        ) from exc
    except OSError as exc:
        raise MediaError(f"Cannot read {name}: {exc.strerror or exc}.") from exc


def _main_video_stream(container: InputContainer, name: str) -> VideoStream:
    """The video stream, refused (MediaError) when its declared size, rate or length is over
    the limits: checked from the metadata, before a frame is decoded."""
    # Cover art in mp4/mkv is a one-picture "video" stream; it is never the video itself.
    streams = [s for s in container.streams.video if not s.disposition & Disposition.attached_pic]
    if not streams:
        kinds = sorted({s.type for s in container.streams})
        found = f" (it holds only {', '.join(kinds)})" if kinds else ""
        raise MediaError(f"{name} has no video stream{found}.")
    for candidate in streams:
        _check_limits(container, candidate, name)
    # Prefer the stream marked as default, then the largest picture.
    return max(
        streams,
        key=lambda s: (
            bool(s.disposition & Disposition.default),
            s.codec_context.width * s.codec_context.height,
        ),
    )


def _check_limits(container: InputContainer, stream: VideoStream, name: str) -> None:
    limits = media_limits()
    width, height = stream.codec_context.width, stream.codec_context.height
    if width * height > limits.max_pixels:
        raise MediaTooLarge(
            name,
            f"is {width}x{height} pixels ({width * height:,}); the limit is "
            f"{limits.max_pixels:,} pixels per frame (VIDEO_MAX_PIXELS).",
        )
    if width <= 0 or height <= 0:
        # Opening decodes a frame to learn the size; with max_pixels the decoder refuses one
        # over the limit, which leaves the size unknown.
        raise MediaTooLarge(
            name,
            f"does not declare a picture size within the limit of "
            f"{limits.max_pixels:,} pixels per frame (VIDEO_MAX_PIXELS).",
        )
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if rate and float(rate) > limits.max_fps:
        raise MediaTooLarge(
            name,
            f"runs at {float(rate):g} frames per second; the limit is "
            f"{limits.max_fps:g} (VIDEO_MAX_FPS).",
        )
    declared = _declared_duration(container, stream)
    if declared is not None and declared > limits.max_duration:
        raise MediaTooLarge(
            name,
            f"lasts {declared:,.0f} s; the limit is {limits.max_duration:,.0f} s "
            "(VIDEO_MAX_DURATION).",
        )


def _main_audio_stream(container: InputContainer) -> AudioStream | None:
    streams = [s for s in container.streams.audio if s.codec_context.channels > 0]
    if not streams:
        return None
    return max(streams, key=lambda s: bool(s.disposition & Disposition.default))


def _codec_name(stream: VideoStream | AudioStream) -> str:
    # The canonical name, not the decoder's: AV1 decoded by dav1d is still "av1".
    return stream.codec_context.codec.canonical_name


@dataclass
class _Head:
    """What reading the start of the video stream tells."""

    width: int
    height: int
    pix_fmt: str
    fps: float
    variable: bool
    first_pts: float | None  # seconds
    end: float | None  # seconds; the end of the last packet read


def _packet_time(packet: Packet) -> float | None:
    stamp = packet.pts if packet.pts is not None else packet.dts
    if stamp is None or packet.time_base is None:
        return None
    return float(stamp * packet.time_base)


def _read_head(
    container: InputContainer, stream: VideoStream, name: str, *, need_all: bool
) -> _Head:
    """Decode the first frame and collect the first packets' timestamps.

    With `need_all` (no duration in the headers) every packet is read to find the end.
    """
    first: VideoFrame | None = None
    stamps: list[float] = []
    end: float | None = None
    errors = 0
    packets = 0
    try:
        for packet in container.demux(stream):
            packets += 1
            when = _packet_time(packet)
            if when is not None and packet.size:
                if len(stamps) < _VFR_PACKETS:
                    stamps.append(when)
                finish = (
                    when + float(packet.duration * packet.time_base)
                    if (packet.duration and packet.time_base is not None)
                    else when
                )
                end = finish if end is None else max(end, finish)
            if first is None:
                try:
                    frames = stream.decode(packet)
                except av.error.FFmpegError:
                    # A damaged packet is survivable; only a file of them is not a video.
                    errors += 1
                    frames = []
                if frames:
                    first = frames[0]
                elif packets >= _FIRST_FRAME_PACKETS:
                    break
            elif len(stamps) >= _VFR_PACKETS and not need_all:
                break
    except av.error.FFmpegError as exc:
        if first is None:
            raise MediaError(
                f"{name} could not be read past its start ({exc.strerror or 'read error'}); it "
                "may be truncated or damaged."
            ) from exc
    if first is None:
        detail = f" ({errors} damaged packets)" if errors else ""
        raise MediaError(
            f"No picture could be decoded from {name}{detail}; it may be truncated, damaged, or "
            "use a codec that is not supported."
        )

    fps, variable = _rate_from_stamps(stream, stamps)
    ctx = stream.codec_context
    return _Head(
        width=first.width or ctx.width,
        height=first.height or ctx.height,
        pix_fmt=ctx.pix_fmt or first.format.name,
        fps=fps,
        variable=variable,
        first_pts=min(stamps) if stamps else first.time,
        end=end,
    )


def _rate_from_stamps(stream: VideoStream, stamps: list[float]) -> tuple[float, bool]:
    """(average fps, variable?) — the rate from the stream, the variability from timestamps.

    Metadata alone cannot be trusted: mp4 and mkv always declare some rate, constant or not.
    """
    ordered = sorted(set(stamps))[: _VFR_SAMPLE + 1]
    deltas = [b - a for a, b in itertools.pairwise(ordered)]
    variable = False
    median = statistics.median(deltas) if deltas else 0.0
    if median > 0:
        tick = float(stream.time_base) if stream.time_base else 0.0
        # Timestamps are rounded to the time base (1 ms in Matroska, so 29.97 fps shows 33 and
        # 34 ms steps): allow one and a half ticks, and 10% for sloppy muxers.
        allowed = max(0.1 * median, 1.5 * tick)
        irregular = sum(1 for d in deltas if abs(d - median) > allowed)
        # A single dropped frame does not make a file variable-rate; a pattern does.
        variable = irregular >= 2 and irregular * 20 > len(deltas)

    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if rate and rate > 0:
        fps = float(rate)
    elif median > 0:
        fps = 1 / median
    else:
        fps = 0.0
    return fps, variable


def _start_seconds(container: InputContainer, stream: VideoStream, head: _Head) -> float:
    if container.start_time is not None:
        return container.start_time / av.time_base
    if stream.start_time is not None and stream.time_base is not None:
        return float(stream.start_time * stream.time_base)
    return head.first_pts or 0.0


def _declared_duration(container: InputContainer, stream: VideoStream) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    if stream.duration and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def _tail_end(
    container: InputContainer, stream: VideoStream, declared_end: float, fps: float
) -> float | None:
    """Where the last packet of the video or audio ends, read from the last few seconds.

    None when nothing can be read there: the index promises data the file does not hold.
    """
    assert stream.time_base is not None
    streams: list[VideoStream | AudioStream] = [stream]
    audio = _main_audio_stream(container)
    if audio is not None:
        streams.append(audio)
    target = max(declared_end - _TAIL_SECONDS, 0.0)
    frame_seconds = 1 / fps if fps > 0 else 0.0
    # Not seekable (rare, e.g. some raw streams): read on from where the head stopped instead.
    with contextlib.suppress(av.error.FFmpegError):
        container.seek(int(target / stream.time_base), stream=stream, backward=True)
    end: float | None = None
    try:
        for packet in container.demux(*streams):
            when = _packet_time(packet)
            if when is None or not packet.size:
                continue
            if packet.stream.type == "video":
                # Many muxers leave video packet durations empty; a frame lasts 1/fps.
                length = float(packet.duration * packet.time_base) if packet.duration else 0.0
                finish = when + (length or frame_seconds)
            else:
                length = float(packet.duration * packet.time_base) if packet.duration else 0.0
                finish = when + length
            end = finish if end is None else max(end, finish)
    except av.error.FFmpegError:
        # A damaged tail: what was read so far is what can be played.
        pass
    # Audio alone also counts: some recordings stop the picture before the sound.
    return end


def _brand(container: InputContainer, filename: str) -> str:
    if container.format.name == MP4_FAMILY:
        return container.metadata.get("major_brand", "").strip().lower()
    if container.format.name == MATROSKA_FAMILY:
        return _matroska_doc_type(filename)
    return ""


def _read_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at `pos`: (value, position after it)."""
    if pos >= len(data):
        raise ValueError("EBML data ends early")
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        raise ValueError("bad EBML integer")
    value = first if keep_marker else first & ((0x80 >> (length - 1)) - 1)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    return value, pos + length


def _matroska_doc_type(filename: str) -> str:
    """The DocType ("webm" or "matroska") from the EBML header at the start of the file."""
    try:
        with open(filename, "rb") as handle:
            data = handle.read(4096)
        element, pos = _read_vint(data, 0, keep_marker=True)
        if element != 0x1A45DFA3:
            return ""
        size, pos = _read_vint(data, pos, keep_marker=False)
        header_end = min(pos + size, len(data))
        while pos < header_end:
            element, pos = _read_vint(data, pos, keep_marker=True)
            size, pos = _read_vint(data, pos, keep_marker=False)
            if element == 0x4282:
                return data[pos : pos + size].rstrip(b"\0").decode("ascii", "replace").lower()
            pos += size
    except (OSError, ValueError):
        pass
    return ""


# --- The browser check -------------------------------------------------------------------------


_PLAYABLE_AUDIO = {"mp4": {"", "aac"}, "webm": {"", "opus", "vorbis"}}


def is_browser_playable(facts: VideoFacts) -> bool:
    """Whether every current browser plays the file as it is, with exact seeking.

    H.264 in MP4 or VP9/AV1 in WebM, 4:2:0 8-bit pictures (10-bit for VP9/AV1), AAC (MP4) or
    Opus/Vorbis (WebM) or no audio, a constant frame rate, and a timeline starting at 0 — the
    player's times must be the file's times. Anything else gets a browser copy.
    """
    if facts.container == MP4_FAMILY and facts.brand != "qt":
        family = "mp4"
        codec_ok = facts.codec == "h264" and facts.pix_fmt in {"yuv420p", "yuvj420p"}
    elif facts.container == MATROSKA_FAMILY and facts.brand == "webm":
        family = "webm"
        codec_ok = facts.codec in {"vp9", "av1"} and facts.pix_fmt in {
            "yuv420p",
            "yuv420p10le",
        }
    else:
        return False
    return (
        codec_ok
        and facts.audio_codec in _PLAYABLE_AUDIO[family]
        and not facts.variable_frame_rate
        and abs(facts.start_time) < 0.0005
        and facts.width > 0
        and facts.height > 0
    )


# --- Posters -----------------------------------------------------------------------------------


def extract_poster(
    path: str | os.PathLike[str], at_seconds: float | None = None, max_width: int = 640
) -> bytes:
    """JPEG bytes of the frame shown at `at_seconds` (0 = the first frame), at most `max_width`.

    By default the frame 10% into the video, but no later than 5 s: far enough to skip the black
    or fading first frames most recordings open with, early enough to show the opening set-up (the
    most representative picture of an experiment video), and a short seek in any file, even
    one without a seek index.
    """
    filename = os.fspath(path)
    name = Path(filename).name
    with _open_input(filename) as container:
        stream = _main_video_stream(container, name)
        start = container.start_time / av.time_base if container.start_time is not None else 0.0
        declared = _declared_duration(container, stream) or 0.0
        if at_seconds is None:
            at_seconds = min(0.1 * declared, 5.0)
        at_seconds = max(0.0, min(at_seconds, declared)) if declared else max(0.0, at_seconds)
        frame = _frame_at(container, stream, start + at_seconds)
        if frame is None:
            raise MediaError(f"No picture could be decoded from {name}.")
        sample_aspect = stream.codec_context.sample_aspect_ratio
        image = _poster_image(frame, sample_aspect, max_width)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def _frame_at(container: InputContainer, stream: VideoStream, target: float) -> VideoFrame | None:
    """The frame on screen at absolute time `target`: seek to the keyframe before, decode on."""
    assert stream.time_base is not None
    rate = float(stream.average_rate or stream.guessed_rate or 25)
    half_frame = 0.5 / rate
    # Unseekable input: decode from wherever the file is, which is its start.
    with contextlib.suppress(av.error.FFmpegError):
        container.seek(int(target / stream.time_base), stream=stream, backward=True)
    chosen: VideoFrame | None = None
    try:
        for frame in container.decode(stream):
            if frame.time is not None and frame.time > target + half_frame and chosen is not None:
                # Overshot: the previous frame is the one on screen at `target`.
                break
            chosen = frame
            if frame.time is None or frame.time >= target - half_frame:
                break
    except av.error.FFmpegError:
        pass
    if chosen is None and target > 0:
        # The seek went past the last keyframe's data (a short or odd file): start over.
        container.seek(0, stream=stream, backward=True)
        return _frame_at(container, stream, 0.0)
    return chosen


def _poster_image(frame: VideoFrame, sample_aspect: Fraction | None, max_width: int) -> Image.Image:
    image: Image.Image = frame.to_image()
    width, height = image.size
    # Anamorphic video (non-square pixels) is shown wider or narrower than it is stored.
    display_width = width
    if sample_aspect and sample_aspect > 0 and sample_aspect != 1:
        display_width = max(1, round(width * float(sample_aspect)))
    target_width = min(max_width, display_width)
    target_height = max(1, round(height * target_width / display_width))
    if (target_width, target_height) != image.size:
        image = image.resize((target_width, target_height), Image.Resampling.LANCZOS)
    # Phones store portrait video sideways with a rotation flag that players apply.
    rotation = frame.rotation % 360
    if rotation:
        image = image.rotate(rotation, expand=True)
    return image


# --- Transcoding -------------------------------------------------------------------------------


def _output_rate(stream: VideoStream, facts: VideoFacts) -> Fraction:
    """A constant rate for the browser copy: the source's average, tidied up."""
    rate = stream.average_rate or stream.guessed_rate
    if not rate or rate <= 0:
        rate = Fraction(facts.fps).limit_denominator(1001) if facts.fps > 0 else Fraction(25)
    for standard in _STANDARD_RATES:
        if abs(rate - standard) / standard < Fraction(1, 500):
            return standard
    if rate > _MAX_OUTPUT_RATE:
        return _MAX_OUTPUT_RATE
    if rate < 1:
        # A slideshow-like source still needs a few frames a second for seeking to feel right.
        return Fraction(1)
    if abs(rate - round(rate)) / rate < Fraction(1, 200):
        return Fraction(round(rate))
    return rate.limit_denominator(1001)


class _Progress:
    """Reports progress at most every half second, or every 1%, and never backwards."""

    def __init__(self, callback: Callable[[float], None] | None, duration: float) -> None:
        self.callback = callback
        self.duration = duration
        self.reported = 0.0
        self.when = 0.0

    def update(self, seconds: float) -> None:
        if self.callback is None or self.duration <= 0:
            return
        fraction = min(max(seconds / self.duration, 0.0), 0.999)
        now = time.monotonic()
        if fraction >= self.reported + 0.01 or (
            fraction > self.reported and now - self.when >= 0.5
        ):
            self.reported = fraction
            self.when = now
            self.callback(fraction)


def transcode_to_browser_mp4(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    progress: Callable[[float], None] | None = None,
) -> VideoFacts:
    """Write an H.264/AAC MP4 every browser plays and seeks exactly; return its facts.

    Original time t is output time t - start_time: cue and question times on the original
    timeline (minus its start) stay valid for the copy. The copy is written next to `dst` and
    renamed into place, so `dst` is either absent, the old file, or complete.
    """
    source = os.fspath(src)
    target = Path(dst)
    facts = probe_video(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    os.close(handle)
    try:
        try:
            _transcode(source, temp_name, facts, _Progress(progress, facts.duration))
        except av.error.FFmpegError as exc:
            raise MediaError(
                f"Converting {Path(source).name} for the browser failed: {exc.strerror}."
            ) from exc
        # Check the copy before it replaces anything: a browser copy that is not one is a bug.
        result = probe_video(temp_name)
        if not is_browser_playable(result):
            raise MediaError(f"The browser copy of {Path(source).name} came out unplayable.")
        with open(temp_name, "rb") as written:
            os.fsync(written.fileno())
        Path(temp_name).replace(target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    return probe_video(target)


def _transcode(source: str, temp_name: str, facts: VideoFacts, report: _Progress) -> None:
    name = Path(source).name
    # Transcoding wants every core; the picture size was checked when the source was probed.
    with _open_input(source, threads=0) as inp:
        vin = _main_video_stream(inp, name)
        vin.thread_type = "AUTO"
        ain = _main_audio_stream(inp)
        # The exact start, not the rounded fact, so frames land on the right output slot.
        start = inp.start_time / av.time_base if inp.start_time is not None else facts.start_time
        rate = _output_rate(vin, facts)
        try:
            out = av.open(
                temp_name,
                mode="w",
                format="mp4",
                # moov before mdat: the browser can start playing and seeking before the download
                # ends.
                container_options={"movflags": "+faststart"},
            )
        except av.error.FFmpegError as exc:
            raise MediaError(f"Cannot write the browser copy: {exc.strerror}.") from exc
        with out:
            video = _VideoWriter(out, vin, facts, rate, start, _rotation(source))
            audio = _AudioWriter(out, ain, start) if ain is not None else None
            decode_from: list[VideoStream | AudioStream] = [vin]
            if ain is not None:
                decode_from.append(ain)
            damaged = 0
            packets = inp.demux(*decode_from)
            while True:
                try:
                    packet = next(packets)
                except StopIteration:
                    break
                except av.error.FFmpegError as exc:
                    # A truncated tail: keep what decoded, like a player would show it.
                    if video.written == 0:
                        raise MediaError(f"{name} could not be read: {exc.strerror}.") from exc
                    break
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    # One damaged packet costs a frame (or a blip of sound), not the whole
                    # copy; only a video stream that keeps failing does.
                    if packet.stream.type == "video":
                        damaged += 1
                        if damaged > 100:
                            raise MediaError(f"{name} is too damaged to convert.") from None
                    continue
                # Encoding errors are not the source's fault: they propagate.
                for frame in frames:
                    if isinstance(frame, VideoFrame):
                        video.add(frame)
                        report.update(video.clock)
                    elif isinstance(frame, AudioFrame) and audio is not None:
                        audio.add(frame)
            if video.written == 0:
                raise MediaError(f"No picture could be decoded from {name}.")
            video.finish()
            if audio is not None:
                audio.finish()


def _rotation(source: str) -> int:
    """The display rotation of the first frame (side data only frames carry), in degrees."""
    with _open_input(source) as container:
        stream = _main_video_stream(container, Path(source).name)
        for frame in container.decode(stream):
            return frame.rotation
    return 0


class _VideoWriter:
    """Constant-rate H.264: each output slot shows the source frame on screen at that time."""

    def __init__(
        self,
        out: av.container.OutputContainer,
        source: VideoStream,
        facts: VideoFacts,
        rate: Fraction,
        start: float,
        rotation: int,
    ) -> None:
        self.out = out
        self.rate = rate
        self.start = start
        # 4:2:0 halves the chroma planes, so libx264 needs even dimensions: drop the odd pixel.
        self.width = max(2, facts.width - facts.width % 2)
        self.height = max(2, facts.height - facts.height % 2)
        stream: VideoStream = out.add_stream(
            "libx264",
            rate=rate,
            options={"crf": "23", "preset": "veryfast"},
        )
        stream.width = self.width
        stream.height = self.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = 1 / rate
        # A keyframe every two seconds keeps the reviewers' seeks fast and exact.
        stream.codec_context.gop_size = max(1, round(2 * rate))
        if source.codec_context.sample_aspect_ratio:
            stream.codec_context.sample_aspect_ratio = source.codec_context.sample_aspect_ratio
        if rotation:
            # Keep the phone's rotation flag so the browser turns the picture as the original
            # player did. It must be set before any stream is encoded, audio included.
            stream.set_display_rotation(rotation)
        self.stream = stream
        self.next_slot = 0
        self.written = 0
        self.last: VideoFrame | None = None
        self.last_time: float | None = None
        self.last_step = float(1 / rate)
        self.clock = 0.0

    def _emit(self, frame: VideoFrame, slot: int) -> None:
        frame.pts = slot
        frame.time_base = self.stream.codec_context.time_base
        self.out.mux(self.stream.encode(frame))
        self.written += 1

    def add(self, decoded: VideoFrame) -> None:
        when = decoded.time
        if when is None:
            # No timestamp: assume it follows the previous frame at the usual spacing.
            when = (self.last_time + self.last_step) if self.last_time is not None else self.start
        if self.last_time is not None and when > self.last_time:
            self.last_step = when - self.last_time
        self.last_time = when
        self.clock = when - self.start
        slot = round(self.clock * self.rate)
        if slot < self.next_slot:
            # Two source frames for one output slot (a faster source): the first one stays.
            return
        frame = decoded.reformat(width=self.width, height=self.height, format="yuv420p")
        # Source picture types would force x264's GOP structure to mirror the source's.
        frame.pict_type = PictureType.NONE
        # Fill a gap (a slower or irregular source) by repeating what was on screen; a late first
        # frame fills the slots before it, so the copy's timeline still starts at 0.
        filler = self.last if self.last is not None else frame
        while self.next_slot < slot:
            self._emit(filler, self.next_slot)
            self.next_slot += 1
        self._emit(frame, slot)
        self.next_slot = slot + 1
        self.last = frame

    def finish(self) -> None:
        # The last frame keeps its one slot (1/rate): stretching it by the last source interval
        # would turn a gap before it (frames lost at a cut) into extra length.
        self.out.mux(self.stream.encode(None))


class _AudioWriter:
    """AAC at 48 kHz, its first sample at output time 0 (original time start_time)."""

    def __init__(
        self, out: av.container.OutputContainer, source: AudioStream, start: float
    ) -> None:
        self.out = out
        self.source_time_base = source.time_base
        mono = source.codec_context.channels == 1
        layout = "mono" if mono else "stereo"
        stream: AudioStream = out.add_stream("aac", rate=_AUDIO_RATE)
        stream.layout = layout
        stream.bit_rate = 64_000 if mono else 128_000
        stream.codec_context.time_base = Fraction(1, _AUDIO_RATE)
        self.stream = stream
        self.start = start
        # aresample with async pads a late start with silence, trims an early one, and fills
        # gaps, so the sample count stays locked to the timestamps (first_pts=0 is output 0).
        self.resampler = AudioResampler(
            format="fltp",
            layout=layout,
            rate=_AUDIO_RATE,
            options={"async": "1", "first_pts": "0"},
        )

    def add(self, decoded: AudioFrame) -> None:
        if decoded.pts is None or decoded.time_base is None:
            return
        # Shift onto the output timeline before resampling, so first_pts=0 means original start.
        decoded.pts -= round(self.start / decoded.time_base)
        try:
            resampled = self.resampler.resample(decoded)
        except ValueError:
            # The source changed its sample format or layout mid-stream (some broadcasts do);
            # carry on with a fresh resampler rather than fail the whole copy.
            self._flush_resampler()
            self.resampler = AudioResampler(
                format="fltp", layout=self.stream.layout, rate=_AUDIO_RATE
            )
            resampled = self.resampler.resample(decoded)
        for frame in resampled:
            self.out.mux(self.stream.encode(frame))

    def _flush_resampler(self) -> None:
        for frame in self.resampler.resample(None):
            self.out.mux(self.stream.encode(frame))

    def finish(self) -> None:
        self._flush_resampler()
        self.out.mux(self.stream.encode(None))


# --- Hashing -----------------------------------------------------------------------------------


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks so a large video never sits in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
