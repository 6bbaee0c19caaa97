from __future__ import annotations

from django.contrib import admin

from sciannot.admin_views import ViewOnlyAdmin
from videos.guards import ReplacementRefused, video_check_replaceable
from videos.models import Benchmark, Manuscript, Transcript, TranscriptCue, Upload, Video


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin[Benchmark]):
    list_display = ["name", "title", "required_accepts", "created_at"]
    search_fields = ["name", "title"]


class TranscriptCueInline(admin.TabularInline[TranscriptCue, Transcript]):
    model = TranscriptCue
    extra = 0
    fields = ["index", "start", "end", "text"]


@admin.register(Transcript)
class TranscriptAdmin(admin.ModelAdmin[Transcript]):
    list_display = ["video", "source_name", "source_format", "updated_at"]
    search_fields = ["video__video_id", "text"]
    list_select_related = ["video"]
    inlines = [TranscriptCueInline]


@admin.register(Manuscript)
class ManuscriptAdmin(admin.ModelAdmin[Manuscript]):
    list_display = ["video", "title", "format", "source_name", "updated_at"]
    search_fields = ["video__video_id", "title", "text"]
    list_select_related = ["video"]


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin[Video]):
    list_display = [
        "video_id",
        "benchmark",
        "title",
        "discipline",
        "category",
        "duration",
        "media_status",
        "codec",
    ]
    list_filter = ["benchmark", "category", "discipline", "media_status", "codec"]
    search_fields = ["video_id", "title", "subject"]
    # Files change only through the upload page and import_videos, which probe and hash them
    # and refuse while releases or open studies rely on the bytes: a file set here would
    # keep the old checksum and facts, and bypass that refusal.
    readonly_fields = [
        "original",
        "playable",
        "poster",
        "thumbnails",
        "thumbnail_count",
        "file_replacement",
        "duration",
        "start_time",
        "fps",
        "width",
        "height",
        "codec",
        "audio_codec",
        "container",
        "variable_frame_rate",
        "size",
        "sha256",
        "source_name",
        "source_mtime",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="Replacing the file")
    def file_replacement(self, video: Video) -> str:
        try:
            video_check_replaceable(video=video)
        except ReplacementRefused as exc:
            return f"Refused: {exc}."
        return (
            "Upload the new file on the upload page with “replace” ticked, or run "
            "import_videos over a folder holding it."
        )


@admin.register(Upload)
class UploadAdmin(ViewOnlyAdmin):
    list_display = [
        "original_name",
        "kind",
        "video_id",
        "status",
        "received_bytes",
        "declared_size",
        "created_by",
        "expires_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["original_name", "video_id"]
    list_select_related = ["created_by"]
