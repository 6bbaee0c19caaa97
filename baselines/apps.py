from __future__ import annotations

from django.apps import AppConfig


class BaselinesConfig(AppConfig):
    name = "baselines"
    verbose_name = "Human baseline and leaderboard"

    def ready(self) -> None:
        # The lower layers ask whether keys are sealed through this hook; they never import
        # the studies themselves.
        from baselines.analysis_views import analysis_links, question_item_analysis
        from baselines.card import previous_analysis_section
        from baselines.guards import studies_showing_video
        from baselines.seal import StudySeal
        from baselines.services import study_videos_q
        from releases.card_parts import card_section_register
        from releases.page_parts import release_links_register
        from reviews.page_parts import question_context_register
        from sciannot.accounts.models import Role
        from sciannot.seal import seal_register
        from videos.guards import replacement_guard_register
        from videos.scoping import video_scope_register

        seal_register(StudySeal())
        # Evaluators stream the videos of their open studies, and no others.
        video_scope_register(Role.EVALUATOR, study_videos_q)
        # Nor may a video an open study shows get another file meanwhile.
        replacement_guard_register(studies_showing_video)
        # The release page links to each split's item analysis.
        release_links_register(analysis_links)
        # The next freeze's dataset card summarises the item analysis of the previous version.
        card_section_register(previous_analysis_section)
        # And a released question's review page shows its row of that analysis.
        question_context_register(question_item_analysis)
