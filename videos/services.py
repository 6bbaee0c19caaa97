"""Bringing videos, transcripts and manuscripts into a benchmark (the browser copy a video may
need is `videos.playable`)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from videos.guards import ReplacementRefused, video_check_replaceable
from videos.media.poster import extract_poster
from videos.media.probe import MediaError, VideoFacts, probe_video, sha256_file
from videos.media.transcode import is_browser_playable
from videos.models import Benchmark, Manuscript, MediaStatus, Transcript, TranscriptCue, Video
from videos.past_end import questions_past_end
from videos.playable import copy_enqueue
from videos.thumbnails import thumbnails_enqueue
from videos.transcripts import Cue, TranscriptError, detect_format, parse_transcript

logger = logging.getLogger(__name__)

VIDEO_NAME = re.compile(r"^jove_(?P<video_id>[A-Za-z0-9][A-Za-z0-9._-]*)\.(?:mp4|mkv|webm)$", re.I)
TRANSCRIPT_SUFFIXES = (".vtt", ".srt", ".json")
MANUSCRIPT_SUFFIXES = (".md", ".txt")


class VideoImportError(ValueError):
    """Bad input for a video import; the message is for the person who gave it."""


# --- Transcripts and manuscripts ----------------------------------------------------------------


def transcript_attach(
    *, video: Video, cues: list[Cue], source_name: str = "", source_format: str = ""
) -> Transcript:
    """Replace the video's transcript with `cues`."""
    if video.duration:
        late = [cue for cue in cues if cue.start > video.duration + 1.0]
        if late:
            raise TranscriptError(
                f"cue at {late[0].start:.1f}s starts after the end of the video "
                f"({video.duration:.1f}s)"
            )
    with transaction.atomic():
        transcript, _ = Transcript.objects.update_or_create(
            video=video,
            defaults={
                "source_name": source_name,
                "source_format": source_format,
                "text": "\n".join(cue.text for cue in cues),
            },
        )
        transcript.cues.all().delete()
        TranscriptCue.objects.bulk_create(
            TranscriptCue(
                transcript=transcript, index=index, start=cue.start, end=cue.end, text=cue.text
            )
            for index, cue in enumerate(cues)
        )
    return transcript


def transcript_import_file(*, video: Video, path: Path) -> Transcript:
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"{path.name} is not UTF-8 text") from exc
    fmt = detect_format(path.name, content)
    cues = parse_transcript(content, fmt)
    return transcript_attach(video=video, cues=cues, source_name=path.name, source_format=fmt)


def manuscript_attach(
    *, video: Video, text: str, source_name: str = "", title: str = ""
) -> Manuscript:
    if not text.strip():
        raise VideoImportError(f"the manuscript {source_name or ''} is empty".replace("  ", " "))
    fmt = "text" if source_name.lower().endswith(".txt") else "markdown"
    manuscript, _ = Manuscript.objects.update_or_create(
        video=video,
        defaults={"text": text, "format": fmt, "source_name": source_name, "title": title},
    )
    return manuscript


# --- Video files --------------------------------------------------------------------------------


def _apply_facts(video: Video, facts: VideoFacts) -> None:
    video.duration = facts.duration
    video.start_time = facts.start_time
    video.fps = facts.fps
    video.width = facts.width
    video.height = facts.height
    video.codec = facts.codec
    video.audio_codec = facts.audio_codec
    video.container = facts.container
    video.variable_frame_rate = facts.variable_frame_rate
    video.size = facts.size


def video_store_file(
    *, video: Video, path: Path, facts: VideoFacts | None = None, sha256: str = ""
) -> Video:
    """Probe `path`, store it as the video's original, make a poster, and queue a browser copy
    when the original cannot be played in a browser. Raises MediaError for a non-video."""
    facts = facts or probe_video(path)
    poster = extract_poster(path)
    digest = sha256 or sha256_file(path)

    def store() -> None:
        with path.open("rb") as handle:
            video.original.save(path.name, File(handle), save=False)

    return _video_set_original(
        video,
        facts=facts,
        poster=poster,
        digest=digest,
        source_name=path.name,
        source_mtime=path.stat().st_mtime,
        store=store,
    )


def video_adopt_stored_file(
    *,
    video: Video,
    stored_name: str,
    local_copy: Path,
    facts: VideoFacts,
    sha256: str,
    source_name: str,
) -> Video:
    """Make a file that is already in the media storage (an upload put in place) the video's
    original; `local_copy` is a local path to the same bytes, for the poster."""
    poster = extract_poster(local_copy)

    def store() -> None:
        video.original.name = stored_name

    return _video_set_original(
        video,
        facts=facts,
        poster=poster,
        digest=sha256,
        source_name=source_name,
        source_mtime=None,
        store=store,
    )


def _video_set_original(
    video: Video,
    *,
    facts: VideoFacts,
    poster: bytes,
    digest: str,
    source_name: str,
    source_mtime: float | None,
    store: Callable[[], None],
) -> Video:
    with transaction.atomic():
        if video.pk is not None:
            # Locked before the check, so a release freezing meanwhile either sees the new
            # file's checksum or, once committed, makes this replacement refused.
            stored = Video.objects.select_for_update().filter(pk=video.pk).values("original")
            if any(row["original"] for row in stored):
                video_check_replaceable(video=video)
        old_files = [
            f.name for f in (video.original, video.playable, video.poster, video.thumbnails) if f
        ]
        _apply_facts(video, facts)
        video.sha256 = digest
        video.source_name = source_name
        video.source_mtime = source_mtime
        store()
        video.poster.save(f"{video.video_id}.jpg", ContentFile(poster), save=False)
        video.playable = ""
        # The strip of the old file no longer shows this one: the worker makes a new one.
        video.thumbnails = ""
        video.thumbnail_count = 0
        video.media_error = ""
        playable = is_browser_playable(facts)
        video.media_status = MediaStatus.READY if playable else MediaStatus.PROCESSING
        video.copy_queued_at = None if playable else timezone.now()
        video.copy_lease_owner = ""
        video.copy_lease_until = None
        video.save()
        if not playable:
            copy_enqueue(video_pk=video.pk)
        thumbnails_enqueue(video_pk=video.pk)
        storage = video.original.storage
        new_files = {video.original.name, video.poster.name}
        # Replaced files are removed only once the new ones are committed.
        transaction.on_commit(
            lambda: [storage.delete(name) for name in old_files if name not in new_files]
        )
    return video


# --- Folder import ------------------------------------------------------------------------------


@dataclass
class FileOutcome:
    name: str
    video_id: str
    outcome: str  # created / updated / unchanged / skipped
    detail: str = ""


@dataclass
class VideoImportReport:
    files: list[FileOutcome] = field(default_factory=list)

    def by_outcome(self, outcome: str) -> list[FileOutcome]:
        return [f for f in self.files if f.outcome == outcome]


def _sidecar(directory: Path, video_id: str, suffixes: tuple[str, ...]) -> Path | None:
    for stem in (video_id, f"jove_{video_id}"):
        for suffix in suffixes:
            candidate = directory / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def videos_import_dir(
    *,
    benchmark: Benchmark,
    directory: Path,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> VideoImportReport:
    """Import every `jove_<id>.(mp4|mkv|webm)` in `directory`, with `<id>.vtt|.srt|.json` and
    `<id>.md|.txt` beside it. Unchanged files are skipped (size and mtime, then sha256); a file
    that is not a decodable video is reported and skipped without touching anything else."""
    if not directory.is_dir():
        raise VideoImportError(f"{directory} is not a folder")
    report = VideoImportReport()
    names = sorted(entry.name for entry in os.scandir(directory) if entry.is_file())
    matched = [(name, VIDEO_NAME.match(name)) for name in names]
    videos = [(name, m.group("video_id")) for name, m in matched if m]
    if not videos:
        raise VideoImportError(f"no jove_<id>.mp4/.mkv/.webm files in {directory}")
    for name, video_id in videos:
        outcome = _import_one(benchmark, directory / name, video_id)
        report.files.append(outcome)
        if on_file:
            on_file(outcome)
    return report


def _import_one(benchmark: Benchmark, path: Path, video_id: str) -> FileOutcome:
    stat = path.stat()
    video = Video.objects.filter(benchmark=benchmark, video_id=video_id).first()
    changed_media = True
    if video is not None and video.original and video.size == stat.st_size:
        if video.source_mtime == stat.st_mtime:
            changed_media = False
        else:
            digest = sha256_file(path)
            if digest == video.sha256:
                Video.objects.filter(pk=video.pk).update(source_mtime=stat.st_mtime)
                changed_media = False
    outcome = "unchanged"
    detail = ""
    if changed_media:
        if video is not None and video.original:
            try:
                video_check_replaceable(video=video)
            except ReplacementRefused as exc:
                return FileOutcome(path.name, video_id, "skipped", str(exc))
        try:
            facts = probe_video(path)
        except MediaError as exc:
            return FileOutcome(path.name, video_id, "skipped", str(exc))
        created = video is None
        if video is None:
            video = Video(benchmark=benchmark, video_id=video_id)
        outcome = "created" if created or not video.original else "updated"
        try:
            video_store_file(video=video, path=path, facts=facts)
        except (MediaError, ReplacementRefused) as exc:
            return FileOutcome(path.name, video_id, "skipped", str(exc))
    assert video is not None
    sidecars = []
    transcript = _sidecar(path.parent, video_id, TRANSCRIPT_SUFFIXES)
    if transcript is not None:
        existing = Transcript.objects.filter(video=video).first()
        if (
            existing is None
            or changed_media
            or existing.source_name != transcript.name
            or (transcript.stat().st_mtime > existing.updated_at.timestamp())
        ):
            try:
                transcript_import_file(video=video, path=transcript)
                sidecars.append(f"transcript {transcript.name}")
            except TranscriptError as exc:
                detail = f"transcript {transcript.name} not imported: {exc}"
    manuscript = _sidecar(path.parent, video_id, MANUSCRIPT_SUFFIXES)
    if manuscript is not None:
        text = manuscript.read_text(encoding="utf-8-sig", errors="replace")
        current = Manuscript.objects.filter(video=video).first()
        if current is None or current.text != text:
            manuscript_attach(video=video, text=text, source_name=manuscript.name)
            sidecars.append(f"manuscript {manuscript.name}")
    if sidecars and outcome == "unchanged":
        outcome = "updated"
    notes = [detail] if detail else []
    if sidecars:
        notes.append("with " + ", ".join(sidecars))
    if changed_media and video.duration is not None:
        late = questions_past_end(video)
        if late:
            notes.append(
                f"warning: {late} question(s) cite times past the end of the video "
                f"({video.duration:.1f} s)"
            )
    return FileOutcome(path.name, video_id, outcome, "; ".join(notes))
