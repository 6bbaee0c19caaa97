"""The thumbnail strip the timeline under the player shows: sent to the worker when a video's
original is stored, made once per original, and made again only when its file is missing
(`manage.py make_thumbnails` sends those of videos stored before there were strips)."""

from __future__ import annotations

import functools
import logging

from django.core.files.base import ContentFile

from sciannot.queue import send_on_commit, send_safely
from videos.media.probe import MediaError
from videos.media.thumbnails import extract_thumbnails
from videos.models import Benchmark, Video
from videos.stored_files import local_path

logger = logging.getLogger(__name__)


def _send(video_pk: int) -> None:
    # videos.tasks imports this module for the work itself: the task is imported here, when
    # a strip is sent, so neither module needs the other to load (a loop inside one app).
    from videos.tasks import make_thumbnails

    make_thumbnails.delay(video_pk)


def _send_failed(video_pk: int) -> None:
    # Nothing to mark: the strip is simply still missing, and the timeline works without it
    # until `make_thumbnails` sends it again.
    logger.warning("the thumbnail strip of video %s waits for make_thumbnails", video_pk)


def thumbnails_enqueue(*, video_pk: int) -> None:
    """Send the strip's task once the current transaction commits; a broker that is down
    leaves the video without pictures rather than failing the request."""
    send_on_commit(
        lambda: _send(video_pk),
        what=f"the thumbnail strip of video {video_pk}",
        on_failure=lambda: _send_failed(video_pk),
    )


def _has_strip(video: Video) -> bool:
    name = video.thumbnails.name
    return bool(name) and video.thumbnails.storage.exists(name)


def videos_missing_thumbnails(
    *, benchmark: Benchmark, video_ids: list[str] | None = None
) -> list[Video]:
    """The benchmark's videos with a file but no strip (never made, or its file lost)."""
    videos = Video.objects.filter(benchmark=benchmark).exclude(original="").order_by("video_id")
    if video_ids:
        videos = videos.filter(video_id__in=video_ids)
    return [video for video in videos if not _has_strip(video)]


def thumbnails_send(*, videos: list[Video]) -> int:
    """Send the strips of `videos` to the worker now; how many were sent."""
    return sum(
        send_safely(
            functools.partial(_send, video.pk),
            what=f"the thumbnail strip of video {video.pk}",
            on_failure=functools.partial(_send_failed, video.pk),
        )
        for video in videos
    )


def video_make_thumbnails(*, video_pk: int) -> bool:
    """Make the video's strip from its original unless it has one; True when one was stored.

    Idempotent: a strip is stored only if the video still has the original it was made from
    and still no strip (a conditional UPDATE); a second worker's copy is deleted.
    """
    video = Video.objects.filter(pk=video_pk).first()
    if video is None or not video.original or _has_strip(video):
        return False
    original_name = video.original.name
    missing_name = video.thumbnails.name or ""
    try:
        with local_path(video.original) as source:
            strip = extract_thumbnails(source)
    except MediaError as exc:
        # The timeline shows no pictures; the video itself is what the page is about.
        logger.warning("no thumbnail strip for video %s: %s", video_pk, exc)
        return False
    storage = video.thumbnails.storage
    stored_name = storage.save(
        video.thumbnails.field.generate_filename(video, f"{video.video_id}.jpg"),
        ContentFile(strip.jpeg),
    )
    updated = Video.objects.filter(
        pk=video_pk, original=original_name, thumbnails=missing_name
    ).update(thumbnails=stored_name, thumbnail_count=strip.count)
    if not updated:
        storage.delete(stored_name)
    return bool(updated)
