"""What frozen releases tell `videos.guards`: a video any release carries keeps its file.

Registered in the app's `AppConfig.ready()`; the videos app asks through its registry.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from releases.models import Release, ReleaseItem, ReleaseStatus
from releases.ordering import natural_key, version_key
from videos.models import Video


def releases_holding_video(video: Video) -> list[str]:
    """The releases, sealed or deprecated, with an item of `video`: one phrase naming them."""
    rows = list(
        Release.objects.filter(benchmark_id=video.benchmark_id)
        .filter(Exists(ReleaseItem.objects.filter(release=OuterRef("pk"), video_id=video.video_id)))
        .values_list("name", "version", "status")
    )
    if not rows:
        return []
    rows.sort(key=lambda row: (natural_key(row[0]), version_key(row[1])))
    names = [
        f"{name} {version}" + (" (deprecated)" if status == ReleaseStatus.DEPRECATED else "")
        for name, version, status in rows
    ]
    label = "release" if len(names) == 1 else "releases"
    return [f"the frozen {label} {', '.join(names)}"]
