"""Creates guarded by a unique constraint: a duplicate answers 409 with one message whether
it comes second or loses a race, and a race is never a 500 (requests really at once, on
PostgreSQL, each thread with its own connection)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from baselines.models import Study
from releases.models import Release
from sciannot.accounts.models import Invitation, User
from sciannot.accounts.services import invitation_create
from tests.concurrency import at_once
from tests.releases.conftest import accepted_items, freeze, warnings_confirmed
from tests.videos.test_uploads import finish, upload_file
from videos.models import Video


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def statuses(results: list[Any]) -> list[int | str]:
    return sorted(r.status_code if hasattr(r, "status_code") else repr(r) for r in results)  # type: ignore[misc]


@pytest.fixture
def released(benchmark: Any, write_items: Callable[..., Path]) -> Release:
    call_command(
        "import_questions",
        str(write_items(accepted_items())),
        "--status",
        "accepted",
        stdout=io.StringIO(),
    )
    freeze("svb", "--version", "1.0.0")
    return Release.objects.get()


FREEZE = {"name": "svb", "version": "2.0.0", "access": "curators", "split": "test"}
ALREADY = "svb 2.0.0 is already frozen; a new version is a new release"


# --- One after the other --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_freeze_of_a_version_is_a_409_on_the_page_and_fails_the_command(
    released: Release, curator: Any
) -> None:
    client = signed_in(curator)
    confirmed = warnings_confirmed(client, FREEZE)
    assert client.post("/releases/new/", {**confirmed, "action": "freeze"}).status_code == 302
    again = client.post("/releases/new/", {**FREEZE, "action": "freeze"})
    assert again.status_code == 409
    assert ALREADY in again.content.decode()
    check = client.post("/releases/new/", {**FREEZE, "action": "check"})
    assert check.status_code == 409
    with pytest.raises(CommandError, match=ALREADY):
        freeze("svb", "--version", "2.0.0")
    assert Release.objects.filter(version="2.0.0").count() == 1


@pytest.mark.django_db
def test_a_second_study_of_one_name_is_a_409(
    released: Release, curator: Any, evaluator: Any
) -> None:
    form = {"name": "Pilot", "release": released.pk, "split": "test", "evaluators": evaluator.pk}
    client = signed_in(curator)
    assert client.post("/baseline/studies/new/", form).status_code == 302
    again = client.post("/baseline/studies/new/", form)
    assert again.status_code == 409
    assert "a study named &#x27;Pilot&#x27; already exists" in again.content.decode()
    assert Study.objects.count() == 1


@pytest.mark.django_db
def test_a_taken_user_name_on_an_invitation_is_a_409(curator: Any, reviewer: Any) -> None:
    _, token = invitation_create(email="new@lab.example", role="evaluator", invited_by=curator)
    response = Client().post(
        f"/accounts/invite/{token}/",
        {
            "username": reviewer.username,
            "password1": "a-Long-pass-42",
            "password2": "a-Long-pass-42",
        },
    )
    assert response.status_code == 409
    assert "is taken; choose another" in response.content.decode()


# --- At once ----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_freezes_of_one_version_at_once_give_one_release_and_three_409s(
    frozen_releases_cleared: None, released: Release, curator: Any
) -> None:
    confirmed = {**warnings_confirmed(signed_in(curator), FREEZE), "action": "freeze"}
    results = at_once(4, lambda _: signed_in(curator).post("/releases/new/", confirmed))
    assert statuses(results) == [302, 409, 409, 409], results
    assert all(ALREADY in r.content.decode() for r in results if r.status_code == 409)
    assert Release.objects.filter(version="2.0.0").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_studies_of_one_name_at_once_give_one_study_and_three_409s(
    frozen_releases_cleared: None, released: Release, curator: Any, evaluator: Any
) -> None:
    form = {"name": "Pilot", "release": released.pk, "split": "test", "evaluators": evaluator.pk}
    results = at_once(4, lambda _: signed_in(curator).post("/baseline/studies/new/", form))
    assert statuses(results) == [302, 409, 409, 409], results
    assert Study.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_invitees_taking_one_user_name_at_once_give_one_account_and_a_409(
    curator: Any,
) -> None:
    tokens = [
        invitation_create(email=f"n{i}@lab.example", role="evaluator", invited_by=curator)[1]
        for i in range(2)
    ]
    form = {"username": "newcomer", "password1": "a-Long-pass-42", "password2": "a-Long-pass-42"}
    results = at_once(2, lambda i: Client().post(f"/accounts/invite/{tokens[i]}/", form))
    assert statuses(results) == [302, 409], results
    assert User.objects.filter(username="newcomer").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_token_regenerations_at_once_leave_one_working_token(curator: Any) -> None:
    results = at_once(
        4, lambda _: signed_in(curator).post("/accounts/token/", {"action": "create"})
    )
    assert all(getattr(r, "status_code", 500) < 400 for r in results), results
    assert Token.objects.filter(user=curator).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_one_new_video_finished_at_once_give_one_video_and_a_409(
    benchmark: Any, curator: Any, video_dir: Path
) -> None:
    data = (video_dir / "jove_1001.mp4").read_bytes()
    client = signed_in(curator)
    uploads = [upload_file(client, data, name="jove_1001.mp4") for _ in range(2)]
    results = at_once(2, lambda i: finish(signed_in(curator), uploads[i]))
    assert statuses(results) == [200, 409], results
    refused = next(r for r in results if r.status_code == 409)
    assert "video 1001 got a file meanwhile" in refused.json()["error"]
    assert Video.objects.filter(video_id="1001").count() == 1


@pytest.mark.django_db
def test_a_second_invitation_of_one_address_is_a_409(curator: Any) -> None:
    client = signed_in(curator)
    form = {"email": "new@lab.example", "role": "evaluator"}
    assert client.post("/accounts/invitations/", form).status_code == 201
    again = client.post("/accounts/invitations/", form)
    assert again.status_code == 409
    assert "already has a pending invitation" in again.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_invitations_of_one_address_at_once_give_one_and_three_409s(curator: Any) -> None:
    form = {"email": "New@Lab.example", "role": "evaluator"}
    results = at_once(4, lambda _: signed_in(curator).post("/accounts/invitations/", form))
    assert statuses(results) == [201, 409, 409, 409], results
    assert Invitation.objects.count() == 1
