"""The review page, the question list and the API stay within a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reviews.models import Question
from reviews.services import decisions
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def load(write_items: Callable[..., Path], count: int, video: str) -> None:
    items = [
        make_item(
            video_id=video,
            question=f"Question {n} at 00:10?",
            discipline="Biology",
            timestamp_breakdown=["00:10-00:12: a", "00:11: b"],
        )
        for n in range(count)
    ]
    call_command("import_questions", str(write_items(items)))


def queries(client: Client, url: str) -> int:
    cache.clear()  # counted without the short-lived cache of list totals
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured.captured_queries)


def test_page_queries_do_not_grow_with_the_data(
    benchmark: Any, write_items: Callable[..., Path], reviewer: Any
) -> None:
    load(write_items, 3, "small")
    client = Client()
    client.force_login(reviewer)
    question = Question.objects.filter(video__video_id="small").first()
    assert question is not None
    decisions.question_decide(question=question, reviewer=reviewer, kind="unsure", seen_version=1)
    urls = [f"/questions/{question.uid}/", "/questions/", "/api/questions/", "/videos/"]
    before = {url: queries(client, url) for url in urls}

    load(write_items, 60, "large")
    for other in Question.objects.filter(video__video_id="large")[:5]:
        decisions.question_decide(question=other, reviewer=reviewer, kind="unsure", seen_version=1)
    after = {url: queries(client, url) for url in urls}

    # No page needs more queries for more data (a small queue may take one more to wrap); a
    # list long enough for a pager counts its total once (then cached), which a single page
    # never needs.
    pager = {"/questions/": 1}
    assert all(after[url] <= before[url] + pager.get(url, 0) for url in urls), (before, after)
    assert before[f"/questions/{question.uid}/"] <= 15, before
