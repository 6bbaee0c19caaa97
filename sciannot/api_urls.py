"""The REST API under /api/ (namespace `api`): each app's part, and the OpenAPI schema.

The apps' parts are included by name, so this bottom layer imports none of them.
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

app_name = "api"
urlpatterns = [
    # The baselines' routes come before the releases' `<filename>` route, which would match them.
    path("", include("baselines.api_urls")),
    path("", include("releases.api_urls")),
    path("", include("reviews.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
