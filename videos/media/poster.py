"""A video's poster: the frame on screen at a given time, as a JPEG."""

from __future__ import annotations

import contextlib
import io
import os
from fractions import Fraction
from pathlib import Path

import av
import av.error
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from PIL import Image

from videos.media.probe import MediaError, declared_duration, main_video_stream, open_input

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
    with open_input(filename) as container:
        stream = main_video_stream(container, name)
        start = container.start_time / av.time_base if container.start_time is not None else 0.0
        declared = declared_duration(container, stream) or 0.0
        if at_seconds is None:
            at_seconds = min(0.1 * declared, 5.0)
        at_seconds = max(0.0, min(at_seconds, declared)) if declared else max(0.0, at_seconds)
        frame = frame_at(container, stream, start + at_seconds)
        if frame is None:
            raise MediaError(f"No picture could be decoded from {name}.")
        sample_aspect = stream.codec_context.sample_aspect_ratio
        image = frame_image(frame, sample_aspect, max_width)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def frame_at(container: InputContainer, stream: VideoStream, target: float) -> VideoFrame | None:
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
        return frame_at(container, stream, 0.0)
    return chosen


def frame_image(frame: VideoFrame, sample_aspect: Fraction | None, max_width: int) -> Image.Image:
    """The frame as people see it: square pixels, upright, at most `max_width` wide."""
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
