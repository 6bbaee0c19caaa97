"""A release's files: writing each split's JSONL and JSON as items stream past, and reading
them back (downloads, and single published lines for the changelog and the baselines)."""

from __future__ import annotations

import hashlib
import posixpath
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson
from django.core.files.storage import FileSystemStorage, default_storage

from releases.models import Release, ReleaseFile
from releases.rows import FreezeRequest


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, keys in the order given: one export line."""
    return orjson.dumps(value)


def json_header(
    *, name: str, version: str, split: str, count: int, sha256: str, created_at: str
) -> bytes:
    """The `.json` export's opening, before its items."""
    header = dumps(
        {
            "name": name,
            "version": version,
            "split": split,
            "count": count,
            "sha256": sha256,
            "created_at": created_at,
        }
    )
    return header[:-1] + b',"items":['


BUFFER = 1 << 20


class SplitWriter:
    """One split's outputs, written as items stream past: the JSONL (hashed on the way, a
    megabyte at a time), its counts, and its snapshot rows. The JSON document is made from
    the JSONL afterwards: its items are the same bytes, with commas for newlines."""

    def __init__(self, name: str) -> None:
        self.name = name
        # Closed by close(), after the files have been stored.
        self.jsonl = tempfile.TemporaryFile()  # noqa: SIM115
        self.digest = hashlib.sha256()
        self.pending = bytearray()
        self.count = 0
        self.size = 0
        self.videos: set[str] = set()
        self.strata: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, item: dict[str, Any], data: bytes) -> int:
        """Write one line; returns its offset in the JSONL."""
        offset = self.size
        self.pending += data
        self.pending += b"\n"
        self.size += len(data) + 1
        if len(self.pending) >= BUFFER:
            self.flush()
        self.count += 1
        self.videos.add(item["video_id"])
        self.strata[item["category"]][item["question_type"]] += 1
        return offset

    def flush(self) -> None:
        self.jsonl.write(self.pending)
        self.digest.update(self.pending)
        self.pending = bytearray()

    @property
    def sha256(self) -> str:
        self.flush()
        return self.digest.hexdigest()

    def document(
        self, *, request: FreezeRequest, created_at: str
    ) -> tempfile._TemporaryFileWrapper[bytes]:
        """The `.json` export: the header, then the same items as the JSONL. Its sha256 and
        size are taken as it is written (`json_sha256`, `json_size`)."""
        self.flush()
        document = tempfile.NamedTemporaryFile()  # noqa: SIM115 - closed by close()
        digest = hashlib.sha256()
        size = 0

        def write(data: bytes) -> None:
            nonlocal size
            document.write(data)
            digest.update(data)
            size += len(data)

        write(
            json_header(
                name=request.name,
                version=request.version,
                split=self.name,
                count=self.count,
                sha256=self.sha256,
                created_at=created_at,
            )
        )
        self.jsonl.seek(0)
        # Every line ends with a newline, and none appears inside one (JSON escapes it).
        separator = b""
        while chunk := self.jsonl.read(BUFFER):
            if chunk.endswith(b"\n"):
                write(separator + chunk[:-1].replace(b"\n", b","))
                separator = b","
            else:
                write(separator + chunk.replace(b"\n", b","))
                separator = b""
        write(b"]}\n")
        document.flush()
        document.seek(0)
        self.jsonl.seek(0)
        self.json_file = document
        self.json_sha256, self.json_size = digest.hexdigest(), size
        return document

    def counts(self) -> dict[str, dict[str, int]]:
        return {c: dict(sorted(t.items())) for c, t in sorted(self.strata.items())}

    def close(self) -> None:
        self.jsonl.close()
        if hasattr(self, "json_file"):
            self.json_file.close()


def hash_file(handle: Any) -> tuple[str, int]:
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


class LineReader:
    """Reads published lines back from the stored JSONL files, one open file per split."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.handles: dict[str, Any] = {}

    def read(self, split: str, offset: int, length: int) -> dict[str, Any]:
        handle = self.handles.get(split)
        if handle is None:
            stored = release_file(self.release, split, "jsonl")
            assert stored is not None, f"{self.release} has no {split}.jsonl"
            handle = self.handles[split] = stored.file.open("rb")
        handle.seek(offset)
        loaded: dict[str, Any] = orjson.loads(handle.read(length))
        return loaded

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def remove_written(names: list[str]) -> None:
    """Delete the files of a freeze that failed, and the folders it made for them: a
    failed freeze leaves nothing behind, not even an empty release folder."""
    folders = set()
    for name in names:
        default_storage.delete(name)
        folders.add(posixpath.dirname(name))
    if not isinstance(default_storage, FileSystemStorage):
        return  # object stores have no folders
    root = Path(default_storage.location).resolve()
    for folder in sorted(folders, key=len, reverse=True):
        path = Path(default_storage.path(folder)).resolve()
        # Up to, not including, the top folder (`releases/`) under the media root.
        while root in path.parent.parents:
            try:
                path.rmdir()  # only when empty: another release may share the parent
            except OSError:
                break
            path = path.parent


def release_file(release: Release, split: str, fmt: str) -> ReleaseFile | None:
    return release.files.filter(split=split, format=fmt).first()
