"""Celery tasks for videos: thin adapters over `videos.services`."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from videos.services import video_make_playable, videos_awaiting_copy
from videos.uploads.services import uploads_expire


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def make_playable_copy(video_pk: int) -> bool:
    """Transcode a video's original into a browser-playable MP4 (idempotent)."""
    return video_make_playable(video_pk=video_pk)


@shared_task(name="videos.cleanup_uploads", ignore_result=True)
def cleanup_uploads() -> int:
    """Delete the bytes of uploads nobody finished in time (run by beat every hour)."""
    return uploads_expire()


@worker_ready.connect
def requeue_unfinished_copies(**kwargs: Any) -> None:
    """Queue again every browser copy that was never finished.

    A worker killed mid-transcode loses its message for good on the filesystem broker (it
    never redelivers), so each worker start picks up videos still waiting; the task is
    idempotent, so a copy queued twice is made once.
    """
    for pk in videos_awaiting_copy():
        make_playable_copy.delay(pk)
