"""The drafting form's estimate: calls and cost summed over one job per chosen video."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from drafting.estimate import Estimate, jobs_estimate
from drafting.pricing import estimate_job
from drafting.services import JobRequest, context_tokens

pytestmark = pytest.mark.django_db


def test_one_video_is_one_job(llm_settings: Any, draft_video: Any) -> None:
    calls, cost = estimate_job(
        model="fake-model", count=3, context_tokens=context_tokens(draft_video)
    )
    estimate = jobs_estimate([draft_video], JobRequest(count=3))
    assert estimate == Estimate(calls=calls, cost=cost, model="fake-model", priced=True)
    assert estimate.calls == 1 + 2 * 3 + 3 * 2


def test_videos_add_up(llm_settings: Any, draft_video: Any) -> None:
    one = jobs_estimate([draft_video], JobRequest(count=2))
    two = jobs_estimate([draft_video, draft_video], JobRequest(count=2))
    assert one.calls is not None and one.cost is not None and one.cost > 0
    assert two.calls == 2 * one.calls and two.cost == 2 * one.cost


def test_an_unpriced_model_has_calls_but_no_cost(llm_settings: Any, draft_video: Any) -> None:
    estimate = jobs_estimate([draft_video], JobRequest(count=1, model="unpriced"))
    assert estimate.calls == 1 + 2 + 3
    assert estimate.cost is None and estimate.model == "unpriced" and not estimate.priced


def test_no_videos_cost_nothing(llm_settings: Any) -> None:
    assert jobs_estimate([], JobRequest(count=5)) == Estimate(
        calls=0, cost=Decimal("0"), model="fake-model", priced=True
    )
