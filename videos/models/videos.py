"""A research video, its stored files and the facts probed from it."""

from __future__ import annotations

from django.db import models

from sciannot.taxonomy import Category
from videos.models.benchmarks import Benchmark


class MediaStatus(models.TextChoices):
    # Known only from question files so far: no media yet, duration from the items.
    PLACEHOLDER = "placeholder", "No file yet"
    PROCESSING = "processing", "Making a browser copy"
    READY = "ready", "Ready"
    FAILED = "failed", "Processing failed"


def original_upload_to(video: Video, filename: str) -> str:
    return f"videos/{video.benchmark_id}/originals/{filename}"


def playable_upload_to(video: Video, filename: str) -> str:
    return f"videos/{video.benchmark_id}/playable/{filename}"


def poster_upload_to(video: Video, filename: str) -> str:
    return f"videos/{video.benchmark_id}/posters/{filename}"


def thumbnails_upload_to(video: Video, filename: str) -> str:
    return f"videos/{video.benchmark_id}/thumbnails/{filename}"


class Video(models.Model):
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="videos")
    # The source's id, e.g. JoVE's "58827"; unique within a benchmark.
    video_id = models.CharField(max_length=64)
    title = models.CharField(max_length=300, blank=True)
    discipline = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=16, choices=Category.choices, blank=True)
    subject = models.CharField(max_length=200, blank=True)

    media_status = models.CharField(
        max_length=16, choices=MediaStatus.choices, default=MediaStatus.PLACEHOLDER
    )
    media_error = models.TextField(blank=True)
    original = models.FileField(upload_to=original_upload_to, max_length=500, blank=True)
    # A browser-playable H.264/AAC copy when the original is not; times still refer to the
    # original's timeline (playable time = original time - start_time).
    playable = models.FileField(upload_to=playable_upload_to, max_length=500, blank=True)
    poster = models.FileField(upload_to=poster_upload_to, max_length=500, blank=True)
    # The timeline's pictures: `thumbnail_count` frames evenly spaced over the original, side
    # by side in one JPEG, made by the worker once per original (empty until then).
    thumbnails = models.FileField(upload_to=thumbnails_upload_to, max_length=500, blank=True)
    thumbnail_count = models.PositiveSmallIntegerField(default=0)
    # The browser copy's work: when its task was last sent (None while the broker could not
    # take it, so the sweep sends it again) and who is transcoding it until when (a lease that
    # runs out when that worker dies).
    copy_queued_at = models.DateTimeField(null=True, blank=True)
    copy_lease_owner = models.CharField(max_length=64, blank=True)
    copy_lease_until = models.DateTimeField(null=True, blank=True)

    duration = models.FloatField(null=True, blank=True, help_text="Seconds, ms precision.")
    start_time = models.FloatField(default=0.0, help_text="Container start time, seconds.")
    fps = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    codec = models.CharField(max_length=32, blank=True)
    audio_codec = models.CharField(max_length=32, blank=True)
    container = models.CharField(max_length=64, blank=True)
    variable_frame_rate = models.BooleanField(default=False)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Where the file came from and its mtime, so a re-import can skip unchanged files cheaply.
    source_name = models.CharField(max_length=500, blank=True)
    source_mtime = models.FloatField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["benchmark", "video_id"]
        constraints = [
            models.UniqueConstraint(fields=["benchmark", "video_id"], name="video_unique_id"),
            models.CheckConstraint(
                condition=models.Q(duration__isnull=True) | models.Q(duration__gte=0),
                name="video_duration_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["benchmark", "category"])]

    def __str__(self) -> str:
        return self.video_id

    @property
    def playback_offset(self) -> float:
        """Seconds to subtract from an original-timeline time to seek the served file."""
        return self.start_time if self.playable else 0.0
