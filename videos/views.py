"""Pages about videos, and the media endpoint that streams their bytes."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from sciannot.accounts.models import Role
from sciannot.accounts.permissions import has_role, role_required
from sciannot.pagination import CachedCountPaginator
from videos.models import Benchmark
from videos.page_parts import video_detail_context, video_list_annotate, video_rows_decorate
from videos.selectors import search_videos, video_get_for_user, videos_for_user
from videos.streaming import accel_redirect_response, ranged_file_response

MEDIA_KINDS = ("original", "playable", "poster", "thumbnails", "video")
VIDEOS_PER_PAGE = 100


@require_GET
@role_required(Role.CURATOR, Role.REVIEWER)
def video_list(request: HttpRequest) -> HttpResponse:
    benchmark = Benchmark.objects.default()
    search = request.GET.get("q", "").strip()
    videos = video_list_annotate(videos_for_user(request.user, benchmark=benchmark))
    if search:
        videos = search_videos(videos, search)
    page = CachedCountPaginator(videos.order_by("video_id"), VIDEOS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    video_rows_decorate(request.user, list(page))
    can_draft = has_role(request.user, Role.CURATOR)
    return render(
        request,
        "videos/video_list.html",
        {
            "videos": page,
            "page": page,
            "benchmark": benchmark,
            "search": search,
            "can_draft": can_draft,
        },
    )


@require_GET
@role_required(Role.CURATOR, Role.REVIEWER)
def video_detail(request: HttpRequest, pk: int) -> HttpResponse:
    video = video_get_for_user(request.user, pk)
    transcript = getattr(video, "transcript", None)
    manuscript = getattr(video, "manuscript", None)
    return render(
        request,
        "videos/video_detail.html",
        {
            "video": video,
            "cues": list(transcript.cues.all()) if transcript else [],
            "manuscript": manuscript,
            **video_detail_context(request.user, video),
        },
    )


@require_http_methods(["GET", "HEAD"])
@role_required(Role.CURATOR, Role.REVIEWER, Role.EVALUATOR)
def video_media(request: HttpRequest, pk: int, kind: str) -> HttpResponse | StreamingHttpResponse:
    """The video's bytes (with Range support), its poster or its thumbnail strip, for people
    allowed to see it.

    `video` is whichever file the browser should play: the playable copy when there is one.
    """
    if kind not in MEDIA_KINDS:
        raise Http404("No such media.")
    video = video_get_for_user(request.user, pk)
    if kind == "video":
        field_file = video.playable or video.original
    else:
        field_file = getattr(video, kind)
    if not field_file:
        raise Http404("This video has no such file yet.")
    content_type = mimetypes.guess_type(field_file.name or "")[0] or "application/octet-stream"
    if settings.MEDIA_SERVING == "s3":
        # A short-lived signed URL: the object store serves the bytes and the ranges.
        return HttpResponseRedirect(field_file.url)
    if settings.MEDIA_SERVING == "nginx":
        return accel_redirect_response(
            field_file, content_type=content_type, prefix=settings.MEDIA_ACCEL_PREFIX
        )
    return ranged_file_response(
        request, field_file, content_type=content_type, version=video.sha256
    )
