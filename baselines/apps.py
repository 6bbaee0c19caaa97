from __future__ import annotations

from django.apps import AppConfig


class BaselinesConfig(AppConfig):
    name = "baselines"
    verbose_name = "Human baseline and leaderboard"
