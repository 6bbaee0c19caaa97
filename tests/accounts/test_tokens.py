"""API tokens: everyone makes, regenerates and revokes their own; a token has exactly its
user's rights, never opens pages, and stops working for a deactivated account."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from sciannot.accounts.models import User
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_token(key: str) -> Client:
    return Client(headers={"Authorization": f"Token {key}"})


def key_on(page: str) -> str:
    match = re.search(r'value="([0-9a-f]{40})" readonly data-testid="token-key"', page)
    assert match, "the page shows no new key"
    return match.group(1)


@pytest.fixture
def items(benchmark: Any, write_items: Callable[..., Path]) -> None:
    lines = [
        make_item(video_id="77", question="Bio at 00:10?", discipline="Biology"),
        make_item(video_id="78", question="Chem at 00:10?", discipline="Chemistry"),
    ]
    call_command("import_questions", str(write_items(lines)), stdout=io.StringIO())


@pytest.mark.parametrize("persona", ["curator", "reviewer", "evaluator"])
def test_everyone_creates_regenerates_and_revokes_their_own_token(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    page = client.get("/accounts/token/").content.decode()
    assert "You have no API token." in page
    created = client.post("/accounts/token/", {"action": "create"})
    assert created.status_code == 200
    first = key_on(created.content.decode())
    assert Token.objects.get(user=user).key == first
    # Shown once: afterwards only its first characters.
    later = client.get("/accounts/token/").content.decode()
    assert first not in later and f"<code>{first[:4]}…</code>" in later
    second = key_on(client.post("/accounts/token/", {"action": "create"}).content.decode())
    assert second != first and Token.objects.filter(user=user).count() == 1
    # The schema is open to anyone; a key that is not (or no longer) valid is refused there too.
    assert with_token(second).get("/api/schema/").status_code == 200
    assert with_token(first).get("/api/schema/").status_code == 401
    revoked = client.post("/accounts/token/", {"action": "revoke"})
    assert revoked.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert with_token(second).get("/api/schema/").status_code == 401


def test_an_unknown_action_changes_nothing(reviewer: Any) -> None:
    token = Token.objects.create(user=reviewer)
    response = signed_in(reviewer).post("/accounts/token/", {"action": "steal"}, follow=True)
    assert "unknown action" in response.content.decode()
    assert Token.objects.get(user=reviewer).key == token.key


def test_the_token_page_needs_a_sign_in() -> None:
    response = Client().get("/accounts/token/")
    assert response["Location"].startswith("/accounts/login/?next=/accounts/token/")
    assert Client().post("/accounts/token/", {"action": "create"}).status_code == 302
    assert not Token.objects.exists()


def test_a_token_has_exactly_its_users_rights(
    items: None, curator: Any, reviewer: Any, evaluator: Any
) -> None:
    def listed(user: Any) -> list[str]:
        response = with_token(Token.objects.create(user=user).key).get("/api/questions/")
        assert response.status_code == 200
        return sorted(item["question"] for item in response.json()["results"])

    assert listed(curator) == ["Bio at 00:10?", "Chem at 00:10?"]
    assert listed(reviewer) == ["Bio at 00:10?"]
    evaluator_key = Token.objects.create(user=evaluator).key
    assert with_token(evaluator_key).get("/api/questions/").status_code == 403
    # A reviewer's token does not open curators' endpoints.
    reviewer_key = Token.objects.get(user=reviewer).key
    assert with_token(reviewer_key).get("/api/releases/x/1.0.0/leaderboard").status_code == 403


def test_a_token_never_opens_pages(curator: Any) -> None:
    key = Token.objects.create(user=curator).key
    response = with_token(key).get("/videos/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_deactivated_users_token_is_refused(items: None, reviewer: Any) -> None:
    key = Token.objects.create(user=reviewer).key
    assert with_token(key).get("/api/questions/").status_code == 200
    # Switched off without going through deactivation (e.g. in the admin): the token row is
    # still there, and DRF's TokenAuthentication refuses it.
    User.objects.filter(pk=reviewer.pk).update(is_active=False)
    refused = with_token(key).get("/api/questions/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "User inactive or deleted."


def test_without_credentials_the_api_asks_for_a_token(items: None) -> None:
    response = Client().get("/api/questions/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
