"""The Django admin, installed with sciannot's site (loaded once the apps are ready)."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class SciannotAdminConfig(AdminConfig):
    default_site = "sciannot.admin_views.SealedAdminSite"
