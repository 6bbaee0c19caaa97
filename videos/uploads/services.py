"""Uploads, receiving side: declare a file, append chunks at their offsets, cancel, expire.
Checking the whole and handing it on is `videos.uploads.finish`.

Nothing a client sends names a stored file: keys are made from the upload's id and the video
id (which must match a safe pattern), and the extension comes from a fixed list.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sciannot.accounts.models import User
from sciannot.inputs import check_length
from videos.guards import ReplacementRefused, video_check_replaceable
from videos.models import Benchmark, Upload, UploadKind, UploadStatus, Video
from videos.models.videos import original_upload_to
from videos.uploads.sinks import (
    Body,
    LocalSink,
    ShortChunk,
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


def upload_move(upload: Upload, to: str, **fields: object) -> None:
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


def fresh_expiry() -> datetime:
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
        expires_at=fresh_expiry(),
    )
    sink = sink_for_storage()
    if kind == UploadKind.VIDEO and not isinstance(sink, LocalSink):
        # In S3 the parts are assembled where the original will stay: no copy at the end.
        upload.storage_key = stored_name(upload)
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
        check_replaceable(existing)


def check_replaceable(video: Video) -> None:
    try:
        video_check_replaceable(video=video)
    except ReplacementRefused as exc:
        raise UploadError(str(exc), status=409) from exc


def stored_name(upload: Upload) -> str:
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
        upload.expires_at = fresh_expiry()
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
    upload_move(upload, UploadStatus.CANCELLED)
    discard_bytes(upload)
    return upload


def discard_bytes(upload: Upload) -> None:
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
            upload_move(upload, UploadStatus.EXPIRED, error="abandoned: no bytes arrived in time")
        discard_bytes(upload)
        expired += 1
    return expired
