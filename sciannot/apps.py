"""sciannot's own app (start-up work) and the Django admin, installed with sciannot's site."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class SciannotConfig(AppConfig):
    name = "sciannot"
    verbose_name = "sciannot"

    def ready(self) -> None:
        from sciannot.folders import create_local_folders

        create_local_folders()


class SciannotAdminConfig(AdminConfig):
    """The admin, loaded once the apps are ready."""

    default_site = "sciannot.admin_views.SealedAdminSite"
