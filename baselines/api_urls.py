"""The baselines' part of the REST API, included under /api/ (namespace `api`)."""

from __future__ import annotations

from django.urls import path

from baselines.api import LeaderboardView, PredictionsView

# Before the releases' `<filename>` route, which would otherwise take these two names.
urlpatterns = [
    path(
        "releases/<str:name>/<str:version>/predictions",
        PredictionsView.as_view(),
        name="predictions",
    ),
    path(
        "releases/<str:name>/<str:version>/leaderboard",
        LeaderboardView.as_view(),
        name="leaderboard",
    ),
]
