"""The leaderboard pages, mounted at /leaderboard/ (namespace `leaderboard`)."""

from __future__ import annotations

from django.urls import path

from baselines import analysis_views, board_views, eval_views

app_name = "leaderboard"
urlpatterns = [
    path("", board_views.board_index, name="index"),
    path("<int:pk>/<str:split>/", board_views.board_detail, name="board"),
    path("<int:pk>/<str:split>/analysis/", analysis_views.analysis_detail, name="analysis"),
    path(
        "<int:pk>/<str:split>/analysis/send-back",
        analysis_views.analysis_send_back_view,
        name="analysis-send-back",
    ),
    path("<int:pk>/<str:split>/import", board_views.board_import, name="import"),
    path(
        "<int:pk>/<str:split>/runs/<int:run>/remove",
        board_views.board_remove,
        name="remove",
    ),
    path("<int:pk>/<str:split>/evaluate", eval_views.evaluation_new, name="evaluate"),
    path("evaluations/<int:pk>/", eval_views.evaluation_detail, name="evaluation"),
    path(
        "evaluations/<int:pk>/cancel", eval_views.evaluation_cancel_view, name="evaluation_cancel"
    ),
    path(
        "evaluations/<int:pk>/calls/<int:call>/",
        eval_views.evaluation_call,
        name="evaluation_call",
    ),
]
