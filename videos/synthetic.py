"""Synthetic but real videos for tests and demos: a running clock, a title and coloured scenes.

Every frame shows where it sits on the timeline, so a seek in the player can be checked by eye.
"""

from __future__ import annotations

import math
import os
from array import array
from collections.abc import Iterator, Sequence
from fractions import Fraction

import av
from av.audio.stream import AudioStream
from av.video.stream import VideoStream
from PIL import Image, ImageDraw, ImageFont

# Clearly different, mid-brightness colours (white text stays readable on all of them); the order
# keeps neighbouring scenes far apart in hue so a seek across a scene boundary is obvious.
SCENE_COLOURS: tuple[tuple[int, int, int], ...] = (
    (178, 34, 34),  # red
    (30, 90, 200),  # blue
    (34, 139, 34),  # green
    (204, 120, 0),  # orange
    (120, 50, 170),  # purple
    (0, 128, 128),  # teal
    (150, 150, 20),  # olive
    (190, 40, 130),  # magenta
)

# Container names people use for the formats FFmpeg knows under another name.
_FORMAT_ALIASES = {"mkv": "matroska", "ts": "mpegts", "m2ts": "mpegts"}

AUDIO_RATE = 48_000
# Audio is generated in chunks of this many samples. Tone frequencies are whole multiples of
# AUDIO_RATE / CHUNK, so every chunk of a tone is identical and is synthesised only once:
# generating minutes of audio sample by sample in Python would dominate the run time.
_CHUNK = 1024
_TONE_HZ = 9 * AUDIO_RATE / _CHUNK  # ≈ 422 Hz, a quiet background hum
_BEEP_HZ = 19 * AUDIO_RATE / _CHUNK  # ≈ 891 Hz, marks a scene change
_BEEP_SECONDS = 0.15

# Irregular frame spacing for variable_frame_rate, as multiples of the nominal frame interval;
# the mean is exactly 1 so the average rate still equals `fps`.
_VFR_PATTERN = (0.5, 1.5, 0.75, 1.25, 1.0)


def make_synthetic_video(
    path: str | os.PathLike[str],
    *,
    duration: float,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    title: str = "",
    scenes: Sequence[tuple[float, str]] = (),
    audio: bool = True,
    codec: str = "libx264",
    container_format: str | None = None,
    start_offset: float = 0.0,
    variable_frame_rate: bool = False,
) -> None:
    """Write a video of `duration` seconds to `path`.

    `scenes` are (start_seconds, label); each scene has its own background colour. The container
    is chosen from the file name unless `container_format` ("mp4", "matroska"/"mkv", "webm",
    "mpegts") is given. `start_offset` shifts every timestamp, so the file starts at that time.
    """
    if duration <= 0:
        raise ValueError("duration must be positive")
    if fps < 1:
        raise ValueError("fps must be at least 1")
    if width < 16 or height < 16 or width % 2 or height % 2:
        # 4:2:0 chroma subsampling needs even dimensions.
        raise ValueError("width and height must be even and at least 16")
    if start_offset < 0:
        raise ValueError("start_offset cannot be negative")

    fmt = _FORMAT_ALIASES.get(container_format or "", container_format)
    webm = fmt == "webm" or (fmt is None and os.fspath(path).endswith(".webm"))
    if webm and codec not in {"libvpx-vp9", "libvpx", "libsvtav1", "libaom-av1"}:
        raise ValueError(f"WebM cannot hold {codec}; use codec='libvpx-vp9'")
    timeline = _Timeline(scenes, duration)
    painter = _Painter(width, height, title, timeline)

    # A fine time base (1/1000 of a frame) represents any start offset and the irregular VFR
    # spacing exactly, while a constant-rate file still has perfectly regular timestamps.
    video_tb = Fraction(1, fps * 1000)
    audio_tb = Fraction(1, AUDIO_RATE)

    with av.open(os.fspath(path), mode="w", format=fmt) as output:
        vstream = output.add_stream(codec, rate=fps)
        if not isinstance(vstream, VideoStream):
            raise ValueError(f"{codec!r} is not a video codec")
        vstream.width = width
        vstream.height = height
        vstream.pix_fmt = _pixel_format(vstream)
        vstream.codec_context.time_base = video_tb
        if codec == "libx264":
            # Flat colours compress to almost nothing; the fast preset keeps a 3-minute demo quick.
            vstream.options = {"preset": "veryfast", "crf": "26"}
        elif codec == "libvpx-vp9":
            vstream.options = {"deadline": "realtime", "cpu-used": "8", "crf": "40", "b": "0"}

        astream: AudioStream | None = None
        if audio:
            audio_codec = "libopus" if webm else "aac"
            added = output.add_stream(audio_codec, rate=AUDIO_RATE)
            assert isinstance(added, AudioStream)
            astream = added
            astream.layout = "mono"
            astream.bit_rate = 64_000
            if audio_codec == "aac":
                # The default "twoloop" coder takes a third of the run time for a test tone.
                astream.options = {"aac_coder": "fast"}
            astream.codec_context.time_base = audio_tb

        offset_ticks = round(start_offset / video_tb)
        offset_samples = round(start_offset * AUDIO_RATE)
        chunks = _audio_chunks(timeline, duration) if astream is not None else iter(())
        pending = next(chunks, None)

        def write_audio_until(seconds: float) -> None:
            nonlocal pending
            while astream is not None and pending is not None and pending[0] <= seconds:
                _, first_sample, aframe = pending
                aframe.pts = offset_samples + first_sample
                aframe.time_base = audio_tb
                output.mux(astream.encode(aframe))
                pending = next(chunks, None)

        for seconds, ticks in _frame_times(duration, fps, variable_frame_rate):
            frame = painter.frame(seconds)
            frame.pts = offset_ticks + ticks
            frame.time_base = video_tb
            output.mux(vstream.encode(frame))
            # Keep audio in step with video so the muxer never has to buffer much.
            write_audio_until(seconds)
        write_audio_until(math.inf)
        output.mux(vstream.encode(None))
        if astream is not None:
            output.mux(astream.encode(None))


def _pixel_format(stream: VideoStream) -> str:
    """yuv420p where the encoder takes it (every browser codec does), else its first format."""
    formats = [f.name for f in stream.codec_context.codec.video_formats or ()]
    if not formats or "yuv420p" in formats:
        return "yuv420p"
    return formats[0]


def _frame_times(duration: float, fps: int, vfr: bool) -> Iterator[tuple[float, int]]:
    """(seconds, ticks of 1/(fps*1000) s) for every frame that starts before `duration`."""
    ticks = 0
    index = 0
    limit = round(duration * fps * 1000)
    while ticks < limit:
        yield ticks / (fps * 1000), ticks
        step = _VFR_PATTERN[index % len(_VFR_PATTERN)] if vfr else 1.0
        ticks += round(step * 1000)
        index += 1


class _Timeline:
    """Scene lookup: which scene is on screen at a given second."""

    def __init__(self, scenes: Sequence[tuple[float, str]], duration: float) -> None:
        ordered = sorted((max(0.0, float(start)), label) for start, label in scenes)
        if not ordered or ordered[0][0] > 0:
            # Before the first named scene there is still something on screen: an unnamed one.
            ordered.insert(0, (0.0, ""))
        self.scenes = [(start, label) for start, label in ordered if start < duration] or [
            (0.0, "")
        ]
        self.starts = [start for start, _ in self.scenes]

    def index_at(self, seconds: float) -> int:
        index = 0
        for i, start in enumerate(self.starts):
            if start <= seconds + 1e-9:
                index = i
        return index


class _Painter:
    """Draws frames, reusing what does not change between them."""

    def __init__(self, width: int, height: int, title: str, timeline: _Timeline) -> None:
        self.width = width
        self.height = height
        self.timeline = timeline
        self.clock_font = _font(max(12, height // 5))
        self.title_font = _font(max(8, height // 14))
        self.label_font = _font(max(9, height // 11))
        # The clock's width with the widest digits, so it does not wobble as the digits change.
        left, _, right, _ = self.clock_font.getbbox("88:88.8")
        self.clock_x = (width - (right - left)) // 2
        self.clock_y = height // 2
        self.margin = max(2, width // 64)
        self.title = title
        self.backgrounds: dict[int, Image.Image] = {}
        self.last_key: tuple[int, str] | None = None
        self.last_frame: av.VideoFrame | None = None

    def background(self, scene: int) -> Image.Image:
        """The colour, title and label of a scene: drawn once, copied for each new clock value."""
        if scene not in self.backgrounds:
            colour = SCENE_COLOURS[scene % len(SCENE_COLOURS)]
            image = Image.new("RGB", (self.width, self.height), colour)
            draw = ImageDraw.Draw(image)
            if self.title:
                draw.text(
                    (self.margin, self.margin),
                    self._fitted(self.title),
                    fill="white",
                    font=self.title_font,
                )
            label = self.timeline.scenes[scene][1]
            if label:
                draw.text(
                    (self.margin, self.height - self.margin),
                    label,
                    fill="white",
                    font=self.label_font,
                    anchor="ld",
                )
            self.backgrounds[scene] = image
        return self.backgrounds[scene]

    def _fitted(self, text: str) -> str:
        """`text`, shortened with an ellipsis until it fits the frame's width."""
        room = self.width - 2 * self.margin
        if self.title_font.getlength(text) <= room:
            return text
        while text and self.title_font.getlength(text + "…") > room:
            text = text[:-1]
        return text.rstrip() + "…"

    def frame(self, seconds: float) -> av.VideoFrame:
        scene = self.timeline.index_at(seconds)
        # Tenths of a second, truncated so the clock never shows a time the frame has not reached.
        tenths = int(seconds * 10 + 1e-6)
        minutes, tenths_in_minute = divmod(tenths, 600)
        clock = f"{minutes:02d}:{tenths_in_minute // 10:02d}.{tenths_in_minute % 10}"
        key = (scene, clock)
        # At 25 fps the clock changes every 2-3 frames: an unchanged picture is encoded again from
        # the same frame instead of being drawn and colour-converted again.
        if key != self.last_key or self.last_frame is None:
            image = self.background(scene).copy()
            draw = ImageDraw.Draw(image)
            draw.text(
                (self.clock_x, self.clock_y), clock, fill="white", font=self.clock_font, anchor="lm"
            )
            self.last_frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
            self.last_key = key
        return self.last_frame


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError):
        # Pillow built without FreeType: the small bitmap font still labels the frames.
        return ImageFont.load_default()


def _tone_chunk(frequency: float, amplitude: float) -> bytes:
    samples = array(
        "f",
        (amplitude * math.sin(2 * math.pi * frequency * i / AUDIO_RATE) for i in range(_CHUNK)),
    )
    return samples.tobytes()


def _audio_chunks(
    timeline: _Timeline, duration: float
) -> Iterator[tuple[float, int, av.AudioFrame]]:
    """(seconds, first sample, frame) of mono float audio: a quiet tone, a beep at each scene."""
    hum = _tone_chunk(_TONE_HZ, 0.05)
    beep = _tone_chunk(_BEEP_HZ, 0.3)
    total = round(duration * AUDIO_RATE)
    beep_ranges = [
        (round(start * AUDIO_RATE), round((start + _BEEP_SECONDS) * AUDIO_RATE))
        for start in timeline.starts
        if start > 0
    ]
    for first in range(0, total, _CHUNK):
        count = min(_CHUNK, total - first)
        beeping = any(lo < first + _CHUNK and first < hi for lo, hi in beep_ranges)
        data = (beep if beeping else hum)[: count * 4]
        frame = av.AudioFrame(format="flt", layout="mono", samples=count)
        frame.planes[0].update(data)
        frame.sample_rate = AUDIO_RATE
        yield first / AUDIO_RATE, first, frame


__all__ = ["SCENE_COLOURS", "make_synthetic_video"]
