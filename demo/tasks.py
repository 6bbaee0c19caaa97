"""Celery tasks of the demo: generating its videos' files in the background, then queueing
the drafting job from recorded calls and seeding the life cycle past review."""

from __future__ import annotations

import functools
import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from demo.recorded_job import demo_recorded_job
from demo.seed import (
    VideoQuality,
    demo_lifecycle_step,
    demo_recorded_job_step,
    demo_video_generate,
    demo_videos_without_media,
)
from sciannot.queue import send_safely
from videos.models import Video

logger = logging.getLogger(__name__)


@shared_task(name="demo.generate_video", acks_late=True, ignore_result=True)
def generate_demo_video(video_pk: int, width: int, height: int, fps: int) -> bool:
    """Generate one demo video's file (idempotent: a video that has one is left alone); the
    worker that stores the last one goes on to the demo's release, studies and model runs."""
    stored = demo_video_generate(video_pk=video_pk, quality=VideoQuality(width, height, fps))
    if stored:
        video = Video.objects.select_related("benchmark").get(pk=video_pk)
        # The recorded drafting job waits for its video's file (nothing for the others).
        try:
            demo_recorded_job(benchmark=video.benchmark, inline=False, log=logger.info)
        except Exception:
            logger.exception("could not queue the demo's recorded drafting job")
        outcome = demo_lifecycle_step(benchmark=video.benchmark, log=logger.info)
        if outcome.release is not None:
            logger.info("the demo's life cycle is seeded: %s", outcome.release)
    return stored


def demo_media_send(pks: list[int], quality: VideoQuality | None = None) -> int:
    """Queue the generation of these demo videos; how many were sent. A broker that is down
    loses nothing: the videos stay without a file and the next worker start sends them again."""
    quality = quality or VideoQuality()
    sent = 0
    for pk in pks:
        if send_safely(
            functools.partial(
                generate_demo_video.delay, pk, quality.width, quality.height, quality.fps
            ),
            what=f"the demo video {pk}",
            on_failure=lambda: None,
        ):
            sent += 1
    return sent


@worker_ready.connect
def queue_missing_demo_videos(**kwargs: Any) -> None:
    """A worker that starts sends again the demo videos still without a file: a message lost
    with a stopped worker (the filesystem broker never redelivers) costs no video. When they
    all have theirs, it seeds the demo's release and what follows it if that is missing."""
    try:
        pending = demo_videos_without_media()
    except Exception:
        logger.exception("could not look for demo videos without a file")
        return
    try:
        # Its video may have its file while others do not (a lost message, or a stop).
        demo_recorded_job_step(log=logger.info)
    except Exception:
        logger.exception("could not queue the demo's recorded drafting job")
    if pending:
        demo_media_send(pending)
        return
    # Every file is there: a worker that stopped between the last file and the release (or
    # failed there) left the rest undone; this finishes it, and does nothing once it is done.
    try:
        demo_lifecycle_step(log=logger.info)
    except Exception:
        logger.exception("could not seed the demo's release, studies and model runs")
