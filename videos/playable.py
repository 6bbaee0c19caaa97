"""The browser copy of a video whose original does not play in every browser: sent to the
worker when the original is stored, made once under a lease that a dead worker's loses, and
sent again by the sweep when its message was lost."""

from __future__ import annotations

import functools
import os
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone

from sciannot.queue import send_on_commit, send_safely
from videos.media.probe import MediaError
from videos.media.transcode import transcode_to_browser_mp4
from videos.models import MediaStatus, Video
from videos.stored_files import local_path


def _send_copy(video_pk: int) -> None:
    # videos.tasks imports this module for the work itself: the task is imported here, when
    # a copy is sent, so neither module needs the other to load (a loop inside one app).
    from videos.tasks import make_playable_copy

    make_playable_copy.delay(video_pk)


def _copy_send_failed(video_pk: int) -> None:
    # No queued time: the sweep sends it again at its next round.
    Video.objects.filter(pk=video_pk, media_status=MediaStatus.PROCESSING).update(
        copy_queued_at=None
    )


def copy_enqueue(*, video_pk: int) -> None:
    """Send the browser copy's task once the current transaction commits; a broker that is
    down leaves the video waiting for the sweep instead of failing the request."""
    send_on_commit(
        lambda: _send_copy(video_pk),
        what=f"the browser copy of video {video_pk}",
        on_failure=lambda: _copy_send_failed(video_pk),
    )


def _copy_lost_after() -> timedelta:
    # A message not picked up in this long is taken as lost (a worker killed while holding
    # it on a broker that never redelivers); a copy sent twice is still made once.
    return timedelta(seconds=6 * int(settings.VIDEO_COPY_LEASE_SECONDS))


def videos_awaiting_copy(*, now: datetime | None = None) -> list[int]:
    """Videos whose browser copy is due and that nobody is making: never sent (the broker
    was down), held by a worker whose lease ran out, or sent so long ago it was lost."""
    now = now or timezone.now()
    unsent = Q(copy_lease_until__isnull=True) & (
        Q(copy_queued_at__isnull=True) | Q(copy_queued_at__lt=now - _copy_lost_after())
    )
    return list(
        Video.objects.filter(media_status=MediaStatus.PROCESSING)
        .exclude(original="")
        .filter(unsent | Q(copy_lease_until__lt=now))
        .values_list("pk", flat=True)
    )


def videos_requeue_copies() -> int:
    """Send again every browser copy nobody is making; how many were sent."""
    sent = 0
    for pk in videos_awaiting_copy():
        Video.objects.filter(pk=pk).update(copy_queued_at=timezone.now())
        if send_safely(
            functools.partial(_send_copy, pk),
            what=f"the browser copy of video {pk}",
            on_failure=functools.partial(_copy_send_failed, pk),
        ):
            sent += 1
    return sent


def _lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=int(settings.VIDEO_COPY_LEASE_SECONDS))


def copy_claim(*, video_pk: int, original_name: str, owner: str) -> bool:
    """Take the video's transcode, unless another worker holds a live lease on it."""
    now = timezone.now()
    return bool(
        Video.objects.filter(
            pk=video_pk, media_status=MediaStatus.PROCESSING, original=original_name
        )
        .filter(Q(copy_lease_until__isnull=True) | Q(copy_lease_until__lt=now))
        .update(copy_lease_owner=owner, copy_lease_until=_lease_until())
    )


class _LeaseRenewal:
    """Renews the transcode's lease from the progress reports, at most every third of it."""

    def __init__(self, video_pk: int, owner: str, progress: Callable[[float], None] | None) -> None:
        self.video_pk = video_pk
        self.owner = owner
        self.progress = progress
        self.interval = int(settings.VIDEO_COPY_LEASE_SECONDS) / 3
        self.renewed = time.monotonic()

    def __call__(self, fraction: float) -> None:
        if time.monotonic() - self.renewed >= self.interval:
            Video.objects.filter(pk=self.video_pk, copy_lease_owner=self.owner).update(
                copy_lease_until=_lease_until()
            )
            self.renewed = time.monotonic()
        if self.progress is not None:
            self.progress(fraction)


def video_make_playable(*, video_pk: int, progress: Callable[[float], None] | None = None) -> bool:
    """Make the H.264/AAC copy of a video whose original is not browser-playable.

    Idempotent: returns False without work when the video no longer needs a copy or another
    worker holds it (a conditional UPDATE claims it, with a lease that runs out if that
    worker dies).
    """
    video = Video.objects.filter(pk=video_pk, media_status=MediaStatus.PROCESSING).first()
    if video is None or not video.original:
        return False
    original_name = video.original.name
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]
    if not copy_claim(video_pk=video_pk, original_name=original_name, owner=owner):
        return False
    mine = Video.objects.filter(pk=video_pk, copy_lease_owner=owner)
    try:
        with local_path(video.original) as source, tempfile.TemporaryDirectory() as workdir:
            target = Path(workdir) / f"{video.video_id}.mp4"
            try:
                transcode_to_browser_mp4(
                    source, target, progress=_LeaseRenewal(video_pk, owner, progress)
                )
            except MediaError as exc:
                mine.filter(original=original_name).update(
                    media_status=MediaStatus.FAILED,
                    media_error=str(exc),
                    copy_lease_owner="",
                    copy_lease_until=None,
                )
                return False
            with target.open("rb") as handle:
                stored_name = video.playable.storage.save(
                    video.playable.field.generate_filename(video, target.name), File(handle)
                )
    except BaseException:
        # Let another worker (or this task's retry) take it at once.
        mine.update(copy_lease_owner="", copy_lease_until=None)
        raise
    # Only mark it ready if the original was not replaced while we worked.
    updated = mine.filter(media_status=MediaStatus.PROCESSING, original=original_name).update(
        playable=stored_name,
        media_status=MediaStatus.READY,
        media_error="",
        copy_lease_owner="",
        copy_lease_until=None,
    )
    if not updated:
        video.playable.storage.delete(stored_name)
    return bool(updated)
