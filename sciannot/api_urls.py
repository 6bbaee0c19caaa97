"""The REST API under /api/ (namespace `api`): each app's part, the OpenAPI schema and its
readable reference (Swagger UI and Redoc: sciannot/api_docs.py).

The apps' parts are included by name, so this bottom layer imports none of them.
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from sciannot.api_docs import redoc_page, swagger_page

app_name = "api"
urlpatterns = [
    # The baselines' routes come before the releases' `<filename>` route, which would match them.
    path("", include("baselines.api_urls")),
    path("", include("releases.api_urls")),
    path("", include("reviews.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The same audience as the schema (sciannot.settings SPECTACULAR_SETTINGS).
    path("docs/", swagger_page, name="docs"),
    path("redoc/", redoc_page, name="redoc"),
]
