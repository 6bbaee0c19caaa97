from __future__ import annotations

from django.contrib import admin

from reviews.models import EvidenceSpan, Option, Question, Revision


class OptionInline(admin.TabularInline[Option, Question]):
    model = Option
    extra = 0
    max_num = 10
    fields = ["letter", "text"]


class EvidenceSpanInline(admin.TabularInline[EvidenceSpan, Question]):
    model = EvidenceSpan
    extra = 0
    fields = ["order", "start", "end", "note", "origin"]


class RevisionInline(admin.TabularInline[Revision, Question]):
    model = Revision
    extra = 0
    can_delete = False
    fields = ("number", "author", "created_at", "reason", "changed_fields")
    readonly_fields = fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = [
        "uid",
        "video",
        "question_id",
        "question_type",
        "category",
        "status",
        "source",
        "updated_at",
    ]
    list_filter = ["status", "question_type", "category", "source", "video__benchmark"]
    search_fields = ["uid", "text", "video__video_id", "question_id"]
    list_select_related = ["video"]
    raw_id_fields = ["video"]
    readonly_fields = ["uid", "text_key", "content_hash", "version", "created_at", "updated_at"]
    inlines = [OptionInline, EvidenceSpanInline, RevisionInline]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin[Revision]):
    list_display = ["question", "number", "author", "reason", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["question__uid", "reason"]
    raw_id_fields = ["question", "author"]
    readonly_fields = [
        "question",
        "number",
        "author",
        "created_at",
        "reason",
        "snapshot",
        "changed_fields",
    ]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        # History is append-only.
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
