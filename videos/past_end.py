"""The past-end count registry: how many of a higher layer's items cite times past a video's
newly probed end. The reviews app registers its questions' count from its AppConfig.ready();
this layer knows no questions.

A module of its own, so that registering at startup does not load the media stack (PyAV,
Pillow) that `videos.services` needs.
"""

from __future__ import annotations

from collections.abc import Callable

from videos.models import Video

PastEndCount = Callable[[Video], int]
_past_end_counts: list[PastEndCount] = []


def past_end_count_register(count: PastEndCount) -> None:
    if count not in _past_end_counts:
        _past_end_counts.append(count)


def questions_past_end(video: Video) -> int:
    """Questions imported before the file whose evidence lies past the probed end."""
    assert video.duration is not None
    return sum(count(video) for count in _past_end_counts)
