"""The people page: every account with its role and disciplines; curators change roles and
disciplines, deactivate and reactivate. Deactivation keeps the person's history, ends their
sessions, revokes their token and gives their held items back to the queue."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from reviews.models import Question
from reviews.services import decisions, edits, queue
from sciannot.accounts.models import User
from sciannot.accounts.services import AccountError, user_deactivate, user_set_access
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_users() -> list[str]:
    return sorted(str(s.get_decoded().get("_auth_user_id")) for s in Session.objects.all())


@pytest.fixture
def questions(benchmark: Any, write_items: Callable[..., Path]) -> list[Question]:
    items = [
        make_item(video_id="77", question_id=str(n), question=f"Bio step {n} at 00:1{n}?")
        for n in range(3)
    ]
    for item in items:
        item["discipline"] = "Biology"
    call_command("import_questions", str(write_items(items)), stdout=io.StringIO())
    return list(Question.objects.order_by("id"))


def test_the_page_lists_every_account_with_role_disciplines_and_last_sign_in(
    curator: Any, reviewer: Any, outsider: Any, evaluator: Any
) -> None:
    assert Client().login(request=HttpRequest(), username="bea", password="pw-bea")
    User.objects.filter(pk=evaluator.pk).update(is_active=False)
    page = signed_in(curator).get("/accounts/users/").content.decode()
    rows = {
        name: page.split(f'data-testid="user-{name}"')[1].split("</tr>")[0]
        for name in ("cora", "bea", "phil", "eva")
    }
    assert "Curator" in rows["cora"]
    assert "Expert reviewer" in rows["bea"] and "Biology" in rows["bea"]
    assert f"{timezone.now():%Y-%m-%d}" in rows["bea"] and "never" in rows["phil"]
    assert "Physics" in rows["phil"]
    assert "deactivated" in rows["eva"] and 'data-testid="reactivate-eva"' in rows["eva"]
    # A curator is not offered to deactivate themselves.
    assert "deactivate-cora" not in rows["cora"]


def test_a_curator_changes_disciplines_and_roles(curator: Any, reviewer: Any) -> None:
    client = signed_in(curator)
    url = f"/accounts/users/{reviewer.pk}/"
    assert client.get(url).status_code == 200
    done = client.post(url, {"role": "reviewer", "disciplines": ["Chemistry", "Medicine"]})
    assert done.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.disciplines == ["Chemistry", "Medicine"]
    client.post(url, {"role": "curator"})
    reviewer.refresh_from_db()
    assert reviewer.role == "curator" and reviewer.is_staff and reviewer.disciplines == []
    assert signed_in(reviewer).get("/releases/").status_code == 200
    client.post(url, {"role": "evaluator"})
    reviewer.refresh_from_db()
    # Superuser rights go with the curator role: nothing of it is left.
    assert reviewer.role == "evaluator" and not reviewer.is_superuser and not reviewer.is_staff
    assert signed_in(reviewer).get("/releases/").status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "reviewer"}, "a reviewer needs at least one discipline"),
        ({"role": "evaluator", "disciplines": ["Biology"]}, "only reviewers have disciplines"),
        ({"role": "reviewer", "disciplines": ["Alchemy"]}, "Select a valid choice"),
        ({"role": "owner"}, "Select a valid choice"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(
    curator: Any, reviewer: Any, data: dict[str, Any], message: str
) -> None:
    response = signed_in(curator).post(f"/accounts/users/{reviewer.pk}/", data)
    assert response.status_code == 400 and message in response.content.decode()
    reviewer.refresh_from_db()
    assert (reviewer.role, reviewer.disciplines) == ("reviewer", ["Biology"])


def test_a_curator_cannot_demote_or_deactivate_themselves(curator: Any) -> None:
    client = signed_in(curator)
    demoted = client.post(f"/accounts/users/{curator.pk}/", {"role": "evaluator"})
    assert demoted.status_code == 400
    assert "cannot take away your own curator role" in demoted.content.decode()
    response = client.post(f"/accounts/users/{curator.pk}/active", {"active": "0"}, follow=True)
    assert "cannot deactivate your own account" in response.content.decode()
    curator.refresh_from_db()
    assert curator.is_active and curator.role == "curator"


def test_the_last_active_curator_stays(curator: Any) -> None:
    other = User.objects.create_user(username="otto", password="pw-otto", role="curator")
    user_deactivate(user=other, by=curator)
    # `other` can no longer act, but whoever asks, the last curator is kept.
    with pytest.raises(AccountError, match="cora is the last active curator"):
        user_deactivate(user=curator, by=other)
    with pytest.raises(AccountError, match="cora is the last active curator"):
        user_set_access(user=curator, role="reviewer", disciplines=["Physics"], by=other)
    curator.refresh_from_db()
    assert curator.is_active and curator.is_curator


@pytest.mark.django_db(transaction=True)
def test_two_curators_deactivating_each_other_at_once_leave_one(curator: Any) -> None:
    other = User.objects.create_user(username="otto", password="pw-otto", role="curator")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def deactivate(user: Any, by: Any) -> None:
        barrier.wait()
        try:
            user_deactivate(user=user, by=by)
            outcomes.append("done")
        except AccountError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=deactivate, args=(curator, other)),
        threading.Thread(target=deactivate, args=(other, curator)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == 2 and outcomes.count("done") == 1
    assert "is the last active curator" in next(o for o in outcomes if o != "done")
    assert User.objects.filter(role="curator", is_active=True).count() == 1


def test_deactivation_ends_sessions_revokes_the_token_and_releases_holds(
    curator: Any, reviewer: Any, outsider: Any, questions: list[Question]
) -> None:
    browser_one, browser_two = Client(), Client()
    assert browser_one.login(request=HttpRequest(), username="bea", password="pw-bea")
    assert browser_two.login(request=HttpRequest(), username="bea", password="pw-bea")
    bystander = signed_in(outsider)
    token = Token.objects.create(user=reviewer)
    held = queue.queue_take(reviewer)
    assert held is not None
    assigned = questions[2]
    Question.objects.filter(pk=assigned.pk).update(assigned_to=reviewer)
    assert session_users().count(str(reviewer.pk)) == 2

    response = signed_in(curator).post(
        f"/accounts/users/{reviewer.pk}/active", {"active": "0"}, follow=True
    )
    assert "bea is deactivated: 2 session(s) ended, API token revoked" in response.content.decode()
    reviewer.refresh_from_db()
    assert not reviewer.is_active
    assert str(reviewer.pk) not in session_users()
    assert str(outsider.pk) in session_users()
    assert bystander.get("/questions/").status_code == 200
    for browser in (browser_one, browser_two):
        assert browser.get("/questions/")["Location"].startswith("/accounts/login/")
    assert not Token.objects.filter(key=token.key).exists()
    api = Client(headers={"Authorization": f"Token {token.key}"})
    assert api.get("/api/questions/").status_code == 401
    held.refresh_from_db()
    assert held.locked_by is None and held.locked_until is None
    assigned.refresh_from_db()
    assert assigned.assigned_to is None
    # The item is free for the next reviewer at once.
    colleague = User.objects.create_user(
        username="ben", password="pw-ben", role="reviewer", disciplines=["Biology"]
    )
    assert queue.queue_take(colleague) == held
    assert not Client().login(request=HttpRequest(), username="bea", password="pw-bea")


def test_history_stays_with_the_deactivated_persons_name(
    curator: Any, reviewer: Any, questions: list[Question]
) -> None:
    question = questions[0]
    decisions.question_decide(
        question=question, reviewer=reviewer, kind="accept", seen_version=question.version
    )
    edits.comment_add(question=question, author=reviewer, text="The scale bar is visible.")
    decided, comments = question.decisions.count(), question.comments.count()
    user_deactivate(user=reviewer, by=curator)
    assert (question.decisions.count(), question.comments.count()) == (decided, comments)
    page = signed_in(curator).get(f"/questions/{question.uid}/").content.decode()
    decisions_part = page.split('data-testid="decisions"')[1].split("</section>")[0]
    comments_part = page.split('data-testid="comments"')[1].split("</section>")[0]
    assert "bea · Accept" in decisions_part
    assert "<strong>bea</strong>: The scale bar is visible." in comments_part
    history = question.revisions.order_by("number")
    assert history.exists()
    # Inactive reviewers are not offered for new assignments.
    listing = signed_in(curator).get("/questions/").content.decode()
    assert f'<option value="{reviewer.pk}"' not in listing


def test_a_deactivated_account_is_reactivated(curator: Any, reviewer: Any) -> None:
    user_deactivate(user=reviewer, by=curator)
    client = signed_in(curator)
    client.post(f"/accounts/users/{reviewer.pk}/active", {"active": "1"})
    reviewer.refresh_from_db()
    assert reviewer.is_active
    assert Client().login(request=HttpRequest(), username="bea", password="pw-bea")


def test_an_unclear_request_changes_nothing(curator: Any, reviewer: Any) -> None:
    response = signed_in(curator).post(
        f"/accounts/users/{reviewer.pk}/active", {"active": "maybe"}, follow=True
    )
    assert "say whether to deactivate or reactivate" in response.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.is_active


def test_only_curators_manage_people(
    curator: Any, reviewer: Any, outsider: Any, evaluator: Any
) -> None:
    for user in (reviewer, evaluator):
        client = signed_in(user)
        assert client.get("/accounts/users/").status_code == 403
        assert client.get(f"/accounts/users/{outsider.pk}/").status_code == 403
        changed = client.post(f"/accounts/users/{outsider.pk}/", {"role": "curator"})
        assert changed.status_code == 403
        assert (
            client.post(f"/accounts/users/{outsider.pk}/active", {"active": "0"}).status_code == 403
        )
    outsider.refresh_from_db()
    assert outsider.is_active and outsider.role == "reviewer"
    assert signed_in(curator).get("/accounts/users/999999/").status_code == 404
