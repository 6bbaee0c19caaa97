"""Property test: generated hostile values sent to the forms and API operations of every
role never give a 5xx, and a refusal changes nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.models import Question
from tests.factories import make_item

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e400",
            "-0",
            "9" * 5000,
            str(2**63),
            str(2**64),
            "-" + "9" * 30,
            "\x00",
            "a\x00b",
            "%00",
            "x" * 70_000,
            "[" * 3000,
            "\u202e\ufeff\U0001f600",
            "test=nan,val=nan",
            "test=inf",
            "q_1:" + "9" * 5000 + ":A",
            "00:" + "9" * 400,
            "",
        ]
    ),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats().map(repr),
)


def digest() -> dict[str, int]:
    """Row counts of every table of the project's apps: a refusal must leave them all."""
    names = {"reviews", "videos", "drafting", "releases", "baselines", "accounts"}
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in names
    }


@pytest.fixture
def question(benchmark: Any, write_items: Callable[..., Path]) -> Question:
    items = [make_item(video_id="10", question="First at 00:10?", discipline="Biology")]
    call_command("import_questions", str(write_items(items)), stdout=io.StringIO())
    return Question.objects.get()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_operations(question: Question) -> list[tuple[str, str, dict[str, Any], list[str]]]:
    """(persona, path, fixed fields, fields that get hostile values)."""
    uid = question.uid
    return [
        ("reviewer", f"/questions/{uid}/comment", {}, ["text", "at"]),
        (
            "reviewer",
            f"/questions/{uid}/edit",
            {
                "version": "1",
                "answer": "D",
                "question_type": "Conceptual Reasoning",
                **{f"option_{letter}": f"o{letter}" for letter in "ABCDEFGHIJ"},
            },
            ["text", "option_B", "span_start", "span_end", "rationale", "subject", "version"],
        ),
        ("reviewer", f"/questions/{uid}/decide", {"kind": "reject"}, ["reason", "comment"]),
        ("curator", "/questions/bulk/", {"uid": uid}, ["action", "assignee", "comment"]),
        (
            "curator",
            "/releases/new/",
            {"name": "svb", "version": "1.0.0", "access": "curators", "split": "test"},
            ["stratify", "seed", "videos", "description", "action"],
        ),
        ("curator", "/releases/rebalance", {}, ["moves"]),
        (
            "curator",
            "/baseline/studies/new/",
            {"name": "s"},
            ["time_limit", "sample_size", "seed", "split"],
        ),
    ]


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_form_values_never_give_a_5xx_and_refusals_change_nothing(
    question: Question, curator: Any, reviewer: Any, data: st.DataObject
) -> None:
    clients = {"curator": client_for(curator), "reviewer": client_for(reviewer)}
    persona, path, fixed, fields = data.draw(st.sampled_from(form_operations(question)))
    hostile = {name: data.draw(HOSTILE) for name in fields}
    before = digest()
    response = clients[persona].post(path, {**fixed, **hostile})
    assert response.status_code < 500, (path, hostile)
    if response.status_code >= 400:
        assert response.content, "a refusal says why"
        assert digest() == before, (path, hostile)


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operation=st.sampled_from(["questions", "upload", "predictions", "page_filter"]),
    value=HOSTILE,
)
def test_hostile_api_values_never_give_a_5xx_and_are_json(
    question: Question, curator: Any, operation: str, value: str
) -> None:
    client = client_for(curator)
    before = digest()
    if operation == "questions":
        response = client.get("/api/questions/", {"video_id": value, "status": value})
    elif operation == "page_filter":
        response = client.get("/questions/", {"q": value, "video": value, "page": value})
    elif operation == "upload":
        body = json.dumps({"kind": "video", "name": value, "size": value, "video_id": value})
        response = client.post("/videos/uploads/", body, content_type="application/json")
    else:
        response = client.post(
            "/api/releases/svb/1.0.0/predictions",
            {"model": value, "split": value, "file": io.BytesIO(value.encode()[:1000])},
        )
    assert response.status_code < 500, (operation, value)
    if operation != "page_filter":
        assert response["Content-Type"].startswith("application/json"), (operation, value)
    if response.status_code >= 400:
        assert digest() == before
