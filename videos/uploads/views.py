"""The upload page and the small JSON protocol its script speaks (curators only).

    POST /videos/uploads/                      declare a file -> 201 {id, offset, urls}
    GET  /videos/uploads/<id>                  how many bytes the server has (to resume)
    PUT  /videos/uploads/<id>/chunk            Content-Range: bytes start-end/total
    POST /videos/uploads/<id>/finish           {"transcript": id, "manuscript": id}
    POST /videos/uploads/<id>/cancel

Errors are JSON `{"error": "..."}`; a chunk at the wrong offset gets 409 with
`expected_offset`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciannot.accounts.models import Role
from sciannot.accounts.permissions import role_required
from sciannot.htmx import AuthenticatedHttpRequest
from videos.models import Benchmark, Upload, UploadKind
from videos.selectors import upload_get_for_user, uploads_unfinished
from videos.uploads.finish import upload_finish
from videos.uploads.services import (
    EXTENSIONS,
    UploadError,
    human_size,
    upload_cancel,
    upload_create,
    upload_write_chunk,
)

CONTENT_RANGE = re.compile(r"^bytes ([0-9]{1,20})-([0-9]{1,20})/([0-9]{1,20})$")


def _error(exc: UploadError) -> JsonResponse:
    body: dict[str, Any] = {"error": str(exc)}
    if exc.expected_offset is not None:
        body["expected_offset"] = exc.expected_offset
    return JsonResponse(body, status=exc.status)


def _describe(upload: Upload) -> dict[str, Any]:
    pk = upload.pk
    return {
        "id": str(pk),
        "kind": upload.kind,
        "name": upload.original_name,
        "video_id": upload.video_id,
        "size": upload.declared_size,
        "offset": upload.received_bytes,
        "status": upload.status,
        "error": upload.error,
        "status_url": reverse("videos:upload-status", args=[pk]),
        "chunk_url": reverse("videos:upload-chunk", args=[pk]),
        "finish_url": reverse("videos:upload-finish", args=[pk]),
        "cancel_url": reverse("videos:upload-cancel", args=[pk]),
    }


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        sent = request.content_type or "no type"
        raise UploadError(f"send the upload's description as application/json, not {sent}")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise UploadError(f"the request is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise UploadError("the request must be a JSON object")
    return data


@require_GET
@role_required(Role.CURATOR)
def upload_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    benchmark = Benchmark.objects.default()
    return render(
        request,
        "videos/upload.html",
        {
            "benchmark": benchmark,
            "unfinished": uploads_unfinished(request.user, benchmark=benchmark)[:20],
            "chunk_size": settings.UPLOAD_CHUNK_BYTES,
            "video_limit": human_size(settings.VIDEO_UPLOAD_MAX_BYTES),
            "document_limit": human_size(settings.DOCUMENT_UPLOAD_MAX_BYTES),
            "video_types": EXTENSIONS[UploadKind.VIDEO],
            "transcript_types": EXTENSIONS[UploadKind.TRANSCRIPT],
            "manuscript_types": EXTENSIONS[UploadKind.MANUSCRIPT],
        },
    )


@require_POST
@role_required(Role.CURATOR)
def upload_start(request: AuthenticatedHttpRequest) -> JsonResponse:
    try:
        data = _json_body(request)
        upload = upload_create(
            user=request.user,
            benchmark=Benchmark.objects.default(),
            kind=str(data.get("kind", "")),
            name=str(data.get("name", "")),
            size=data.get("size"),
            video_id=str(data.get("video_id", "")).strip(),
            replace=data.get("replace") is True,
        )
    except UploadError as exc:
        return _error(exc)
    return JsonResponse(_describe(upload), status=201)


@require_http_methods(["GET", "HEAD"])
@role_required(Role.CURATOR)
def upload_status(request: AuthenticatedHttpRequest, upload_id: UUID) -> JsonResponse:
    upload = upload_get_for_user(request.user, upload_id)
    response = JsonResponse(_describe(upload))
    response["Upload-Offset"] = str(upload.received_bytes)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["PUT"])
@role_required(Role.CURATOR)
def upload_chunk(request: AuthenticatedHttpRequest, upload_id: UUID) -> JsonResponse:
    upload = upload_get_for_user(request.user, upload_id)
    match = CONTENT_RANGE.match(request.headers.get("Content-Range", "").strip())
    if match is None:
        return _error(UploadError("send the chunk with a Content-Range: bytes start-end/total"))
    start, end, total = (int(group) for group in match.groups())
    if end < start:
        return _error(UploadError(f"the range {start}-{end} ends before it starts"))
    length = end - start + 1
    declared = request.headers.get("Content-Length", "")
    if not (declared.isascii() and declared.isdigit()) or len(declared) > 20:
        return _error(UploadError("send the chunk with a Content-Length", status=411))
    if int(declared) != length:
        return _error(UploadError(f"the body is {declared} bytes but the range covers {length}"))
    try:
        # The body is read from the request stream a piece at a time, never as a whole.
        upload = upload_write_chunk(
            upload=upload, offset=start, length=length, total=total, body=request
        )
    except UploadError as exc:
        return _error(exc)
    response = JsonResponse(_describe(upload))
    response["Upload-Offset"] = str(upload.received_bytes)
    return response


def _document(request: HttpRequest, data: dict[str, Any], kind: str) -> Upload | None:
    """The caller's own upload named by `data[kind]`, if any."""
    value = data.get(kind)
    if not value:
        return None
    try:
        upload_id = UUID(str(value))
    except ValueError:
        raise UploadError(f"the {kind} must be an upload id, not {value!r}") from None
    try:
        return upload_get_for_user(request.user, upload_id)
    except Http404:
        raise UploadError(f"no {kind} upload {upload_id}", status=404) from None


@require_POST
@role_required(Role.CURATOR)
def upload_finish_view(request: AuthenticatedHttpRequest, upload_id: UUID) -> JsonResponse:
    upload = upload_get_for_user(request.user, upload_id)
    try:
        data = _json_body(request)
        finished = upload_finish(
            upload=upload,
            transcript=_document(request, data, "transcript"),
            manuscript=_document(request, data, "manuscript"),
        )
    except UploadError as exc:
        return _error(exc)
    video = finished.video
    messages.success(
        request,
        f"{upload.original_name} is video {video.video_id}: {video.duration:.1f} s at "
        f"{video.fps:g} fps" + ("" if finished.created else " (file replaced)"),
    )
    for warning in finished.warnings:
        messages.warning(request, warning)
    return JsonResponse(
        {
            **_describe(upload),
            "video_id": video.video_id,
            "video_url": reverse("videos:detail", args=[video.pk]),
            "warnings": finished.warnings,
        }
    )


@require_POST
@role_required(Role.CURATOR)
def upload_cancel_view(request: AuthenticatedHttpRequest, upload_id: UUID) -> HttpResponse:
    upload = upload_get_for_user(request.user, upload_id)
    try:
        upload_cancel(upload=upload)
    except UploadError as exc:
        if "application/json" in request.headers.get("Accept", ""):
            return _error(exc)
        messages.error(request, str(exc))
        return redirect("videos:upload")
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(_describe(upload))
    messages.success(request, f"Cancelled the upload of {upload.original_name}.")
    return redirect("videos:upload")
