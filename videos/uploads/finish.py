"""Finishing an upload: check the whole video (size, then PyAV) and its documents, and hand
them to the same services as `import_videos`, creating or updating the Video with all of them,
or nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction

from videos.guards import ReplacementRefused, video_check_replaceable
from videos.media.probe import MediaError, MediaTooLarge, VideoFacts, probe_video, sha256_file
from videos.models import Upload, UploadKind, UploadStatus, Video
from videos.past_end import questions_past_end
from videos.services import manuscript_attach, transcript_attach, video_adopt_stored_file
from videos.stored_files import MovableFile
from videos.transcripts import Cue, TranscriptError, detect_format, parse_transcript
from videos.uploads.services import (
    UploadError,
    check_replaceable,
    discard_bytes,
    fresh_expiry,
    stored_name,
    upload_move,
)
from videos.uploads.sinks import (
    LocalSink,
    Sink,
    sink_for_storage,
)

logger = logging.getLogger(__name__)


@dataclass
class Finished:
    video: Video
    created: bool
    warnings: list[str]


@dataclass
class _Documents:
    transcript: Upload | None
    manuscript_upload: Upload | None
    cues: list[Cue] | None = None
    transcript_format: str = ""
    manuscript: str | None = None


def upload_finish(
    *,
    upload: Upload,
    transcript: Upload | None = None,
    manuscript: Upload | None = None,
) -> Finished:
    """Check a fully received video (size, then PyAV), check its transcript and manuscript,
    and only then create or update the Video with all of them, or nothing.

    A file PyAV cannot decode is deleted; a bad document fails alone and the video's bytes
    stay, so the curator can finish again with a corrected document.
    """
    if upload.kind != UploadKind.VIDEO:
        raise UploadError("only a video upload can be finished; documents come with it")
    pairs = ((transcript, UploadKind.TRANSCRIPT), (manuscript, UploadKind.MANUSCRIPT))
    documents = [(doc, kind) for doc, kind in pairs if doc is not None]
    for doc, kind in documents:
        if doc.kind != kind or doc.benchmark_id != upload.benchmark_id:
            raise UploadError(f"{doc.original_name} is not a {kind} upload")
        if doc.status != UploadStatus.RECEIVED:
            raise UploadError(
                f"{doc.original_name} is {doc.get_status_display().lower()}, not fully received",
                status=409,
            )
    if upload.status != UploadStatus.RECEIVED:
        raise UploadError(
            f"{upload.original_name} is {upload.get_status_display().lower()}"
            + (
                f": {upload.received_bytes} of {upload.declared_size} bytes received"
                if upload.status == UploadStatus.RECEIVING
                else ""
            ),
            status=409,
            expected_offset=upload.received_bytes,
        )
    claimed: list[Upload] = []
    try:
        for item in (upload, *(doc for doc, _ in documents)):
            # A fresh expiry, so the cleanup leaves it alone while it is checked.
            upload_move(item, UploadStatus.CHECKING, expires_at=fresh_expiry())
            claimed.append(item)
    except UploadError:
        for item in claimed:
            upload_move(item, UploadStatus.RECEIVED)
        raise
    sink = sink_for_storage()
    try:
        return _finish_claimed(sink, upload, transcript, manuscript)
    finally:
        # Whatever did not end done or failed goes back to waiting, to be finished again.
        for item in (upload, *(doc for doc, _ in documents)):
            if item.status == UploadStatus.CHECKING:
                upload_move(item, UploadStatus.RECEIVED)


def _fail(upload: Upload, message: str, *, status: int = 400) -> UploadError:
    """Mark the upload failed, delete its bytes, and give the error to raise."""
    upload_move(upload, UploadStatus.FAILED, error=message)
    discard_bytes(upload)
    return UploadError(message, status=status)


def _finish_claimed(
    sink: Sink, upload: Upload, transcript: Upload | None, manuscript: Upload | None
) -> Finished:
    stored = sink.stored_size(upload)
    if stored != upload.declared_size:
        raise _fail(
            upload,
            f"{upload.original_name}: {stored} bytes stored, {upload.declared_size} declared",
        )
    existing = Video.objects.filter(
        benchmark_id=upload.benchmark_id, video_id=upload.video_id
    ).first()
    if upload.replace and existing is not None and existing.original:
        # Before hashing gigabytes: a release may have been frozen over it since the start.
        try:
            video_check_replaceable(video=existing)
        except ReplacementRefused as exc:
            raise _fail(upload, str(exc), status=409) from exc
    with sink.local_copy(upload) as path:
        try:
            facts = probe_video(path)
        except MediaTooLarge as exc:
            raise _fail(upload, f"{upload.original_name} {exc.reason}", status=413) from exc
        except MediaError as exc:
            raise _fail(
                upload, f"{upload.original_name} is not a video PyAV can decode: {exc}"
            ) from exc
        documents = _Documents(transcript, manuscript)
        if transcript is not None:
            documents.cues, documents.transcript_format = _read_transcript(sink, transcript, facts)
        if manuscript is not None:
            documents.manuscript = _read_manuscript(sink, manuscript)
        digest = sha256_file(path)
        with _placed(sink, upload, path) as local_copy:
            try:
                finished = _store(upload, local_copy, facts, digest, documents)
            except Exception as exc:
                for item in (upload, transcript, manuscript):
                    if item is not None and item.status == UploadStatus.DONE:
                        item.status = UploadStatus.CHECKING  # the rollback undid it
                if isinstance(exc, UploadError):
                    raise _fail(upload, str(exc), status=exc.status) from exc
                if isinstance(exc, MediaError):
                    message = f"{upload.original_name} is not a video PyAV can decode: {exc}"
                    raise _fail(upload, message) from exc
                logger.exception("storing upload %s failed", upload.pk)
                message = f"{upload.original_name} was not stored: a server error (logged)"
                raise _fail(upload, message, status=500) from exc
    for doc in (transcript, manuscript):
        if doc is not None:
            discard_bytes(doc)
    return finished


def _read_transcript(sink: Sink, upload: Upload, facts: VideoFacts) -> tuple[list[Cue], str]:
    name = upload.original_name
    try:
        content = sink.read_small(upload).decode("utf-8-sig")
        fmt = detect_format(f"transcript{upload.extension}", content)
        cues = parse_transcript(content, fmt)
        if not cues:
            raise TranscriptError("it has no cues")
        # The rule transcript_attach applies, checked before anything is stored.
        late = [cue for cue in cues if cue.start > facts.duration + 1.0]
        if late:
            raise TranscriptError(
                f"a cue starts at {late[0].start:.1f} s, after the end of the video "
                f"({facts.duration:.1f} s)"
            )
    except UnicodeDecodeError as exc:
        raise _fail(upload, f"transcript {name} is not UTF-8 text") from exc
    except ValueError as exc:  # TranscriptError, or JSON that is not a transcript
        raise _fail(upload, f"transcript {name}: {exc}") from exc
    return cues, fmt


def _read_manuscript(sink: Sink, upload: Upload) -> str:
    try:
        text = sink.read_small(upload).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(upload, f"manuscript {upload.original_name} is not UTF-8 text") from exc
    if not text.strip():
        raise _fail(upload, f"manuscript {upload.original_name} is empty")
    return text


@contextmanager
def _placed(sink: Sink, upload: Upload, path: Path) -> Iterator[Path]:
    """Put the checked bytes where the original will stay; yields a local path to them.

    In S3 they are there already. Locally the partial file is moved (not copied) into the
    originals folder, and the upload then points at it, so a failure after this deletes it.
    """
    if not isinstance(sink, LocalSink):
        yield path
        return
    storage = sink.storage
    with path.open("rb") as handle:
        name = storage.save(stored_name(upload), MovableFile(handle, path))
    Upload.objects.filter(pk=upload.pk).update(storage_key=name)
    upload.storage_key = name
    yield Path(storage.path(name))


def _got_a_file_meanwhile(upload: Upload) -> UploadError:
    return UploadError(
        f"video {upload.video_id} got a file meanwhile; upload again with “replace” ticked to "
        "replace it",
        status=409,
    )


def _store(
    upload: Upload,
    local_copy: Path,
    facts: VideoFacts,
    digest: str,
    documents: _Documents,
) -> Finished:
    """Create or update the Video with the stored file and its documents, in one transaction."""
    transcript, manuscript = documents.transcript, documents.manuscript_upload
    try:
        with transaction.atomic():
            video = (
                Video.objects.select_for_update()
                .filter(benchmark_id=upload.benchmark_id, video_id=upload.video_id)
                .first()
            )
            if video is not None and video.original and not upload.replace:
                raise _got_a_file_meanwhile(upload)
            created = video is None or not video.original
            if video is not None and video.original:
                check_replaceable(video)
            if video is None:
                video = Video(benchmark_id=upload.benchmark_id, video_id=upload.video_id)
            video_adopt_stored_file(
                video=video,
                stored_name=upload.storage_key,
                local_copy=local_copy,
                facts=facts,
                sha256=digest,
                source_name=upload.original_name,
            )
            if documents.cues is not None and transcript is not None:
                transcript_attach(
                    video=video,
                    cues=documents.cues,
                    source_name=transcript.original_name,
                    source_format=documents.transcript_format,
                )
            if documents.manuscript is not None and manuscript is not None:
                manuscript_attach(
                    video=video, text=documents.manuscript, source_name=manuscript.original_name
                )
            for item in (upload, transcript, manuscript):
                if item is not None:
                    upload_move(item, UploadStatus.DONE, attached_video=video, error="")
    except IntegrityError as exc:
        # Another upload of a new video with this id finished between the lookup (which
        # had no row to lock) and the insert: the refusal a later finish would get.
        raise _got_a_file_meanwhile(upload) from exc
    warnings = []
    late = questions_past_end(video)
    if late:
        warnings.append(
            f"{late} question(s) cite times past the end of the video ({facts.duration:.1f} s)"
        )
    return Finished(video=video, created=created, warnings=warnings)
