"""The reviews' part of the REST API, included under /api/ (namespace `api`)."""

from __future__ import annotations

from django.urls import path

from reviews.api.views import QuestionListView

urlpatterns = [
    path("questions/", QuestionListView.as_view(), name="questions"),
]
