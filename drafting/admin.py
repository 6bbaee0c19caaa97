"""Read-only admin views of drafting jobs and their calls, for curators digging into a run."""

from __future__ import annotations

from django.contrib import admin

from drafting.models import Draft, DraftJob, DraftStage, LLMCall
from sciannot.admin_views import ViewOnlyAdmin


@admin.register(DraftJob)
class DraftJobAdmin(ViewOnlyAdmin):
    list_display = ("pk", "video", "status", "model", "calls_made", "drafts_created", "created_at")
    list_filter = ("status", "provider")


@admin.register(DraftStage)
class DraftStageAdmin(ViewOnlyAdmin):
    list_display = ("job", "name", "status", "attempts", "lease_until")
    list_filter = ("status", "name")


@admin.register(LLMCall)
class LLMCallAdmin(ViewOnlyAdmin):
    list_display = ("job", "key", "prompt_name", "prompt_version", "status", "retries", "cost")
    list_filter = ("status", "prompt_name")


@admin.register(Draft)
class DraftAdmin(ViewOnlyAdmin):
    list_display = ("job", "index", "question")
