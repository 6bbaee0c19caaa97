"""Bulk writes (sciannot.bulk_copy): id allocation, the background COPY pipeline, and a COPY
file written by a helper thread."""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from reviews.models import Option, Question
from sciannot.bulk_copy import BackgroundCopy, WritePipeline, allocate_ids

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


def _question(benchmark: Any, video_id: str) -> Question:
    from videos.models import Video

    video = Video.objects.create(benchmark=benchmark, video_id=video_id, duration=10)
    return Question.objects.create(
        video=video,
        text=f"About {video_id}?",
        text_key=video_id,
        answer="A",
        question_type="Conceptual Reasoning",
        category="Physics",
    )


def test_a_copy_file_lands_while_the_caller_goes_on(benchmark: Any) -> None:
    question = _question(benchmark, "v2")
    with tempfile.TemporaryFile() as handle:
        handle.write(
            "".join(
                f"{question.pk}\t{letter}\tan «option»\\t{letter}\n" for letter in "AB"
            ).encode()
        )
        copying = BackgroundCopy(Option, ["question_id", "letter", "text"], handle)
        copying.wait()
    assert dict(question.options.values_list("letter", "text")) == {
        "A": "an «option»\tA",
        "B": "an «option»\tB",
    }


@pytest.mark.postgres
def test_a_failed_copy_file_raises_in_the_caller_and_rolls_back(benchmark: Any) -> None:
    question = _question(benchmark, "v3")
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        tempfile.TemporaryFile() as handle,
    ):
        # The same letter twice breaks the question's unique letters.
        handle.write(f"{question.pk}\tA\tone\n{question.pk}\tA\ttwo\n".encode())
        copying = BackgroundCopy(Option, ["question_id", "letter", "text"], handle)
        copying.wait()
    assert not question.options.exists()
    # The connection is usable again.
    assert Question.objects.filter(pk=question.pk).exists()
