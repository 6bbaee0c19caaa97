"""Studies, answers and model runs in the admin: to look at and search. Answers and
predictions are final records (the scores are counted from them), so nothing here changes or
deletes them; a study is closed from its page, which keeps the seal on its keys honest."""

from __future__ import annotations

from django.contrib import admin

from baselines.models import Answer, ModelRun, Participation, Prediction, Study
from sciannot.admin_views import ViewOnlyAdmin


class ParticipationInline(admin.TabularInline[Participation, Study]):
    model = Participation
    extra = 0
    can_delete = False
    fields = ("evaluator", "started_at", "finished_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Study)
class StudyAdmin(ViewOnlyAdmin):
    list_display = (
        "name",
        "release",
        "split",
        "status",
        "show_video",
        "time_limit",
        "sample_size",
        "created_by",
        "created_at",
        "closed_at",
    )
    list_filter = ("status", "show_video", "benchmark")
    search_fields = ("name", "release__name")
    list_select_related = ("release", "created_by")
    exclude = ("items",)
    inlines = [ParticipationInline]


@admin.register(Participation)
class ParticipationAdmin(ViewOnlyAdmin):
    list_display = ("evaluator", "study", "started_at", "finished_at")
    list_filter = ("study__status", "study")
    search_fields = ("evaluator__username", "study__name")
    list_select_related = ("evaluator", "study")
    exclude = ("order",)


@admin.register(Answer)
class AnswerAdmin(ViewOnlyAdmin):
    list_display = (
        "participation",
        "position",
        "letter",
        "correct",
        "timed_out",
        "seconds",
        "answered_at",
    )
    list_filter = ("correct", "timed_out", "participation__study")
    search_fields = ("participation__evaluator__username", "participation__study__name")
    list_select_related = ("participation__evaluator", "participation__study")


@admin.register(ModelRun)
class ModelRunAdmin(ViewOnlyAdmin):
    list_display = ("model", "release", "split", "format", "lines", "imported_by", "imported_at")
    list_filter = ("format", "release")
    search_fields = ("model", "file_name", "release__name")
    list_select_related = ("release", "imported_by")


@admin.register(Prediction)
class PredictionAdmin(ViewOnlyAdmin):
    list_display = (
        "run",
        "item",
        "question_type",
        "category",
        "missing",
        "official_letter",
        "official_correct",
        "official_guessed",
        "careful_letter",
        "careful_correct",
    )
    list_filter = ("missing", "careful_correct", "official_correct", "question_type", "category")
    search_fields = ("run__model", "item__uid")
    list_select_related = ("run", "item")
