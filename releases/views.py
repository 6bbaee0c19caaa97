"""Release downloads for people and scripts: plain Django views (DRF's format suffixes would
take `.json` for themselves), sending the stored export files.

A split's file goes out as a `FileResponse` of the open stored file: gunicorn hands a file with
a descriptor to the kernel (`os.sendfile`), so no byte passes through Python; a server without
that reads it a megabyte at a time. No middleware reads a streamed body."""

from __future__ import annotations

import hashlib

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_http_methods
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from releases.access import may_download, release_seal_check
from releases.artifacts import ARTIFACTS, DOWNLOAD_NAMES
from releases.export import release_file
from releases.harness_tasks import vlmevalkit_tsv
from releases.models import Release
from releases.selectors import release_sealed_get

# Read at a time when the server cannot send the file itself (Django's default is 4 KiB).
SEND_BLOCK = 1 << 20

CONTENT_TYPES = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def _user(request: HttpRequest) -> object | None:
    """The signed-in user, from the session or an `Authorization: Token <key>` header."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = TokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    except AuthenticationFailed:
        return None
    return found[0] if found else None


@require_http_methods(["GET", "HEAD"])
def release_download(
    request: HttpRequest, name: str, version: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    split, _, fmt = filename.rpartition(".")
    if filename not in ARTIFACTS and (fmt not in (*CONTENT_TYPES, "tsv") or not split):
        return _not_found(
            "Releases are downloaded as <split>.jsonl, <split>.json, <split>.tsv, "
            + ", ".join(ARTIFACTS)
        )
    release = release_sealed_get(name=name, version=version)
    user = _user(request)
    if release is None or not may_download(user, release):
        if user is None and release is not None:
            response = JsonResponse(
                {"detail": "Sign in or send an API token to download this release."}, status=401
            )
            response["WWW-Authenticate"] = "Token"
            return response
        return _not_found("No such release, or not one you may download.")
    # Every file of a release (export, card, changelog, harness folders) carries its keys.
    release_seal_check(user=user, release=release)
    if filename in ARTIFACTS or fmt == "tsv":
        return _artifact(request, release, filename, split)
    stored = release_file(release, split, fmt)
    jsonl = release_file(release, split, "jsonl")
    if stored is None or jsonl is None:
        return _not_found(f"{release} has no split {split!r}.")
    etag = f'"{jsonl.sha256}"'
    if _not_modified(request, etag):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    stream: StreamingHttpResponse
    if request.method == "GET":
        stream = FileResponse(stored.file.open("rb"), content_type=CONTENT_TYPES[fmt])
        stream.block_size = SEND_BLOCK
    else:
        stream = StreamingHttpResponse(iter([]), content_type=CONTENT_TYPES[fmt])
    stream["Content-Length"] = str(stored.size)
    stream["ETag"] = etag
    stream["Cache-Control"] = "private, max-age=0, must-revalidate"
    # Saved under the archive's own file name, so single downloads make the same folder.
    stream["Content-Disposition"] = f'attachment; filename="{split}.{fmt}"'
    stream["X-Release-Status"] = release.status
    return stream


def _not_found(message: str) -> JsonResponse:
    # The API's errors are JSON with a `detail`, these downloads' included.
    return JsonResponse({"detail": message}, status=404)


def _not_modified(request: HttpRequest, etag: str) -> bool:
    matches = request.headers.get("If-None-Match", "")
    return matches.strip() == "*" or etag in [
        m.strip().removeprefix("W/") for m in matches.split(",")
    ]


def _artifact(request: HttpRequest, release: Release, filename: str, split: str) -> HttpResponse:
    """A file made from the frozen release (the same bytes every time)."""
    if filename in ARTIFACTS:
        content_type, make = ARTIFACTS[filename]
        data = make(release)
    else:
        if release_file(release, split, "jsonl") is None:
            return _not_found(f"{release} has no split {split!r}.")
        content_type, data = (
            "text/tab-separated-values; charset=utf-8",
            vlmevalkit_tsv(release, split),
        )
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    if _not_modified(request, etag):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    response = HttpResponse(data if request.method == "GET" else b"", content_type=content_type)
    response["Content-Length"] = str(len(data))
    response["ETag"] = etag
    saved_as = DOWNLOAD_NAMES.get(filename, filename)
    if filename.endswith(".zip"):
        saved_as = f"{release.name}-{release.version}-{filename}"
    response["Content-Disposition"] = f'attachment; filename="{saved_as}"'
    response["X-Release-Status"] = release.status
    return response
