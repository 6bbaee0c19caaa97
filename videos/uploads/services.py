"""Uploads from start to finish: declare a file, append chunks at their offsets, then check the
whole and hand it to the same services as `import_videos`.

Nothing a client sends names a stored file: keys are made from the upload's id and the video
id (which must match a safe pattern), and the extension comes from a fixed list.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sciannot.accounts.models import User
from sciannot.inputs import check_length
from videos.guards import ReplacementRefused, video_check_replaceable
from videos.media.probe import MediaError, MediaTooLarge, VideoFacts, probe_video, sha256_file
from videos.models import Benchmark, Upload, UploadKind, UploadStatus, Video
from videos.models.videos import original_upload_to
from videos.services import (
    manuscript_attach,
    questions_past_end,
    transcript_attach,
    video_adopt_stored_file,
)
from videos.stored_files import MovableFile
from videos.transcripts import Cue, TranscriptError, detect_format, parse_transcript
from videos.uploads.sinks import (
    Body,
    LocalSink,
    ShortChunk,
    Sink,
    SinkBehind,
    StorageUnavailable,
    sink_for_storage,
)

logger = logging.getLogger(__name__)

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EXTENSIONS: dict[str, tuple[str, ...]] = {
    UploadKind.VIDEO: (".mp4", ".mkv", ".webm", ".mov"),
    UploadKind.TRANSCRIPT: (".vtt", ".srt", ".json"),
    UploadKind.MANUSCRIPT: (".md", ".txt"),
}
# Characters that have no place in a name shown back to the curator.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Allowed status changes; anything else is a bug or a race lost, and is refused.
TRANSITIONS: dict[str, set[str]] = {
    UploadStatus.RECEIVING: {UploadStatus.RECEIVED, UploadStatus.CANCELLED, UploadStatus.EXPIRED},
    UploadStatus.RECEIVED: {
        UploadStatus.CHECKING,
        UploadStatus.CANCELLED,
        UploadStatus.EXPIRED,
    },
    UploadStatus.CHECKING: {
        UploadStatus.RECEIVED,
        UploadStatus.DONE,
        UploadStatus.FAILED,
        UploadStatus.EXPIRED,
    },
}
# States whose bytes are still ours to delete when the upload is abandoned.
HOLDING_BYTES = (UploadStatus.RECEIVING, UploadStatus.RECEIVED, UploadStatus.CHECKING)


class UploadError(ValueError):
    """An upload request that cannot be done; the message is for the curator.

    `status` is the HTTP status that fits; `expected_offset` is set when the client should
    send from another offset.
    """

    def __init__(self, message: str, *, status: int = 400, expected_offset: int | None = None):
        super().__init__(message)
        self.status = status
        self.expected_offset = expected_offset


def human_size(size: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def display_name(name: str) -> str:
    """The last part of what the browser called the file, safe to show (never to store by)."""
    base = re.split(r"[\\/]", name.strip())[-1]
    return _CONTROL.sub("", base).strip()[:255]


def size_limit(kind: str) -> int:
    if kind == UploadKind.VIDEO:
        return int(settings.VIDEO_UPLOAD_MAX_BYTES)
    return int(settings.DOCUMENT_UPLOAD_MAX_BYTES)


def _move(upload: Upload, to: str, **fields: object) -> None:
    """Change an upload's status if it is still what we last saw; refuse otherwise."""
    if to not in TRANSITIONS.get(upload.status, set()):
        raise UploadError(
            f"this upload is {upload.get_status_display().lower()}; it cannot become {to}",
            status=409,
        )
    changed = Upload.objects.filter(pk=upload.pk, status=upload.status).update(
        status=to, updated_at=timezone.now(), **fields
    )
    if not changed:
        current = Upload.objects.filter(pk=upload.pk).values_list("status", flat=True).first()
        raise UploadError(f"this upload changed meanwhile (it is now {current})", status=409)
    upload.status = to
    for name, value in fields.items():
        setattr(upload, name, value)


def _expiry() -> datetime:
    return timezone.now() + timedelta(hours=int(settings.UPLOAD_EXPIRE_HOURS))


# --- Declaring a file ---------------------------------------------------------------------------


def upload_create(
    *,
    user: User,
    benchmark: Benchmark,
    kind: str,
    name: str,
    size: object,
    video_id: str = "",
    replace: bool = False,
) -> Upload:
    """Declare a file about to be sent in chunks. Checks everything that can be checked before
    the first byte: kind, extension, size, the video id and whether it may be replaced."""
    if kind not in UploadKind.values:
        raise UploadError(f"unknown kind of file {kind!r}; expected one of {UploadKind.values}")
    too_long = check_length(name.strip(), kind="name", what="the file name")
    if too_long:
        raise UploadError(too_long)
    shown = display_name(name)
    if not shown:
        raise UploadError("the file has no name")
    extension = Path(shown).suffix.lower()
    allowed = EXTENSIONS[kind]
    if extension not in allowed:
        raise UploadError(
            f"{shown}: a {kind} must be a {', '.join(allowed[:-1])} or {allowed[-1]} file"
        )
    if isinstance(size, bool) or not isinstance(size, int):
        raise UploadError(f"{shown}: the size must be a whole number of bytes, not {size!r}")
    if size <= 0:
        raise UploadError(f"{shown} is empty (0 bytes)" if size == 0 else f"{shown}: bad size")
    limit = size_limit(kind)
    if size > limit:
        raise UploadError(
            f"{shown} is {human_size(size)}; the limit for a {kind} is {human_size(limit)}",
            status=413,
        )
    if kind == UploadKind.VIDEO:
        _check_video_target(benchmark, video_id, replace)
    else:
        video_id, replace = "", False

    upload = Upload(
        benchmark=benchmark,
        created_by=user,
        kind=kind,
        original_name=shown,
        extension=extension,
        video_id=video_id,
        replace=replace,
        declared_size=size,
        expires_at=_expiry(),
    )
    sink = sink_for_storage()
    if kind == UploadKind.VIDEO and not isinstance(sink, LocalSink):
        # In S3 the parts are assembled where the original will stay: no copy at the end.
        upload.storage_key = _original_name(upload)
    try:
        sink.start(upload)
    except StorageUnavailable as exc:
        raise UploadError(str(exc), status=503) from exc
    try:
        upload.save()
    except Exception:
        sink.discard(upload)
        raise
    return upload


def _check_video_target(benchmark: Benchmark, video_id: str, replace: bool) -> None:
    if not VIDEO_ID.match(video_id or ""):
        raise UploadError(
            f"video id {video_id!r}: use 1 to 64 letters, digits, '-' or '_'"
            if video_id
            else "give the video an id (letters, digits, '-' or '_')"
        )
    existing = Video.objects.filter(benchmark=benchmark, video_id=video_id).first()
    if existing is not None and existing.original and not replace:
        raise UploadError(
            f"video {video_id} already has a file; tick “replace” to replace it", status=409
        )
    if existing is not None and existing.original:
        # Refused before the first byte; finishing checks again under the video's lock.
        _check_replaceable(existing)


def _check_replaceable(video: Video) -> None:
    try:
        video_check_replaceable(video=video)
    except ReplacementRefused as exc:
        raise UploadError(str(exc), status=409) from exc


def _original_name(upload: Upload) -> str:
    """The stored name of an uploaded video: made from the video id and the upload's id."""
    filename = f"jove_{upload.video_id}-{upload.id.hex[:8]}{upload.extension}"
    return original_upload_to(Video(benchmark_id=upload.benchmark_id), filename)


# --- Receiving chunks ---------------------------------------------------------------------------


def upload_write_chunk(
    *, upload: Upload, offset: int, length: int, total: int, body: Body
) -> Upload:
    """Append `length` bytes read from `body` at `offset`: only at the offset the upload has
    reached, only within the declared size. Returns the upload as it now stands."""
    if total != upload.declared_size:
        raise UploadError(
            f"the chunk is of a {total}-byte file; this upload is {upload.declared_size} bytes"
        )
    if length <= 0:
        raise UploadError("the chunk is empty")
    if length > int(settings.UPLOAD_CHUNK_MAX_BYTES):
        raise UploadError(
            f"a chunk may be at most {human_size(settings.UPLOAD_CHUNK_MAX_BYTES)}", status=413
        )
    if offset + length > upload.declared_size:
        raise UploadError(
            f"the chunk ends at byte {offset + length}, past the declared size "
            f"{upload.declared_size}",
            status=413,
        )
    sink = sink_for_storage()
    behind: SinkBehind | None = None
    with transaction.atomic():
        # One chunk at a time per upload, whichever process receives it.
        locked = Upload.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None:
            raise UploadError("no such upload", status=404)
        upload = locked
        if upload.status != UploadStatus.RECEIVING:
            raise UploadError(
                f"this upload is {upload.get_status_display().lower()}; it takes no more bytes",
                status=409 if upload.status == UploadStatus.RECEIVED else 410,
                expected_offset=upload.received_bytes,
            )
        if offset != upload.received_bytes:
            raise UploadError(
                f"expected the chunk at byte {upload.received_bytes}, not {offset}",
                status=409,
                expected_offset=upload.received_bytes,
            )
        try:
            sink.append(upload, offset, body, length)
        except SinkBehind as exc:
            behind = exc
            upload.received_bytes = exc.available
        except ShortChunk as exc:
            raise UploadError(f"{exc}; send it again", expected_offset=offset) from exc
        except StorageUnavailable as exc:
            raise UploadError(f"{exc}; send the chunk again", status=503) from exc
        else:
            upload.received_bytes = offset + length
            if upload.received_bytes == upload.declared_size:
                upload.status = UploadStatus.RECEIVED
        upload.expires_at = _expiry()
        upload.save(
            update_fields=["received_bytes", "status", "s3_parts", "expires_at", "updated_at"]
        )
    if behind is not None:
        raise UploadError(
            f"the server has only the first {behind.available} bytes; send from there",
            status=409,
            expected_offset=behind.available,
        )
    return upload


def upload_cancel(*, upload: Upload) -> Upload:
    """Stop an upload and delete what it stored (an S3 multipart upload is aborted)."""
    if upload.status in (UploadStatus.CANCELLED, UploadStatus.EXPIRED, UploadStatus.FAILED):
        return upload
    _move(upload, UploadStatus.CANCELLED)
    _discard(upload)
    return upload


def _discard(upload: Upload) -> None:
    try:
        sink_for_storage().discard(upload)
    except (OSError, StorageUnavailable):
        # Left for the storage's own lifecycle rules; the upload is over either way.
        logger.exception("could not delete the bytes of upload %s", upload.pk)


def uploads_expire(*, benchmark: Benchmark | None = None) -> int:
    """Abandon every upload whose time ran out: delete its bytes, abort its multipart upload.

    Returns how many were expired. Uploads another process is writing to are skipped.
    """
    expired = 0
    stale = Upload.objects.filter(status__in=HOLDING_BYTES, expires_at__lt=timezone.now())
    if benchmark is not None:
        stale = stale.filter(benchmark=benchmark)
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            upload = (
                Upload.objects.select_for_update(skip_locked=True)
                .filter(Q(pk=pk), Q(status__in=HOLDING_BYTES), Q(expires_at__lt=timezone.now()))
                .first()
            )
            if upload is None:
                continue
            _move(upload, UploadStatus.EXPIRED, error="abandoned: no bytes arrived in time")
        _discard(upload)
        expired += 1
    return expired


# --- Finishing --------------------------------------------------------------------------------


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
            _move(item, UploadStatus.CHECKING, expires_at=_expiry())
            claimed.append(item)
    except UploadError:
        for item in claimed:
            _move(item, UploadStatus.RECEIVED)
        raise
    sink = sink_for_storage()
    try:
        return _finish_claimed(sink, upload, transcript, manuscript)
    finally:
        # Whatever did not end done or failed goes back to waiting, to be finished again.
        for item in (upload, *(doc for doc, _ in documents)):
            if item.status == UploadStatus.CHECKING:
                _move(item, UploadStatus.RECEIVED)


def _fail(upload: Upload, message: str, *, status: int = 400) -> UploadError:
    """Mark the upload failed, delete its bytes, and give the error to raise."""
    _move(upload, UploadStatus.FAILED, error=message)
    _discard(upload)
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
            _discard(doc)
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
        name = storage.save(_original_name(upload), MovableFile(handle, path))
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
                _check_replaceable(video)
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
                    _move(item, UploadStatus.DONE, attached_video=video, error="")
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
