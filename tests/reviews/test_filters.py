"""The question filters, read once for the list page and the API: parsing, narrowing, and
what each entry point does with a value outside the choices."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reviews.filters import (
    API_PARAMS,
    PAGE_PARAMS,
    FiltersInvalid,
    QuestionFilters,
    question_filters_parse,
    questions_filter,
)
from reviews.models import Question
from tests.reviews.test_questions_api import mixed_questions  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_empty_values_are_no_filter() -> None:
    empty = {"status": "", "category": "", "question_type": "", "video": "", "q": ""}
    assert question_filters_parse(empty, PAGE_PARAMS) == QuestionFilters()
    assert question_filters_parse({}, API_PARAMS) == QuestionFilters()


def test_each_entry_point_reads_its_own_parameters() -> None:
    params = {
        "status": "draft",
        "video": " 100 ",
        "video_id": "200",
        "benchmark": "svb",
        "q": " bio ",
        "flagged": "1",
    }
    page = question_filters_parse(params, PAGE_PARAMS)
    assert page == QuestionFilters(status="draft", video_id="100", search="bio", flagged=True)
    api = question_filters_parse(params, API_PARAMS)
    assert api == QuestionFilters(status="draft", video_id="200", benchmark="svb")


def test_values_outside_the_choices_are_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(FiltersInvalid) as refused:
        question_filters_parse({"status": "approved", "category": "Astronomy"}, PAGE_PARAMS)
    assert set(refused.value.errors) == {"status", "category"}
    assert "unknown status 'approved'; use one of: draft" in refused.value.errors["status"]
    assert "Chemistry" in refused.value.errors["category"]


def test_the_filters_narrow_a_queryset(mixed_questions: None) -> None:  # noqa: F811
    everything = Question.objects.all()

    def texts(filters: QuestionFilters) -> set[str]:
        return set(questions_filter(everything, filters).values_list("text", flat=True))

    assert texts(QuestionFilters(video_id="100")) == {
        "Chemistry one at 00:10?",
        "Chemistry two at 00:20?",
    }
    assert texts(QuestionFilters(status="accepted")) == {"Accepted bio at 00:30?"}
    assert texts(QuestionFilters(search="BIO")) == {
        "Bioengineering at 00:10?",
        "Accepted bio at 00:30?",
    }
    assert texts(QuestionFilters(benchmark="no such benchmark")) == set()
    assert len(texts(QuestionFilters())) == 6
    Question.objects.filter(text="Physics at 00:10?").update(flags=["odd"])
    assert texts(QuestionFilters(flagged=True)) == {"Physics at 00:10?"}


def test_the_list_page_says_what_is_wrong_and_lists_nothing(
    mixed_questions: None,  # noqa: F811
    curator: Any,
) -> None:
    client = Client()
    client.force_login(curator)
    url = reverse("reviews:list")
    refused = client.get(url, {"status": "approved", "video": "100"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'data-testid="error"' in page and "unknown status &#x27;approved&#x27;" in page
    assert "Chemistry one" not in page
    listed = client.get(url, {"status": "draft", "video": "100"})
    assert listed.status_code == 200
    shown = listed.content.decode()
    assert "Chemistry one" in shown and "Physics at" not in shown
    assert 'data-testid="error"' not in shown


def test_the_api_answers_400_with_each_field(mixed_questions: None, curator: Any) -> None:  # noqa: F811
    client = Client()
    client.force_login(curator)
    response = client.get("/api/questions/", {"category": "Astronomy", "question_type": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"category", "question_type"}
