"""Bulk writes (sciannot.bulk_copy): id allocation and the background COPY pipeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from reviews.models import Option, Question
from sciannot.bulk_copy import WritePipeline, allocate_ids

pytestmark = pytest.mark.django_db


def test_it_allocates_ids_that_follow_every_inserted_row(benchmark: Any) -> None:
    from videos.models import Video

    video = Video.objects.create(benchmark=benchmark, video_id="v0", duration=10)
    existing = Question.objects.create(
        video=video,
        text="q",
        text_key="q",
        answer="A",
        question_type="Conceptual Reasoning",
        category="Physics",
    )
    first = allocate_ids(Question, 3)
    assert first == sorted(first) and len(set(first)) == 3
    assert min(first) > existing.pk
    assert allocate_ids(Question, 0) == []


@pytest.mark.postgres
def test_a_failed_background_copy_raises_in_the_caller_and_rolls_back(benchmark: Any) -> None:
    from videos.models import Video

    video = Video.objects.create(benchmark=benchmark, video_id="v1", duration=10)
    before = Option.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(
            video=video,
            text="Kept only if the batch lands?",
            text_key="k",
            answer="A",
            question_type="Conceptual Reasoning",
            category="Physics",
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        pipeline = WritePipeline()
        assert pipeline.threaded
        # Option rows for a question that does not exist violate the foreign key.
        pipeline.submit([(Option, ["question_id", "letter", "text"], [(987654321, "A", "x")])])
        pipeline.drain()
    assert Option.objects.count() == before
    assert not Question.objects.filter(text_key="k").exists()
