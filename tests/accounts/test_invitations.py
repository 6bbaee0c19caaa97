"""Invitations: a curator invites by email with a role; the link works once, expires and can
be withdrawn; a spent or bad link creates nothing."""

from __future__ import annotations

import hashlib
import re
import socket
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from sciannot.accounts.models import Invitation, User
from sciannot.accounts.services import (
    AccountError,
    InvitationUnavailable,
    invitation_accept,
    invitation_create,
)

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "violet-pipette-42"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite(client: Client, **fields: Any) -> Any:
    data = {"email": "new@lab.example", "role": "reviewer", "disciplines": ["Biology"]}
    data.update(fields)
    return client.post("/accounts/invitations/", data)


def link_in(page: str) -> str:
    found = re.search(r'data-testid="invitation-link"', page)
    assert found, "the page shows no invitation link"
    match = re.search(r'value="(http://testserver/accounts/invite/([^/"]+)/)"', page)
    assert match
    return match.group(1)


def test_a_curator_invites_and_the_link_is_shown_once_and_emailed(curator: Any) -> None:
    client = signed_in(curator)
    response = invite(client)
    assert response.status_code == 201
    link = link_in(response.content.decode())
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.disciplines) == (
        "new@lab.example",
        "reviewer",
        ["Biology"],
    )
    assert invitation.invited_by == curator
    # Only the hash is kept: the token itself is nowhere in the row.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())
    days = (invitation.expires_at - invitation.created_at).total_seconds() / 86400
    assert 6.99 < days < 7.01
    [message] = mail.outbox
    assert message.to == ["new@lab.example"] and link in message.body
    # The list shows it as pending, never the link again.
    listing = client.get("/accounts/invitations/").content.decode()
    assert "new@lab.example" in listing and token not in listing
    pending = listing.split('data-testid="invitations-pending"')[1].split("</section>")[0]
    assert "new@lab.example" in pending


@override_settings(INVITATION_DAYS=2)
def test_the_lifetime_comes_from_the_setting(curator: Any) -> None:
    invitation, _ = invitation_create(email="x@lab.example", role="evaluator", invited_by=curator)
    assert invitation.expires_at - invitation.created_at < timedelta(days=2, seconds=5)
    assert invitation.expires_at - invitation.created_at > timedelta(days=2, seconds=-5)


def test_the_invitee_joins_with_the_role_and_is_signed_in(curator: Any) -> None:
    link = link_in(invite(signed_in(curator)).content.decode())
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and b"expert reviewer" in page.content
    joined = visitor.post(
        link, {"username": "nadia", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert joined.status_code == 302 and joined["Location"] == "/"
    user = User.objects.get(username="nadia")
    assert (user.role, user.disciplines, user.email) == ("reviewer", ["Biology"], "new@lab.example")
    assert user.check_password(GOOD_PASSWORD) and not user.is_staff
    invitation = Invitation.objects.get()
    assert invitation.used_by == user and invitation.used_at is not None
    # Signed in: the home page sends a reviewer to their queue.
    assert visitor.get("/")["Location"] == "/questions/"
    assert visitor.get("/questions/").status_code == 200


def test_an_invited_curator_gets_the_curators_rights(curator: Any) -> None:
    _, token = invitation_create(email="boss@lab.example", role="curator", invited_by=curator)
    user = invitation_accept(token=token, username="boss2", password=GOOD_PASSWORD)
    assert user.is_curator and user.is_staff and user.disciplines == []


def test_a_link_works_once(curator: Any) -> None:
    link = link_in(invite(signed_in(curator)).content.decode())
    form = {"username": "first", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    assert Client().post(link, form).status_code == 302
    again = Client().post(link, {**form, "username": "second"})
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert Client().get(link).status_code == 410
    assert not User.objects.filter(username="second").exists()


def test_an_expired_or_revoked_or_unknown_link_creates_nothing(curator: Any) -> None:
    client = signed_in(curator)
    form = {"username": "late", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    expired_link = link_in(invite(client, email="late@lab.example").content.decode())
    Invitation.objects.filter(email="late@lab.example").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = Client().post(expired_link, form)
    assert response.status_code == 410 and b"expired" in response.content

    revoked_link = link_in(invite(client, email="gone@lab.example").content.decode())
    revoked = Invitation.objects.get(email="gone@lab.example")
    done = client.post(f"/accounts/invitations/{revoked.pk}/revoke")
    assert done.status_code == 302
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None
    response = Client().post(revoked_link, form)
    assert response.status_code == 410 and b"withdrawn" in response.content

    unknown = Client().post("/accounts/invite/not-a-real-token/", form)
    assert unknown.status_code == 404 and b"not valid" in unknown.content
    assert not User.objects.filter(username="late").exists()
    listing = client.get("/accounts/invitations/").content.decode()
    for status, email in (("expired", "late@lab.example"), ("revoked", "gone@lab.example")):
        section = listing.split(f'data-testid="invitations-{status}"')[1].split("</section>")[0]
        assert email in section


def test_revoking_a_used_invitation_changes_nothing(curator: Any) -> None:
    invitation, token = invitation_create(
        email="used@lab.example", role="evaluator", invited_by=curator
    )
    invitation_accept(token=token, username="used", password=GOOD_PASSWORD)
    client = signed_in(curator)
    response = client.post(f"/accounts/invitations/{invitation.pk}/revoke", follow=True)
    assert "was already used" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and invitation.used_by is not None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password1": "password123", "password2": "password123"}, "too common"),
        ({"password1": "73920418556", "password2": "73920418556"}, "entirely numeric"),
        ({"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"}, "passwords differ"),
        ({"username": "bad name!"}, "Enter a valid username"),
        ({"username": "CORA"}, "is taken"),
    ],
)
def test_a_bad_user_name_or_password_is_refused_and_the_link_stays_usable(
    curator: Any, form: dict[str, str], message: str
) -> None:
    link = link_in(invite(signed_in(curator)).content.decode())
    data = {"username": "nadia", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, **form}
    response = Client().post(link, data)
    # A name someone already has is a conflict with that account; the rest is bad input.
    assert response.status_code == (409 if message == "is taken" else 400)
    assert message in response.content.decode()
    assert User.objects.count() == 1  # only the curator
    assert Invitation.objects.get().used_at is None
    ok = {"username": "nadia", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    assert Client().post(link, ok).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, "This field is required"),
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"disciplines": []}, "a reviewer needs at least one discipline"),
        ({"role": "evaluator"}, "only reviewers have disciplines"),
        ({"role": "admin", "disciplines": []}, "Select a valid choice"),
        ({"disciplines": ["Astrology"]}, "Select a valid choice"),
        ({"email": "CORA@lab.example"}, "an active account already uses"),
    ],
)
def test_a_bad_invitation_is_refused_and_nothing_is_sent(
    curator: Any, fields: dict[str, Any], message: str
) -> None:
    User.objects.filter(pk=curator.pk).update(email="cora@lab.example")
    response = invite(signed_in(curator), **fields)
    # An address an account already has clashes with it (409); the rest is bad input.
    assert response.status_code == (409 if "active account" in message else 400)
    assert message in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_an_empty_post_is_refused_with_what_is_missing(curator: Any, reviewer: Any) -> None:
    client = signed_in(curator)
    for url in ("/accounts/invitations/", f"/accounts/users/{reviewer.pk}/"):
        response = client.post(url, {})
        assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not Invitation.objects.exists()
    reviewer.refresh_from_db()
    assert reviewer.disciplines == ["Biology"]


def test_a_second_pending_invitation_for_the_same_address_is_refused(curator: Any) -> None:
    client = signed_in(curator)
    assert invite(client).status_code == 201
    again = invite(client, email="NEW@lab.example", role="evaluator", disciplines=[])
    assert again.status_code == 409 and "already has a pending invitation" in again.content.decode()
    assert Invitation.objects.count() == 1


def test_a_signed_in_person_cannot_accept_an_invitation_for_someone_else(
    curator: Any, reviewer: Any
) -> None:
    link = link_in(invite(signed_in(curator)).content.decode())
    client = signed_in(reviewer)
    page = client.get(link)
    assert page.status_code == 200 and b'data-testid="signed-in"' in page.content
    form = {"username": "nadia", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    assert client.post(link, form).status_code == 403
    assert not User.objects.filter(username="nadia").exists()
    assert Invitation.objects.get().used_at is None


def test_only_curators_invite_or_revoke(curator: Any, reviewer: Any, evaluator: Any) -> None:
    invitation, _ = invitation_create(email="x@lab.example", role="evaluator", invited_by=curator)
    for user in (reviewer, evaluator):
        client = signed_in(user)
        assert client.get("/accounts/invitations/").status_code == 403
        assert invite(client, email="y@lab.example").status_code == 403
        assert client.post(f"/accounts/invitations/{invitation.pk}/revoke").status_code == 403
    assert Client().get("/accounts/invitations/")["Location"].startswith("/accounts/login/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Invitation.objects.count() == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_when_the_mail_server_is_down_the_link_is_still_shown(curator: Any) -> None:
    # A real SMTP connection to a port nothing listens on.
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=free_port(),
        EMAIL_TIMEOUT=5,
    ):
        response = invite(signed_in(curator))
    assert response.status_code == 201
    page = response.content.decode()
    assert "the email could not be sent" in page
    link = link_in(page)
    assert Client().get(link).status_code == 200


def test_the_service_refuses_a_spent_invitation(curator: Any) -> None:
    _, token = invitation_create(email="z@lab.example", role="evaluator", invited_by=curator)
    invitation_accept(token=token, username="zed", password=GOOD_PASSWORD)
    with pytest.raises(InvitationUnavailable, match="already been used"):
        invitation_accept(token=token, username="zed2", password=GOOD_PASSWORD)
    with pytest.raises(AccountError, match="at least one discipline"):
        invitation_create(email="r@lab.example", role="reviewer", invited_by=curator)


@pytest.mark.django_db(transaction=True)
def test_two_tabs_accepting_at_once_make_exactly_one_account(curator: Any) -> None:
    _, token = invitation_create(email="twin@lab.example", role="evaluator", invited_by=curator)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(username: str) -> None:
        barrier.wait()
        try:
            invitation_accept(token=token, username=username, password=GOOD_PASSWORD)
            outcomes.append("joined")
        except InvitationUnavailable as exc:
            outcomes.append(f"refused: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("tab1", "tab2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["joined", "refused: This invitation has already been used."]
    assert User.objects.filter(username__in=["tab1", "tab2"]).count() == 1
    invitation = Invitation.objects.get()
    assert invitation.used_by is not None and invitation.used_by.username in {"tab1", "tab2"}


def test_an_over_long_address_is_refused_and_nothing_is_sent(curator: Any) -> None:
    # Valid to the email validator (it allows 320 characters), too long for the column.
    response = invite(signed_in(curator), email="a" * 250 + "@lab.example")
    assert response.status_code == 400
    assert "the email address is 262 characters long; the limit is 254" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_role_defaults_to_the_least_privilege_and_lists_roles_by_privilege(
    curator: Any,
) -> None:
    page = signed_in(curator).get("/accounts/invitations/").content.decode()
    select = page.split('name="role"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\w+)"( selected)?>', select)
    assert [value for value, _ in options] == ["evaluator", "reviewer", "curator"]
    assert [value for value, selected in options if selected] == ["evaluator"]
    # Without the page's script the disciplines are still there to tick.
    assert 'data-shown-for-role="reviewer"' in page
    assert 'name="disciplines"' in page
