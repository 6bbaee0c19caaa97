from __future__ import annotations

from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.question_list, name="list"),
    path("next/", views.queue_next, name="next"),
    path("adjudication/", views.adjudication, name="adjudication"),
    path("bulk/", views.questions_bulk, name="bulk"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<str:uid>/", views.question_detail, name="question"),
    path("<str:uid>/decide", views.question_decide, name="decide"),
    path("<str:uid>/edit", views.question_edit, name="edit"),
    path("<str:uid>/reopen", views.question_reopen, name="reopen"),
    path("<str:uid>/comment", views.question_comment, name="comment"),
    path("<str:uid>/solve", views.question_solve, name="solve"),
    path("<str:uid>/exemplar", views.question_exemplar, name="exemplar"),
    path("<str:uid>/restore/<int:number>", views.question_restore, name="restore"),
]
