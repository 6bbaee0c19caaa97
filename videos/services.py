"""Bringing videos, transcripts and manuscripts into a benchmark, and making them playable."""

from __future__ import annotations

import functools
import logging
import os
import re
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from sciannot.queue import send_on_commit, send_safely
from videos.guards import ReplacementRefused, video_check_replaceable
from videos.media import (
    MediaError,
    VideoFacts,
    extract_poster,
    is_browser_playable,
    probe_video,
    sha256_file,
    transcode_to_browser_mp4,
)
from videos.models import Benchmark, Manuscript, MediaStatus, Transcript, TranscriptCue, Video
from videos.stored_files import download_to
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


@contextmanager
def local_path(field_file: FieldFile) -> Iterator[Path]:
    """A local filesystem path for a stored file, downloading it when storage is remote."""
    try:
        yield Path(field_file.path)
        return
    except NotImplementedError:
        pass
    suffix = Path(field_file.name or "").suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        download_to(field_file.storage, field_file.name or "", handle)
        handle.flush()
        yield Path(handle.name)


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
        old_files = [f.name for f in (video.original, video.playable, video.poster) if f]
        _apply_facts(video, facts)
        video.sha256 = digest
        video.source_name = source_name
        video.source_mtime = source_mtime
        store()
        video.poster.save(f"{video.video_id}.jpg", ContentFile(poster), save=False)
        video.playable = ""
        video.media_error = ""
        playable = is_browser_playable(facts)
        video.media_status = MediaStatus.READY if playable else MediaStatus.PROCESSING
        video.copy_queued_at = None if playable else timezone.now()
        video.copy_lease_owner = ""
        video.copy_lease_until = None
        video.save()
        if not playable:
            copy_enqueue(video_pk=video.pk)
        storage = video.original.storage
        new_files = {video.original.name, video.poster.name}
        # Replaced files are removed only once the new ones are committed.
        transaction.on_commit(
            lambda: [storage.delete(name) for name in old_files if name not in new_files]
        )
    return video


def _send_copy(video_pk: int) -> None:
    # videos.tasks imports this module for the work itself: the task is imported here, when
    # a copy is sent, so neither module needs the other to load (a loop inside one app).
    from videos.tasks import make_playable_copy

    make_playable_copy.delay(video_pk)


def _copy_send_failed(video_pk: int) -> None:
    # No queued time: the sweep sends it again at its next round.
    Video.objects.filter(pk=video_pk, media_status=MediaStatus.PROCESSING).update(
        copy_queued_at=None
    )


def copy_enqueue(*, video_pk: int) -> None:
    """Send the browser copy's task once the current transaction commits; a broker that is
    down leaves the video waiting for the sweep instead of failing the request."""
    send_on_commit(
        lambda: _send_copy(video_pk),
        what=f"the browser copy of video {video_pk}",
        on_failure=lambda: _copy_send_failed(video_pk),
    )


def _copy_lost_after() -> timedelta:
    # A message not picked up in this long is taken as lost (a worker killed while holding
    # it on a broker that never redelivers); a copy sent twice is still made once.
    return timedelta(seconds=6 * int(settings.VIDEO_COPY_LEASE_SECONDS))


def videos_awaiting_copy(*, now: datetime | None = None) -> list[int]:
    """Videos whose browser copy is due and that nobody is making: never sent (the broker
    was down), held by a worker whose lease ran out, or sent so long ago it was lost."""
    now = now or timezone.now()
    unsent = Q(copy_lease_until__isnull=True) & (
        Q(copy_queued_at__isnull=True) | Q(copy_queued_at__lt=now - _copy_lost_after())
    )
    return list(
        Video.objects.filter(media_status=MediaStatus.PROCESSING)
        .exclude(original="")
        .filter(unsent | Q(copy_lease_until__lt=now))
        .values_list("pk", flat=True)
    )


def videos_requeue_copies() -> int:
    """Send again every browser copy nobody is making; how many were sent."""
    sent = 0
    for pk in videos_awaiting_copy():
        Video.objects.filter(pk=pk).update(copy_queued_at=timezone.now())
        if send_safely(
            functools.partial(_send_copy, pk),
            what=f"the browser copy of video {pk}",
            on_failure=functools.partial(_copy_send_failed, pk),
        ):
            sent += 1
    return sent


def _lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=int(settings.VIDEO_COPY_LEASE_SECONDS))


def copy_claim(*, video_pk: int, original_name: str, owner: str) -> bool:
    """Take the video's transcode, unless another worker holds a live lease on it."""
    now = timezone.now()
    return bool(
        Video.objects.filter(
            pk=video_pk, media_status=MediaStatus.PROCESSING, original=original_name
        )
        .filter(Q(copy_lease_until__isnull=True) | Q(copy_lease_until__lt=now))
        .update(copy_lease_owner=owner, copy_lease_until=_lease_until())
    )


class _LeaseRenewal:
    """Renews the transcode's lease from the progress reports, at most every third of it."""

    def __init__(self, video_pk: int, owner: str, progress: Callable[[float], None] | None) -> None:
        self.video_pk = video_pk
        self.owner = owner
        self.progress = progress
        self.interval = int(settings.VIDEO_COPY_LEASE_SECONDS) / 3
        self.renewed = time.monotonic()

    def __call__(self, fraction: float) -> None:
        if time.monotonic() - self.renewed >= self.interval:
            Video.objects.filter(pk=self.video_pk, copy_lease_owner=self.owner).update(
                copy_lease_until=_lease_until()
            )
            self.renewed = time.monotonic()
        if self.progress is not None:
            self.progress(fraction)


def video_make_playable(*, video_pk: int, progress: Callable[[float], None] | None = None) -> bool:
    """Make the H.264/AAC copy of a video whose original is not browser-playable.

    Idempotent: returns False without work when the video no longer needs a copy or another
    worker holds it (a conditional UPDATE claims it, with a lease that runs out if that
    worker dies).
    """
    video = Video.objects.filter(pk=video_pk, media_status=MediaStatus.PROCESSING).first()
    if video is None or not video.original:
        return False
    original_name = video.original.name
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]
    if not copy_claim(video_pk=video_pk, original_name=original_name, owner=owner):
        return False
    mine = Video.objects.filter(pk=video_pk, copy_lease_owner=owner)
    try:
        with local_path(video.original) as source, tempfile.TemporaryDirectory() as workdir:
            target = Path(workdir) / f"{video.video_id}.mp4"
            try:
                transcode_to_browser_mp4(
                    source, target, progress=_LeaseRenewal(video_pk, owner, progress)
                )
            except MediaError as exc:
                mine.filter(original=original_name).update(
                    media_status=MediaStatus.FAILED,
                    media_error=str(exc),
                    copy_lease_owner="",
                    copy_lease_until=None,
                )
                return False
            with target.open("rb") as handle:
                stored_name = video.playable.storage.save(
                    video.playable.field.generate_filename(video, target.name), File(handle)
                )
    except BaseException:
        # Let another worker (or this task's retry) take it at once.
        mine.update(copy_lease_owner="", copy_lease_until=None)
        raise
    # Only mark it ready if the original was not replaced while we worked.
    updated = mine.filter(media_status=MediaStatus.PROCESSING, original=original_name).update(
        playable=stored_name,
        media_status=MediaStatus.READY,
        media_error="",
        copy_lease_owner="",
        copy_lease_until=None,
    )
    if not updated:
        video.playable.storage.delete(stored_name)
    return bool(updated)


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


# Counts of a higher layer's items that cite times past a video's probed end (the reviews app
# registers its questions' count from its AppConfig.ready()); this layer knows no questions.
PastEndCount = Callable[[Video], int]
_past_end_counts: list[PastEndCount] = []


def past_end_count_register(count: PastEndCount) -> None:
    if count not in _past_end_counts:
        _past_end_counts.append(count)


def questions_past_end(video: Video) -> int:
    """Questions imported before the file whose evidence lies past the probed end."""
    assert video.duration is not None
    return sum(count(video) for count in _past_end_counts)
