"""Releases in the admin: to look at, never to change (the database refuses changes anyway)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from releases.models import Release, ReleaseFile, ReleaseItem


class ViewOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Release)
class ReleaseAdmin(ViewOnly):
    list_display = ("name", "version", "status", "access", "frozen_at", "frozen_by")
    list_filter = ("status", "access")
    search_fields = ("name", "version")


@admin.register(ReleaseItem)
class ReleaseItemAdmin(ViewOnly):
    list_display = ("release", "split", "position", "uid", "video_id", "question_id")
    search_fields = ("uid", "video_id")
    list_select_related = ("release",)


@admin.register(ReleaseFile)
class ReleaseFileAdmin(ViewOnly):
    list_display = ("release", "split", "format", "size", "sha256")
