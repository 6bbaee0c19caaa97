from __future__ import annotations

from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Frozen releases"

    def ready(self) -> None:
        # The videos app refuses to replace a file a release was frozen over; it asks through
        # this hook and never imports the releases.
        from releases.guards import releases_holding_video
        from videos.guards import replacement_guard_register

        replacement_guard_register(releases_holding_video)
