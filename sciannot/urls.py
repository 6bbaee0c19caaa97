"""URL routes: pages, the REST API and its schema, accounts and the admin.

Every app's routes are included by name (`include("app.urls")`), so this bottom-layer module
imports no app above it.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

# The site's error pages in its layout; JSON under /api/ as the API answers (sciannot.errors).
handler404 = "sciannot.errors.not_found"
handler403 = "sciannot.errors.forbidden"
handler500 = "sciannot.errors.server_error"

urlpatterns = [
    path("", include("reviews.home_urls")),
    path("videos/", include("videos.urls")),
    path("questions/", include("reviews.urls")),
    path("drafting/", include("drafting.urls")),
    path("releases/", include("releases.urls")),
    path("baseline/", include("baselines.urls")),
    path("leaderboard/", include("baselines.leaderboard_urls")),
    path("api/", include("sciannot.api_urls")),
    path("accounts/", include("sciannot.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
