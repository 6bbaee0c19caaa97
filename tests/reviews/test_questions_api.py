"""GET /api/questions/ and /api/schema/: filters, pagination, role scoping, tokens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_questions(benchmark: Any, write_items: Callable[..., Path]) -> None:
    items = [
        make_item(video_id="100", question="Chemistry one at 00:10?", discipline="Chemistry"),
        make_item(video_id="100", question="Chemistry two at 00:20?", discipline="Chemistry"),
        make_item(video_id="200", question="Bioengineering at 00:10?", discipline="Bioengineering"),
        make_item(video_id="300", question="Physics at 00:10?", discipline="Physics"),
        make_item(video_id="400", question="Engineering at 00:10?", discipline="Engineering"),
    ]
    call_command("import_questions", str(write_items(items)), stdout=None)
    call_command(
        "import_questions",
        str(
            write_items(
                [make_item(video_id="200", question="Accepted bio at 00:30?", discipline="Biology")]
            )
        ),
        "--status",
        "accepted",
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def texts(response: Any) -> set[str]:
    return {item["question"] for item in response.json()["results"]}


def test_it_lists_every_question_for_a_curator_with_review_urls(
    mixed_questions: None, curator: Any
) -> None:
    response = client_for(curator).get("/api/questions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6
    first = body["results"][0]
    for key in ("id", "uid", "video_id", "question_id", "status", "review_url"):
        assert key in first
    assert first["review_url"] == f"/questions/{first['uid']}/"
    assert set(first["options"]) == set("ABCDEFGHIJ")
    page = client_for(curator).get(first["review_url"])
    assert page.status_code == 200
    assert first["uid"].encode() in page.content


def test_it_filters_by_video_id_and_status(mixed_questions: None, curator: Any) -> None:
    client = client_for(curator)
    assert texts(client.get("/api/questions/?video_id=100")) == {
        "Chemistry one at 00:10?",
        "Chemistry two at 00:20?",
    }
    assert texts(client.get("/api/questions/?status=accepted")) == {"Accepted bio at 00:30?"}
    assert texts(client.get("/api/questions/?video_id=200&status=draft")) == {
        "Bioengineering at 00:10?"
    }


def test_it_rejects_an_unknown_status_with_a_readable_message(
    mixed_questions: None, curator: Any
) -> None:
    response = client_for(curator).get("/api/questions/?status=approved")
    assert response.status_code == 400
    assert "unknown status 'approved'" in response.json()["status"]


def test_it_paginates_with_next(
    benchmark: Any, write_items: Callable[..., Path], curator: Any
) -> None:
    items = [make_item(question=f"Question number {n} at 00:10?") for n in range(105)]
    call_command("import_questions", str(write_items(items)))
    client = client_for(curator)
    first = client.get("/api/questions/").json()
    assert len(first["results"]) == 100 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    uids = {q["uid"] for q in first["results"]} | {q["uid"] for q in second["results"]}
    assert len(uids) == 105


def test_it_scopes_a_reviewer_to_their_discipline_or_category(
    mixed_questions: None, reviewer: Any, outsider: Any
) -> None:
    # reviewer covers "Biology": the Bioengineering item and the Biology item.
    assert texts(client_for(reviewer).get("/api/questions/")) == {
        "Bioengineering at 00:10?",
        "Accepted bio at 00:30?",
    }
    # outsider covers "Physics": the Physics item and Engineering (category Physics).
    assert texts(client_for(outsider).get("/api/questions/")) == {
        "Physics at 00:10?",
        "Engineering at 00:10?",
    }


def test_it_matches_a_reviewer_by_discipline_name_too(mixed_questions: None, db: None) -> None:
    call_command(
        "add_user",
        "bioeng",
        "--role",
        "reviewer",
        "--password",
        "x",
        "--discipline",
        "Bioengineering",
    )
    from sciannot.accounts.models import User

    assert texts(client_for(User.objects.get(username="bioeng")).get("/api/questions/")) == {
        "Bioengineering at 00:10?"
    }


def test_it_hides_a_review_page_outside_the_reviewers_scope(
    mixed_questions: None, outsider: Any, curator: Any
) -> None:
    chem = client_for(curator).get("/api/questions/?video_id=100").json()["results"][0]
    assert client_for(outsider).get(chem["review_url"]).status_code == 404


def test_it_refuses_evaluators_and_anonymous_callers(mixed_questions: None, evaluator: Any) -> None:
    assert client_for(evaluator).get("/api/questions/").status_code == 403
    assert Client().get("/api/questions/").status_code in (401, 403)


def test_it_accepts_token_authentication(mixed_questions: None, curator: Any) -> None:
    token = Token.objects.create(user=curator)
    response = Client().get("/api/questions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["count"] == 6


def test_the_schema_describes_the_questions_endpoint(curator: Any) -> None:
    response = client_for(curator).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].startswith("application/json") else None
    if schema is None:
        import yaml  # type: ignore[import-untyped]

        schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    operation = schema["paths"]["/api/questions/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"video_id", "status", "page"} <= names
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "cookieAuth" in schema["components"]["securitySchemes"]


def test_the_schema_generates_without_warnings(tmp_path: Path) -> None:
    # --fail-on-warn turns any unannotated view or ambiguous field into an error.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "/api/questions/" in (tmp_path / "schema.yml").read_text()
