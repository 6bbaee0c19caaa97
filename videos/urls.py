from __future__ import annotations

from django.urls import path

from videos import views

app_name = "videos"
urlpatterns = [
    path("", views.video_list, name="list"),
    path("<int:pk>/", views.video_detail, name="detail"),
    path("<int:pk>/media/<str:kind>", views.video_media, name="media"),
]
