from __future__ import annotations

from django.apps import AppConfig


class BaselinesConfig(AppConfig):
    name = "baselines"
    verbose_name = "Human baseline and leaderboard"

    def ready(self) -> None:
        # The lower layers ask whether keys are sealed through this hook; they never import
        # the studies themselves.
        from baselines.seal import StudySeal
        from sciannot.seal import seal_register

        seal_register(StudySeal())
