"""Marking accepted questions as examples for the drafting agents: the service and the
page's two answers (htmx in place, a plain form post redirected)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from reviews.models import Question, QuestionStatus
from reviews.services.exemplars import ExemplarRefused, question_set_exemplar
from tests.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(benchmark: Any, write_items: Callable[..., Path]) -> Question:
    items = [make_item(video_id="10", question="First at 00:10?", discipline="Biology")]
    call_command("import_questions", str(write_items(items)))
    return Question.objects.get()


def test_only_an_accepted_question_becomes_an_example(question: Question) -> None:
    with pytest.raises(ExemplarRefused, match="Only accepted questions can be examples"):
        question_set_exemplar(question, True)
    question.refresh_from_db()
    assert not question.exemplar
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.ACCEPTED)
    question.refresh_from_db()
    version = question.version
    marked = question_set_exemplar(question, True)
    assert marked.exemplar and marked.version == version
    assert not question_set_exemplar(question, False).exemplar


def test_any_question_stops_being_an_example(question: Question) -> None:
    Question.objects.filter(pk=question.pk).update(exemplar=True)
    assert not question_set_exemplar(question, False).exemplar


def test_a_plain_post_redirects_to_the_question_with_a_message(
    question: Question, curator: Any
) -> None:
    client = Client()
    client.force_login(curator)
    url = f"/questions/{question.uid}/exemplar"
    refused = client.post(url, {"exemplar": "1"})
    assert refused.status_code == 400
    assert "Only accepted questions can be examples." in refused.content.decode()
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.ACCEPTED)
    done = client.post(url, {"exemplar": "1"})
    assert done.status_code == 302 and done["Location"] == f"/questions/{question.uid}/"
    page = client.get(done["Location"]).content.decode()
    assert "will see this question as an example" in page
    assert 'data-testid="exemplar-off"' in page
