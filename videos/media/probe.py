"""Probing a video file through PyAV: its facts (duration, rate, size, codecs) and the limits
it must be within, checked from the metadata before anything is decoded.

Everything in `videos.media` works on local paths and raises MediaError with a message meant
for the uploader.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import statistics
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.packet import Packet
from av.stream import Disposition
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from django.conf import settings

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

    with open_input(filename) as container:
        stream = main_video_stream(container, name)
        head = _read_head(container, stream, name, need_all=container.duration is None)
        start = _start_seconds(container, stream, head)
        declared = declared_duration(container, stream)
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
        audio = main_audio_stream(container)
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


def open_input(filename: str, *, threads: int = 1) -> InputContainer:
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


def main_video_stream(container: InputContainer, name: str) -> VideoStream:
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
    declared = declared_duration(container, stream)
    if declared is not None and declared > limits.max_duration:
        raise MediaTooLarge(
            name,
            f"lasts {declared:,.0f} s; the limit is {limits.max_duration:,.0f} s "
            "(VIDEO_MAX_DURATION).",
        )


def main_audio_stream(container: InputContainer) -> AudioStream | None:
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


def declared_duration(container: InputContainer, stream: VideoStream) -> float | None:
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
    audio = main_audio_stream(container)
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


# --- Hashing -----------------------------------------------------------------------------------


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks so a large video never sits in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
