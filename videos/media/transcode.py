"""The browser copy: whether a video plays in every browser as it is, and, when it does not,
an H.264/AAC MP4 on the same timeline that does."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import av.error
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream
from av.video.frame import PictureType, VideoFrame
from av.video.stream import VideoStream

from videos.media.probe import (
    MATROSKA_FAMILY,
    MP4_FAMILY,
    MediaError,
    VideoFacts,
    main_audio_stream,
    main_video_stream,
    open_input,
    probe_video,
)

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
    with open_input(source, threads=0) as inp:
        vin = main_video_stream(inp, name)
        vin.thread_type = "AUTO"
        ain = main_audio_stream(inp)
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
    with open_input(source) as container:
        stream = main_video_stream(container, Path(source).name)
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
