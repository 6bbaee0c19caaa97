"""The home page (`/`, name `home`): each role's start, drawn by the reviews app."""

from __future__ import annotations

from django.urls import path

from reviews import views

urlpatterns = [
    path("", views.home, name="home"),
]
