"""Releases in the admin: to look at, never to change (the database refuses changes anyway)."""

from __future__ import annotations

from django.contrib import admin

from releases.models import Release, ReleaseFile, ReleaseItem
from sciannot.admin_views import ViewOnlyAdmin


@admin.register(Release)
class ReleaseAdmin(ViewOnlyAdmin):
    list_display = ("name", "version", "status", "access", "frozen_at", "frozen_by")
    list_filter = ("status", "access")
    search_fields = ("name", "version")


@admin.register(ReleaseItem)
class ReleaseItemAdmin(ViewOnlyAdmin):
    list_display = ("release", "split", "position", "uid", "video_id", "question_id")
    search_fields = ("uid", "video_id")
    list_select_related = ("release",)


@admin.register(ReleaseFile)
class ReleaseFileAdmin(ViewOnlyAdmin):
    list_display = ("release", "split", "format", "size", "sha256")
