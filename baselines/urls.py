from __future__ import annotations

from django.urls import path

from baselines import board_views, views

app_name = "baselines"
urlpatterns = [
    path("", views.baseline_home, name="home"),
    path("<int:pk>/", views.baseline_answer, name="answer"),
    path("studies/new/", views.study_new, name="new"),
    path("studies/<int:pk>/", views.study_detail, name="study"),
    path("studies/<int:pk>/close", views.study_close_view, name="close"),
]

# Mounted at /leaderboard/, namespace `leaderboard`.
leaderboard_patterns = [
    path("", board_views.board_index, name="index"),
    path("<int:pk>/<str:split>/", board_views.board_detail, name="board"),
    path("<int:pk>/<str:split>/import", board_views.board_import, name="import"),
    path(
        "<int:pk>/<str:split>/runs/<int:run>/remove",
        board_views.board_remove,
        name="remove",
    ),
]
