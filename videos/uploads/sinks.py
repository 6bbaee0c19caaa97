"""Where an upload's bytes go as they arrive: a partial file in local storage, or an S3
multipart upload. Neither ever holds more than one small piece of a chunk in memory."""

from __future__ import annotations

import math
import mimetypes
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings

from videos.models import Upload
from videos.stored_files import (
    download_to,
    is_s3,
    media_storage,
    s3_bucket,
    s3_client,
    s3_key,
)

# Bytes read from the request and written at a time.
PIECE = 1024 * 1024
# S3 refuses parts under 5 MiB (except the last) and uploads of more than 10,000 parts.
S3_MIN_PART = 5 * 1024 * 1024
S3_MAX_PARTS = 10_000


class SinkBehind(Exception):
    """The storage holds fewer bytes than were acknowledged (a lost partial file or part
    buffer); the upload can go on from `available`."""

    def __init__(self, available: int) -> None:
        super().__init__(f"the storage holds only the first {available} bytes")
        self.available = available


class ShortChunk(Exception):
    """The request body ended before the declared length; nothing of it was kept."""

    def __init__(self, received: int, expected: int) -> None:
        super().__init__(f"the chunk ended after {received} of {expected} bytes")
        self.received = received
        self.expected = expected


class StorageUnavailable(Exception):
    """The object store refused or could not be reached; the same request may succeed later."""


class Body(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class Sink(Protocol):
    def start(self, upload: Upload) -> None: ...
    def append(self, upload: Upload, offset: int, body: Body, length: int) -> None: ...
    def stored_size(self, upload: Upload) -> int: ...
    def local_copy(self, upload: Upload) -> AbstractContextManager[Path]: ...
    def read_small(self, upload: Upload) -> bytes: ...
    def discard(self, upload: Upload) -> None: ...


def sink_for_storage() -> Sink:
    storage = media_storage()
    return S3Sink(storage) if is_s3(storage) else LocalSink(storage)


def _copy_exactly(body: Body, handle: IO[bytes], length: int) -> int:
    """Copy up to `length` bytes of the body into `handle`; the number copied."""
    remaining = length
    while remaining:
        try:
            piece = body.read(min(PIECE, remaining))
        except OSError:
            # The client went away mid-body.
            piece = b""
        if not piece:
            break
        handle.write(piece)
        remaining -= len(piece)
    return length - remaining


class LocalSink:
    """A partial file under the media root's `uploads/`, appended to chunk by chunk."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    def path(self, upload: Upload) -> Path:
        return Path(self.storage.path(upload.storage_key))

    def start(self, upload: Upload) -> None:
        upload.storage_key = f"uploads/{upload.id.hex}.part"

    def append(self, upload: Upload, offset: int, body: Body, length: int) -> None:
        path = self.path(upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size < offset:
                raise SinkBehind(size)
            if size > offset:
                # What a chunk whose request died left behind: never acknowledged, so dropped.
                handle.truncate(offset)
            copied = _copy_exactly(body, handle, length)
            if copied < length:
                handle.truncate(offset)
                raise ShortChunk(copied, length)

    def stored_size(self, upload: Upload) -> int:
        try:
            return self.path(upload).stat().st_size
        except FileNotFoundError:
            return 0

    @contextmanager
    def local_copy(self, upload: Upload) -> Iterator[Path]:
        yield self.path(upload)

    def read_small(self, upload: Upload) -> bytes:
        return self.path(upload).read_bytes()

    def discard(self, upload: Upload) -> None:
        if upload.storage_key:
            self.path(upload).unlink(missing_ok=True)


class S3Sink:
    """An S3 multipart upload. Chunks smaller than a part wait in a buffer file on local disk
    until they add up to one; the buffer is checked against what was acknowledged, so a chunk
    that reaches a web process without the buffer makes the client resend from the last part."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage
        self.client = s3_client(storage)
        self.bucket = s3_bucket(storage)

    def key(self, upload: Upload) -> str:
        return s3_key(self.storage, upload.storage_key)

    def buffer_path(self, upload: Upload) -> Path:
        return Path(settings.UPLOAD_BUFFER_DIR) / f"{upload.id.hex}.buf"

    @staticmethod
    def part_size(upload: Upload) -> int:
        return max(S3_MIN_PART, math.ceil(upload.declared_size / S3_MAX_PARTS))

    def _call(self, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(f"the object store refused {method}: {exc}") from exc

    def start(self, upload: Upload) -> None:
        if not upload.storage_key:
            upload.storage_key = f"uploads/{upload.id.hex}{upload.extension}"
        content_type = mimetypes.guess_type(upload.storage_key)[0] or "application/octet-stream"
        response = self._call(
            "create_multipart_upload", Key=self.key(upload), ContentType=content_type
        )
        upload.s3_upload_id = response["UploadId"]
        upload.s3_parts = []

    def append(self, upload: Upload, offset: int, body: Body, length: int) -> None:
        committed = sum(int(part["size"]) for part in upload.s3_parts)
        path = self.buffer_path(upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab") as handle:
            buffered = handle.seek(0, os.SEEK_END)
            if committed + buffered < offset:
                handle.truncate(0)
                raise SinkBehind(committed)
            handle.truncate(offset - committed)
            copied = _copy_exactly(body, handle, length)
            if copied < length:
                handle.truncate(offset - committed)
                raise ShortChunk(copied, length)
            pending = handle.tell()
        last = offset + length == upload.declared_size
        if pending >= self.part_size(upload) or last:
            number = len(upload.s3_parts) + 1
            with open(path, "rb") as part:
                response = self._call(
                    "upload_part",
                    Key=self.key(upload),
                    UploadId=upload.s3_upload_id,
                    PartNumber=number,
                    Body=part,
                    ContentLength=pending,
                )
            upload.s3_parts = [
                *upload.s3_parts,
                {"number": number, "etag": response["ETag"], "size": pending},
            ]
            os.truncate(path, 0)
        if last:
            self._call(
                "complete_multipart_upload",
                Key=self.key(upload),
                UploadId=upload.s3_upload_id,
                MultipartUpload={
                    "Parts": [
                        {"PartNumber": part["number"], "ETag": part["etag"]}
                        for part in upload.s3_parts
                    ]
                },
            )
            path.unlink(missing_ok=True)

    def stored_size(self, upload: Upload) -> int:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(upload))
        except ClientError:
            return 0
        return int(head["ContentLength"])

    @contextmanager
    def local_copy(self, upload: Upload) -> Iterator[Path]:
        directory = Path(settings.UPLOAD_BUFFER_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(suffix=upload.extension, dir=directory) as handle:
            download_to(self.storage, upload.storage_key, handle)
            handle.flush()
            yield Path(handle.name)

    def read_small(self, upload: Upload) -> bytes:
        response = self._call("get_object", Key=self.key(upload))
        return bytes(response["Body"].read(upload.declared_size + 1))

    def discard(self, upload: Upload) -> None:
        from botocore.exceptions import ClientError

        self.buffer_path(upload).unlink(missing_ok=True)
        if not upload.storage_key:
            return
        if upload.s3_upload_id:
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self.key(upload), UploadId=upload.s3_upload_id
                )
            except ClientError as exc:
                # Completed (the object goes below) or aborted already.
                if exc.response.get("Error", {}).get("Code") != "NoSuchUpload":
                    raise StorageUnavailable(f"the object store refused the abort: {exc}") from exc
        self._call("delete_object", Key=self.key(upload))
