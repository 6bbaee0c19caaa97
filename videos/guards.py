"""Who still relies on a video's file: a replacement is refused while anyone does.

Frozen releases and open baseline studies promise their users the bytes they were made
over; a new file under the same video id would silently change what evaluators and models
see. They live in higher layers (releases, baselines), which register a guard in their
`AppConfig.ready()`; this module only holds the policy and never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from videos.models import Video

# A guard names what holds the video, e.g. "the frozen release svb 1.0.0"; empty: nothing.
ReplacementGuard = Callable[["Video"], list[str]]

_guards: list[ReplacementGuard] = []


class ReplacementRefused(ValueError):
    """A video's file may not be replaced: the message names what uses it and the way out."""

    def __init__(self, message: str, blockers: list[str]) -> None:
        super().__init__(message)
        self.blockers = blockers


def replacement_guard_register(guard: ReplacementGuard) -> None:
    """Called once by each app that holds videos, from its `AppConfig.ready()`."""
    if guard not in _guards:
        _guards.append(guard)


def video_replacement_blockers(*, video: Video) -> list[str]:
    """What relies on the video's current file, each named for a person to read."""
    if video.pk is None:
        return []
    return [blocker for guard in _guards for blocker in guard(video)]


def video_check_replaceable(*, video: Video) -> None:
    """Refuse to replace the file of a video that frozen releases or open studies use."""
    blockers = video_replacement_blockers(video=video)
    if blockers:
        raise ReplacementRefused(
            f"video {video.video_id} is in {_listed(blockers)}: its file cannot be replaced, "
            "or they would no longer match the bytes they were made over; import the new "
            "file under a new video id",
            blockers,
        )


def _listed(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"
