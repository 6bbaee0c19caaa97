"""Celery tasks for videos: thin adapters over `videos.services`."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from videos.playable import video_make_playable, videos_requeue_copies
from videos.thumbnails import video_make_thumbnails
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


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_thumbnails(video_pk: int) -> bool:
    """Make the timeline's thumbnail strip of a video that has none (idempotent)."""
    return video_make_thumbnails(video_pk=video_pk)


@shared_task(name="videos.cleanup_uploads", ignore_result=True)
def cleanup_uploads() -> int:
    """Delete the bytes of uploads nobody finished in time (run by beat every hour)."""
    return uploads_expire()


@shared_task(name="videos.requeue_copies", ignore_result=True)
def requeue_copies() -> int:
    """Send again the browser copies nobody is making (run by beat, and when a worker starts)."""
    return videos_requeue_copies()


@worker_ready.connect
def requeue_unfinished_copies(**kwargs: Any) -> None:
    """Queue again every browser copy that was never finished.

    A worker killed mid-transcode loses its message for good on the filesystem broker (it
    never redelivers), and a send can fail while the broker is down: each worker start and
    each beat round pick up videos still waiting. The task claims its video, so a copy
    queued twice is made once.
    """
    videos_requeue_copies()
