"""URL routes: pages, the REST API and its schema, accounts and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from baselines.api import LeaderboardView, PredictionsView
from baselines.urls import leaderboard_patterns
from releases import views as release_views
from reviews import views as review_views
from reviews.api.views import QuestionListView

api_patterns = [
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
    path(
        "releases/<str:name>/<str:version>/<str:filename>",
        release_views.release_download,
        name="release-download",
    ),
    path("questions/", QuestionListView.as_view(), name="questions"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]

# Under /api/, an unknown URL answers JSON as the API does.
handler404 = "sciannot.errors.not_found"
handler403 = "sciannot.errors.forbidden"

urlpatterns = [
    path("", review_views.home, name="home"),
    path("videos/", include("videos.urls")),
    path("questions/", include("reviews.urls")),
    path("drafting/", include("drafting.urls")),
    path("releases/", include("releases.urls")),
    path("baseline/", include("baselines.urls")),
    path("leaderboard/", include((leaderboard_patterns, "leaderboard"))),
    path("api/", include((api_patterns, "api"))),
    path("accounts/", include("sciannot.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
