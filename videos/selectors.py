"""Reads of videos, always scoped to what the person asking may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from sciannot.accounts.models import Role
from sciannot.accounts.permissions import has_role
from videos.models import Benchmark, Upload, UploadKind, UploadStatus, Video
from videos.scoping import visible_videos


def videos_for_user(user: Any, *, benchmark: Benchmark | None = None) -> QuerySet[Video]:
    queryset = Video.objects.select_related("benchmark")
    if benchmark is not None:
        queryset = queryset.filter(benchmark=benchmark)
    return visible_videos(user, queryset)


def search_videos(queryset: QuerySet[Video], text: str) -> QuerySet[Video]:
    """Videos whose id, title, subject or transcript mentions `text` (case-insensitive)."""
    return queryset.filter(
        Q(video_id__icontains=text)
        | Q(title__icontains=text)
        | Q(subject__icontains=text)
        | Q(transcript__text__icontains=text)
    )


def video_get_for_user(user: Any, pk: int) -> Video:
    """The video with `pk` if `user` may see it; 404 otherwise (never reveal it exists)."""
    video = videos_for_user(user).filter(pk=pk).first()
    if video is None:
        raise Http404("No such video.")
    return video


def uploads_for_user(user: Any) -> QuerySet[Upload]:
    """A curator's own uploads; nobody else's, not even another curator's."""
    if not has_role(user, Role.CURATOR):
        return Upload.objects.none()
    return Upload.objects.filter(created_by=user)


def upload_get_for_user(user: Any, upload_id: UUID | str) -> Upload:
    """The upload if `user` started it; 404 otherwise."""
    upload = uploads_for_user(user).filter(pk=upload_id).first()
    if upload is None:
        raise Http404("No such upload.")
    return upload


def uploads_unfinished(user: Any, *, benchmark: Benchmark) -> QuerySet[Upload]:
    """Video uploads the user can still resume or finish."""
    return uploads_for_user(user).filter(
        benchmark=benchmark,
        kind=UploadKind.VIDEO,
        status__in=[UploadStatus.RECEIVING, UploadStatus.RECEIVED],
    )


def videos_file_checksums(
    *, benchmark_id: int, video_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Each video's stored file as a release records it: `{"sha256", "bytes"}`, both None for
    a video that has no file yet.

    Inside a transaction on PostgreSQL the rows stay share-locked until it ends: a file
    replacement, which locks its video for update before checking which releases hold it,
    then waits, and so can never slip between this read and the release's commit.
    """
    rows = (
        Video.objects.filter(benchmark_id=benchmark_id, video_id__in=sorted(set(video_ids)))
        .order_by("video_id")
        .values_list("video_id", "original", "sha256", "size")
    )
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} FOR SHARE", params)
            found = cursor.fetchall()
    else:
        # SQLite runs one writing transaction at a time: nothing can change the rows meanwhile.
        found = list(rows)
    return {
        video_id: {"sha256": sha256 or None, "bytes": size}
        if original
        else {"sha256": None, "bytes": None}
        for video_id, original, sha256, size in found
    }
