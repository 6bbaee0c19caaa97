"""Celery tasks for videos: thin adapters over `videos.services`."""

from __future__ import annotations

from celery import shared_task

from videos.services import video_make_playable


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def make_playable_copy(self: object, video_pk: int) -> bool:
    """Transcode a video's original into a browser-playable MP4 (idempotent)."""
    return video_make_playable(video_pk=video_pk)
