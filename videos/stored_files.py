"""The media storage seen from below Django's Storage API: local paths, or S3 clients and keys.

Django's storages hide where bytes live; uploads and downloads of whole videos need to know,
so that a 2 GB file goes to and from S3 in parts instead of through memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db.models.fields.files import FieldFile

# Big enough that S3 needs few requests, small enough that a transfer holds little memory.
TRANSFER_CHUNK = 8 * 1024 * 1024


def media_storage() -> Storage:
    return storages["default"]


def is_s3(storage: Storage) -> bool:
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def s3_client(storage: Storage) -> Any:
    return storage.connection.meta.client  # type: ignore[attr-defined]


def s3_key(storage: Storage, name: str) -> str:
    """The object key of a stored name (the storage's `location` prefix included)."""
    from storages.utils import clean_name

    return str(storage._normalize_name(clean_name(name)))  # type: ignore[attr-defined]


def s3_bucket(storage: Storage) -> str:
    return str(storage.bucket_name)  # type: ignore[attr-defined]


def download_to(storage: Storage, name: str, handle: IO[bytes]) -> None:
    """Copy a stored file into an open binary file, a piece at a time."""
    if is_s3(storage):
        from boto3.s3.transfer import TransferConfig

        # django-storages' own File reads an object whole into memory; the transfer manager
        # writes it in parts.
        s3_client(storage).download_fileobj(
            s3_bucket(storage),
            s3_key(storage, name),
            handle,
            Config=TransferConfig(
                multipart_chunksize=TRANSFER_CHUNK, max_concurrency=2, use_threads=True
            ),
        )
        return
    with storage.open(name, "rb") as source:
        while piece := source.read(TRANSFER_CHUNK):
            handle.write(piece)


class MovableFile(File):
    """An open local file that a local storage moves into place rather than copies (Django's
    file storage moves any file that names its temporary path)."""

    def __init__(self, handle: IO[bytes], path: Path) -> None:
        super().__init__(handle)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


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
