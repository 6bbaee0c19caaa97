"""The narration transcript and the manuscript that come with a video."""

from __future__ import annotations

from django.db import models

from videos.models.videos import Video


class Transcript(models.Model):
    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="transcript")
    source_name = models.CharField(max_length=300, blank=True)
    source_format = models.CharField(max_length=8, blank=True)
    # All cue texts joined, for search and as drafting context.
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Transcript of {self.video}"


class TranscriptCue(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="cues")
    index = models.PositiveIntegerField()
    start = models.FloatField()
    end = models.FloatField()
    text = models.TextField()

    class Meta:
        ordering = ["transcript", "index"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "index"], name="cue_unique_index"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="cue_end"),
            models.CheckConstraint(condition=models.Q(start__gte=0), name="cue_start"),
        ]

    def __str__(self) -> str:
        return f"{self.start:.1f}-{self.end:.1f} {self.text[:40]}"


class ManuscriptFormat(models.TextChoices):
    TEXT = "text", "Plain text"
    MARKDOWN = "markdown", "Markdown"


class Manuscript(models.Model):
    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="manuscript")
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    format = models.CharField(
        max_length=16, choices=ManuscriptFormat.choices, default=ManuscriptFormat.MARKDOWN
    )
    source_name = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Manuscript of {self.video}"
