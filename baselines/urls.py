from __future__ import annotations

from django.urls import path

from baselines import views

app_name = "baselines"
urlpatterns = [
    path("", views.baseline_home, name="home"),
    path("<int:pk>/", views.baseline_answer, name="answer"),
    path("studies/new/", views.study_new, name="new"),
    path("studies/<int:pk>/", views.study_detail, name="study"),
    path("studies/<int:pk>/close", views.study_close_view, name="close"),
]
