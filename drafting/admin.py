"""Read-only admin views of drafting jobs and their calls, for curators digging into a run."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from drafting.models import Draft, DraftJob, DraftStage, LLMCall


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DraftJob)
class DraftJobAdmin(ReadOnly):
    list_display = ("pk", "video", "status", "model", "calls_made", "drafts_created", "created_at")
    list_filter = ("status", "provider")


@admin.register(DraftStage)
class DraftStageAdmin(ReadOnly):
    list_display = ("job", "name", "status", "attempts", "lease_until")
    list_filter = ("status", "name")


@admin.register(LLMCall)
class LLMCallAdmin(ReadOnly):
    list_display = ("job", "key", "prompt_name", "prompt_version", "status", "retries", "cost")
    list_filter = ("status", "prompt_name")


@admin.register(Draft)
class DraftAdmin(ReadOnly):
    list_display = ("job", "index", "question")
