"""The Celery application; its configuration comes from the `CELERY_*` Django settings."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciannot.settings")

app = Celery("sciannot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
