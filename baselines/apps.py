from __future__ import annotations

from django.apps import AppConfig


class BaselinesConfig(AppConfig):
    name = "baselines"
    verbose_name = "Human baseline and leaderboard"

    def ready(self) -> None:
        # The lower layers ask whether keys are sealed through this hook; they never import
        # the studies themselves.
        from baselines.guards import studies_showing_video
        from baselines.seal import StudySeal
        from sciannot.seal import seal_register
        from videos.guards import replacement_guard_register

        seal_register(StudySeal())
        # Nor may a video an open study shows get another file meanwhile.
        replacement_guard_register(studies_showing_video)
