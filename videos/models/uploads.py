"""A file on its way in from a curator's browser, chunk by chunk, until it becomes a video's."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from videos.models.benchmarks import Benchmark
from videos.models.videos import Video


class UploadKind(models.TextChoices):
    VIDEO = "video", "Video"
    TRANSCRIPT = "transcript", "Transcript"
    MANUSCRIPT = "manuscript", "Manuscript"


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", "Receiving"
    # Every declared byte is stored; waiting to be checked and attached.
    RECEIVED = "received", "Received"
    CHECKING = "checking", "Being checked"
    DONE = "done", "Attached"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class Upload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="uploads")
    # Kept when the account goes, so the cleanup still finds the bytes to delete.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    kind = models.CharField(max_length=16, choices=UploadKind.choices)
    # The name on the curator's disk, shown to them; never used to name anything we store.
    original_name = models.CharField(max_length=255)
    # Lower-case, from a fixed list per kind (".mp4", ".vtt", ...).
    extension = models.CharField(max_length=8)
    # The video this file is for (videos only; documents are tied to one when it is finished).
    video_id = models.CharField(max_length=64, blank=True)
    replace = models.BooleanField(default=False)
    declared_size = models.BigIntegerField()
    received_bytes = models.BigIntegerField(default=0)
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.RECEIVING
    )
    # Where the bytes are: a partial file in local storage, or the S3 object being assembled.
    storage_key = models.CharField(max_length=500)
    s3_upload_id = models.CharField(max_length=1024, blank=True)
    # The S3 parts sent so far: [{"number": 1, "etag": "...", "size": 8388608}, ...].
    s3_parts = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # The video the file became part of, once finished.
    attached_video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(declared_size__gt=0), name="upload_declared_size_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(received_bytes__gte=0)
                & models.Q(received_bytes__lte=models.F("declared_size")),
                name="upload_received_within_declared",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.received_bytes / self.declared_size) if self.declared_size else 0
