"""Account pages, mounted at /accounts/ beside Django's sign-in and password views."""

from __future__ import annotations

from django.urls import path

from sciannot.accounts import views

app_name = "accounts"
urlpatterns = [
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:pk>/revoke", views.invitation_revoke_view, name="invitation-revoke"),
    path("invite/<str:token>/", views.invitation_accept_view, name="invite"),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/active", views.user_active, name="user-active"),
    path("token/", views.token_page, name="token"),
]
