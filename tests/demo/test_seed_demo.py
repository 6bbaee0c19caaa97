"""seed_demo: accounts, real videos, transcripts, manuscripts, questions; idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from demo.seed import load_videos, question_paths
from reviews.models import Question, QuestionStatus, Revision
from sciannot.accounts.models import User
from videos.models import MediaStatus, Video

pytestmark = pytest.mark.django_db

VIDEOS = load_videos()
QUESTIONS = [line for _, path in question_paths() for line in path.read_text().splitlines()]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--width", "160", "--height", "90", "--fps", "5", *args, stdout=out)
    return out.getvalue()


def snapshot() -> tuple[object, ...]:
    return (
        sorted(Video.objects.values_list("video_id", "sha256", "original")),
        sorted(Question.objects.values_list("uid", "version", "status")),
        Revision.objects.count(),
        sorted(User.objects.values_list("username", "password")),
    )


def test_it_seeds_the_demo_once_and_changes_nothing_the_second_time() -> None:
    out = seed()

    assert {u.username: u.role for u in User.objects.all()} == {
        "curator": "curator",
        "reviewer": "reviewer",
        "evaluator": "evaluator",
    }
    assert "password curator-demo" in out
    videos = Video.objects.order_by("video_id")
    assert [v.video_id for v in videos] == [f"demo-{n}" for n in range(1, len(VIDEOS) + 1)]
    assert len(VIDEOS) >= 4
    for video, demo in zip(videos, VIDEOS, strict=True):
        assert video.media_status == MediaStatus.READY
        assert 120 <= video.duration <= 240
        assert video.duration == pytest.approx(demo.duration, abs=0.5)
        assert video.transcript.cues.count() >= 10
        assert video.manuscript.text.strip()
    assert Question.objects.count() == len(QUESTIONS) >= 30
    statuses = set(Question.objects.values_list("status", flat=True))
    assert statuses == {QuestionStatus.DRAFT, QuestionStatus.ACCEPTED}
    assert Question.objects.filter(status=QuestionStatus.DRAFT).count() > len(QUESTIONS) / 2
    assert set(Question.objects.values_list("category", flat=True)) == {
        "Physics",
        "Chemistry",
        "Biology",
        "Medicine",
    }
    assert set(Question.objects.values_list("question_type", flat=True)) == {
        "Conceptual Reasoning",
        "Hypothetical Reasoning",
        "Quantitative Reasoning",
    }
    assert Question.objects.filter(spans__isnull=False).distinct().count() == len(QUESTIONS)
    before = snapshot()

    seed()

    assert snapshot() == before


def test_it_skips_a_database_that_is_not_empty_with_if_empty(curator: object) -> None:
    out = seed("--if-empty")
    assert "not seeded again" in out
    assert not Video.objects.exists()
