"""The releases' part of the REST API, included under /api/ (namespace `api`)."""

from __future__ import annotations

from django.urls import path

from releases import views

urlpatterns = [
    path(
        "releases/<str:name>/<str:version>/<str:filename>",
        views.release_download,
        name="release-download",
    ),
]
