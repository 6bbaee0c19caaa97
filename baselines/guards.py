"""What open studies tell `videos.guards`: a video an open study shows keeps its file.

Registered in the app's `AppConfig.ready()`; the videos app asks through its registry.
"""

from __future__ import annotations

from baselines.seal import open_studies
from releases.models import ReleaseItem
from videos.models import Video


def studies_showing_video(video: Video) -> list[str]:
    """The open baseline studies with an item of `video`: one phrase naming them."""
    names = sorted(
        study.name
        for study in open_studies(benchmark_id=video.benchmark_id)
        if ReleaseItem.objects.filter(study.items_q(), video_id=video.video_id).exists()
    )
    if not names:
        return []
    label = "study" if len(names) == 1 else "studies"
    return [f"the open baseline {label} {', '.join(names)}"]
