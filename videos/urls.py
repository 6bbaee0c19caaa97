from __future__ import annotations

from django.urls import path

from videos import views
from videos.uploads import views as uploads

app_name = "videos"
urlpatterns = [
    path("", views.video_list, name="list"),
    path("upload/", uploads.upload_page, name="upload"),
    path("uploads/", uploads.upload_start, name="upload-create"),
    path("uploads/<uuid:upload_id>", uploads.upload_status, name="upload-status"),
    path("uploads/<uuid:upload_id>/chunk", uploads.upload_chunk, name="upload-chunk"),
    path("uploads/<uuid:upload_id>/finish", uploads.upload_finish_view, name="upload-finish"),
    path("uploads/<uuid:upload_id>/cancel", uploads.upload_cancel_view, name="upload-cancel"),
    path("<int:pk>/", views.video_detail, name="detail"),
    path("<int:pk>/media/<str:kind>", views.video_media, name="media"),
]
