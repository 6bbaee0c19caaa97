"""Serving stored media with HTTP Range support (206 Partial Content).

Browsers can only seek in a video whose server answers Range requests, and Django's own file
responses ignore them, so byte ranges are handled here: single ranges (`a-b`, `a-`, `-n`),
416 for unsatisfiable ones, `If-Range` and conditional GET by ETag.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from typing import IO
from urllib.parse import quote

from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date

from sciannot.inputs import MAX_INT_DIGITS

CHUNK_SIZE = 256 * 1024
# An open-ended `bytes=X-` (what players send) is answered with at most this much: a sync
# worker is then busy for a moment rather than for a whole 2 GB file, and the player simply
# asks for the next piece.
OPEN_RANGE_LIMIT = 4 * 1024 * 1024
_RANGE = re.compile(r"^bytes=\s*([0-9]*)\s*-\s*([0-9]*)\s*$")


def parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """The (first, last) byte positions a Range header asks for.

    Returns None when the header should be ignored (malformed, or several ranges, which
    players do not use and which we answer with the whole file), and "unsatisfiable" when
    it asks for bytes past the end.
    """
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if max(len(first_text), len(last_text)) > MAX_INT_DIGITS:
        # No file has that many bytes; int() of thousands of digits would fail or crawl.
        return "unsatisfiable"
    if not first_text:
        # Suffix range: the last N bytes.
        length = int(last_text)
        if length == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else first + OPEN_RANGE_LIMIT - 1
    if last_text and last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


def _iter_file(handle: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_etag(field_file: FieldFile, size: int, version: str) -> str:
    digest = hashlib.sha256(f"{field_file.name}:{size}:{version}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def ranged_file_response(
    request: HttpRequest,
    field_file: FieldFile,
    *,
    content_type: str,
    version: str = "",
    max_age: int = 3600,
) -> HttpResponse | StreamingHttpResponse:
    """A response with `field_file`'s bytes that honours Range, If-Range and If-None-Match."""
    storage = field_file.storage
    name = field_file.name or ""
    size = storage.size(name)
    etag = file_etag(field_file, size, version)
    common = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        # Private: these bytes are only for signed-in users allowed to see the video.
        "Cache-Control": f"private, max-age={max_age}",
    }
    with contextlib.suppress(NotImplementedError, OSError):
        common["Last-Modified"] = http_date(storage.get_modified_time(name).timestamp())

    if_none_match = request.headers.get("If-None-Match", "")
    if if_none_match and (if_none_match.strip() == "*" or etag in if_none_match):
        response = HttpResponse(status=304)
        for key, value in common.items():
            response[key] = value
        return response

    byte_range: tuple[int, int] | str | None = None
    range_header = request.headers.get("Range", "")
    if range_header:
        if_range = request.headers.get("If-Range", "")
        # A stale If-Range validator means "send me the whole new file".
        if not if_range or if_range.strip() == etag:
            byte_range = parse_range(range_header, size)

    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        for key, value in common.items():
            response[key] = value
        return response

    if request.method == "HEAD":
        response = HttpResponse(status=200, content_type=content_type)
        response["Content-Length"] = str(size)
        for key, value in common.items():
            response[key] = value
        return response

    handle = storage.open(name, "rb")
    if isinstance(byte_range, tuple):
        first, last = byte_range
        length = last - first + 1
        streaming = StreamingHttpResponse(
            _iter_file(handle, first, length), status=206, content_type=content_type
        )
        streaming["Content-Range"] = f"bytes {first}-{last}/{size}"
    else:
        length = size
        streaming = StreamingHttpResponse(
            _iter_file(handle, 0, size), status=200, content_type=content_type
        )
    streaming["Content-Length"] = str(length)
    for key, value in common.items():
        streaming[key] = value
    return streaming


def accel_redirect_response(
    field_file: FieldFile, *, content_type: str, prefix: str
) -> HttpResponse:
    """Let nginx send the bytes (with Range) after Django has checked who is asking."""
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name or "")
    response["Cache-Control"] = "private, max-age=3600"
    return response
