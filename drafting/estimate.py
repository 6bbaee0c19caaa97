"""The estimate shown on the drafting form before a job starts: how many LLM calls and what
they would cost for the chosen videos, summed over one job per video."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from drafting.pricing import estimate_job, price_of
from drafting.services import JobRequest, context_tokens
from videos.models import Video


@dataclass(frozen=True)
class Estimate:
    """`calls` None: no estimate (the form does not hold yet). `cost` None: some video's
    cost is unknown (the model has no price in `LLM_PRICES`)."""

    calls: int | None = None
    cost: Decimal | None = None
    model: str = ""
    priced: bool = False


def jobs_estimate(videos: Iterable[Video], request: JobRequest) -> Estimate:
    """The calls and cost of drafting `request` for each of `videos` (the deployment's model
    when the request names none)."""
    model = request.model or settings.LLM_MODEL
    calls = 0
    cost: Decimal | None = Decimal("0")
    for video in videos:
        video_calls, video_cost = estimate_job(
            model=model, count=request.count, context_tokens=context_tokens(video)
        )
        calls += video_calls
        cost = None if cost is None or video_cost is None else cost + video_cost
    return Estimate(calls=calls, cost=cost, model=model, priced=price_of(model) is not None)
