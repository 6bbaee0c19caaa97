from __future__ import annotations

from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = "Benchmarks and videos"
