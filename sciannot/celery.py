"""The Celery application; its configuration comes from the `CELERY_*` Django settings."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

from sciannot.env import env_str

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciannot.settings")

app = Celery("sciannot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


if env_str("LOG_FORMAT", "plain") == "json":

    @setup_logging.connect
    def keep_django_logging(**kwargs: Any) -> None:
        """Leave logging as Django's `LOGGING` set it up, so task logs are JSON lines too.

        Any receiver of this signal stops Celery from installing its own text handlers.
        """
