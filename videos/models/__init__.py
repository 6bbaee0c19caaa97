"""Benchmarks, their videos, and what comes with each video (transcript, manuscript).

`videos` is the base app: every other app's data belongs to a benchmark and a video.
"""

from __future__ import annotations

from videos.models.benchmarks import Benchmark
from videos.models.transcripts import Manuscript, Transcript, TranscriptCue
from videos.models.uploads import Upload, UploadKind, UploadStatus
from videos.models.videos import MediaStatus, Video

__all__ = [
    "Benchmark",
    "Manuscript",
    "MediaStatus",
    "Transcript",
    "TranscriptCue",
    "Upload",
    "UploadKind",
    "UploadStatus",
    "Video",
]
