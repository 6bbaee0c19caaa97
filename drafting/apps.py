from __future__ import annotations

from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "drafting"
    verbose_name = "LLM drafting"

    def ready(self) -> None:
        # The lower layers' pages show drafting's part through these hooks; they never import
        # drafting themselves.
        from drafting.registrations import question_draft_origin, video_rows_latest_job
        from reviews.page_parts import question_context_register
        from videos.page_parts import video_rows_decoration_register

        video_rows_decoration_register(video_rows_latest_job)
        question_context_register(question_draft_origin)
