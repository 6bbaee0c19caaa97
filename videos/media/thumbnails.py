"""A video's thumbnail strip: frames evenly spaced over its length, side by side in one JPEG.

The timeline under the player shows frame `i` of `count` as the picture of the i-th equal
slice of the video; one image per video keeps it to one request and one stored file.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

from videos.media.poster import frame_at, frame_image
from videos.media.probe import MediaError, declared_duration, main_video_stream, open_input

# Enough pictures to recognise the phases of an experiment on a laptop's timeline, few enough
# to stay legible on a phone.
THUMBNAIL_COUNT = 12
THUMBNAIL_WIDTH = 160


@dataclass(frozen=True)
class ThumbnailStrip:
    jpeg: bytes
    count: int
    # One frame's size in the image, in pixels.
    width: int
    height: int


def thumbnail_times(duration: float, count: int = THUMBNAIL_COUNT) -> list[float]:
    """The middle of each of `count` equal slices of the video: what each picture stands for."""
    return [(index + 0.5) * duration / count for index in range(count)]


def extract_thumbnails(
    path: str | os.PathLike[str], count: int = THUMBNAIL_COUNT, width: int = THUMBNAIL_WIDTH
) -> ThumbnailStrip:
    """`count` frames evenly spaced over the video, each `width` pixels wide, in one row."""
    if count < 1:
        raise ValueError("a thumbnail strip needs at least one frame")
    filename = os.fspath(path)
    name = Path(filename).name
    images: list[Image.Image] = []
    with open_input(filename) as container:
        stream = main_video_stream(container, name)
        start = container.start_time / av.time_base if container.start_time is not None else 0.0
        duration = declared_duration(container, stream) or 0.0
        sample_aspect = stream.codec_context.sample_aspect_ratio
        for at in thumbnail_times(duration, count):
            frame = frame_at(container, stream, start + at)
            if frame is None:
                if not images:
                    raise MediaError(f"No picture could be decoded from {name}.")
                # Past the last decodable frame of a cut file: the last picture stands in.
                images.append(images[-1])
                continue
            images.append(frame_image(frame, sample_aspect, width))
    frame_width, frame_height = images[0].size
    sprite = Image.new("RGB", (frame_width * count, frame_height))
    for index, image in enumerate(images):
        if image.size != (frame_width, frame_height):
            image = image.resize((frame_width, frame_height), Image.Resampling.LANCZOS)
        sprite.paste(image.convert("RGB"), (index * frame_width, 0))
    buffer = io.BytesIO()
    sprite.save(buffer, format="JPEG", quality=80, optimize=True)
    return ThumbnailStrip(buffer.getvalue(), count, frame_width, frame_height)
