from __future__ import annotations

from django.urls import path

from drafting import views

app_name = "drafting"
urlpatterns = [
    path("new/", views.job_new, name="new"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/cancel", views.job_cancel_view, name="cancel"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
]
