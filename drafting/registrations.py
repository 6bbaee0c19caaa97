"""What drafting gives the pages of the layers below, registered from `DraftingConfig.ready()`:
each video's latest job on the list of videos (for curators), and a question's draft origin on
its review page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drafting.models import Draft
from drafting.selectors import latest_jobs_by_video
from reviews.models import Question
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import has_role


def video_rows_latest_job(user: Any, videos: Sequence[Any]) -> None:
    """Set `latest_job` on each video (`Video`) of a page of the list, for curators (who draft)."""
    if not has_role(user, Role.CURATOR):
        return
    latest = latest_jobs_by_video([video.pk for video in videos])
    for video in videos:
        video.latest_job = latest.get(video.pk)


def question_draft_origin(question: Question) -> dict[str, Any]:
    """Where an LLM draft came from: its job, model and prompt versions, and its checks."""
    origin = Draft.objects.filter(question=question).select_related("job").first()
    if origin is None:
        return {"draft_origin": None, "draft_prompts": []}
    prompts = sorted(set(origin.job.calls.values_list("prompt_name", "prompt_version")))
    return {"draft_origin": origin, "draft_prompts": prompts}
