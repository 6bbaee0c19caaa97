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


def test_a_new_row_shows_at_once_although_the_total_is_cached(benchmark: Any) -> None:
    for n in range(2):
        Video.objects.create(benchmark=benchmark, video_id=f"v{n}")
    first = CachedCountPaginator(Video.objects.order_by("video_id"), 3).get_page(1)
    assert (first.paginator.count, len(first), first.has_next()) == (2, 2, False)
    for n in range(2, 5):
        Video.objects.create(benchmark=benchmark, video_id=f"v{n}")
    again = CachedCountPaginator(Video.objects.order_by("video_id"), 3).get_page(1)
    assert again.paginator.count == 2  # the cached total, shown only
    assert [v.video_id for v in again] == ["v0", "v1", "v2"]
    assert again.has_next()
    second = CachedCountPaginator(Video.objects.order_by("video_id"), 3).get_page(2)
    assert [v.video_id for v in second] == ["v3", "v4"]
    assert not second.has_next()


def test_the_question_api_returns_questions_saved_a_moment_ago(
    benchmark: Any, curator: Any, monkeypatch: pytest.MonkeyPatch, write_items: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    from sciannot.pagination import QuestionPagination
    from tests.factories import make_item

    monkeypatch.setattr(QuestionPagination, "page_size", 2)

    def add(*texts: str) -> None:
        items = [make_item(question=text, question_id=text) for text in texts]
        call_command("import_questions", str(write_items(items)), stdout=StringIO())

    client = Client()
    client.force_login(curator)
    url = "/api/questions/?video_id=58827"
    add("first?")
    assert [q["question"] for q in client.get(url).json()["results"]] == ["first?"]
    add("second?", "third?", "fourth?")  # saved right after the list was counted
    page = client.get(url).json()
    assert [q["question"] for q in page["results"]] == ["first?", "second?"]
    assert page["next"]
    rest = client.get(page["next"]).json()
    assert [q["question"] for q in rest["results"]] == ["third?", "fourth?"]
    assert rest["next"] is None
