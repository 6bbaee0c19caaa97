"""Every page and endpoint checks the role first: curator, reviewer, evaluator, anonymous."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from reviews.models import Question
from tests.factories import make_item
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(benchmark: Any, write_items: Callable[..., Path]) -> dict[str, str]:
    call_command(
        "import_questions",
        str(
            write_items([make_item(video_id="77", question="Bio at 00:10?", discipline="Biology")])
        ),
    )
    question = Question.objects.get()
    video = Video.objects.get(video_id="77")
    return {
        "home": "/",
        "videos": "/videos/",
        "video": f"/videos/{video.pk}/",
        "questions": "/questions/",
        "question": f"/questions/{question.uid}/",
        "api": "/api/questions/",
        "baselines": "/baseline/",
    }


EXPECTED = {
    # page: (curator, reviewer in field, reviewer outside field, evaluator)
    # Everyone lands on their own start page: evaluators on their studies.
    "home": (302, 302, 302, 302),
    "videos": (200, 200, 200, 403),
    "video": (200, 200, 404, 403),
    "questions": (200, 200, 200, 403),
    "question": (200, 200, 404, 403),
    "api": (200, 200, 200, 403),
    "baselines": (200, 403, 403, 200),
}


@pytest.mark.parametrize("page", list(EXPECTED))
def test_it_gives_each_role_exactly_its_access(
    page: str, urls: dict[str, str], curator: Any, reviewer: Any, outsider: Any, evaluator: Any
) -> None:
    statuses = []
    for user in (curator, reviewer, outsider, evaluator):
        client = Client()
        client.force_login(user)
        statuses.append(client.get(urls[page]).status_code)
    assert tuple(statuses) == EXPECTED[page]


@pytest.mark.parametrize("page", [p for p in EXPECTED if p != "api"])
def test_it_sends_anonymous_visitors_to_the_login_page(page: str, urls: dict[str, str]) -> None:
    response = Client().get(urls[page])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_outsider_lists_nothing_from_another_field(urls: dict[str, str], outsider: Any) -> None:
    client = Client()
    client.force_login(outsider)
    assert b"Bio at 00:10?" not in client.get("/questions/").content
    assert b">77<" not in client.get("/videos/").content


def test_a_deactivated_account_is_refused(urls: dict[str, str], curator: Any) -> None:
    client = Client()
    client.force_login(curator)
    curator.is_active = False
    curator.save()
    assert client.get("/videos/").status_code == 302
