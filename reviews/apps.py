from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Questions and reviews"

    def ready(self) -> None:
        # The video layer and the accounts ask about questions through these hooks; they never
        # import the questions themselves.
        from reviews.registrations import (
            question_disciplines,
            questions_past_end_count,
            questions_release_of,
            reviewer_videos_q,
            video_questions_context,
            videos_with_question_counts,
        )
        from sciannot.accounts.hooks import disciplines_in_use_register, work_release_register
        from sciannot.accounts.models import Role
        from videos.page_parts import (
            video_detail_context_register,
            video_list_annotation_register,
        )
        from videos.past_end import past_end_count_register
        from videos.scoping import video_scope_register

        # Reviewers see the videos in their field and those of the questions in their field.
        video_scope_register(Role.REVIEWER, reviewer_videos_q)
        video_list_annotation_register(videos_with_question_counts)
        video_detail_context_register(video_questions_context)
        past_end_count_register(questions_past_end_count)
        # A reviewer may cover a discipline questions use; deactivation frees their questions.
        disciplines_in_use_register(question_disciplines)
        work_release_register(questions_release_of)
