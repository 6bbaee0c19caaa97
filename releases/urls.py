from __future__ import annotations

from django.urls import path

from releases import pages

app_name = "releases"
urlpatterns = [
    path("", pages.release_list, name="list"),
    path("new/", pages.release_new, name="new"),
    path("rebalance", pages.release_rebalance, name="rebalance"),
    path("<int:pk>/", pages.release_detail, name="detail"),
    path("<int:pk>/access", pages.release_access, name="access"),
    path("<int:pk>/deprecate", pages.release_deprecate, name="deprecate"),
]
