"""List totals are cached briefly per query; the rows are not."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sciannot.pagination import CachedCountPaginator, cached_count
from videos.models import Video

pytestmark = pytest.mark.django_db


def test_a_count_is_computed_once_per_query_and_filter(benchmark: Any) -> None:
    Video.objects.create(benchmark=benchmark, video_id="a")
    assert cached_count(Video.objects.all()) == 1
    Video.objects.create(benchmark=benchmark, video_id="b")
    with CaptureQueriesContext(connection) as captured:
        assert cached_count(Video.objects.all()) == 1  # remembered
    assert len(captured.captured_queries) == 0
    assert cached_count(Video.objects.filter(video_id="b")) == 1  # another query
    assert cached_count(Video.objects.none()) == 0


def test_the_paginator_pages_fresh_rows_with_a_cached_total(benchmark: Any) -> None:
    for n in range(3):
        Video.objects.create(benchmark=benchmark, video_id=f"v{n}")
    first = CachedCountPaginator(Video.objects.order_by("video_id"), 2).get_page(1)
    assert first.paginator.count == 3
    Video.objects.filter(video_id="v0").delete()
    again = CachedCountPaginator(Video.objects.order_by("video_id"), 2).get_page(1)
    assert [v.video_id for v in again] == ["v1", "v2"]
