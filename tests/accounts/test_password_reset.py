"""Forgotten and changed passwords: Django's views with our pages, the whole flow through the
email, and nothing revealed about which addresses have accounts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.http import HttpRequest
from django.test import Client

from sciannot.accounts.models import User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-centrifuge-77"


@pytest.fixture
def bea(reviewer: Any) -> Any:
    User.objects.filter(pk=reviewer.pk).update(email="bea@lab.example")
    reviewer.refresh_from_db()
    return reviewer


def reset_link(body: str) -> str:
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def signs_in(username: str, password: str) -> bool:
    response = Client().post(
        "/accounts/login/", {"username": username, "password": password}, follow=False
    )
    return response.status_code == 302


def test_the_login_page_offers_a_reset() -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page and "Forgot your password?" in page


def test_a_forgotten_password_is_reset_through_the_emailed_link(bea: Any) -> None:
    client = Client()
    form = client.get("/accounts/password_reset/")
    assert form.status_code == 200 and b'data-testid="reset-form"' in form.content
    sent = client.post("/accounts/password_reset/", {"email": "BEA@lab.example"})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password_reset/done/"
    assert b'data-testid="reset-sent"' in client.get(sent["Location"]).content
    [message] = mail.outbox
    assert message.to == ["bea@lab.example"]
    assert message.subject == "Reset your sciannot password"
    assert '"bea"' in message.body
    link = reset_link(message.body)
    # Django swaps the token in the URL for one kept in the session, then shows the form.
    opened = client.get(link)
    assert opened.status_code == 302
    page = client.get(opened["Location"])
    assert b'data-testid="new-password-form"' in page.content
    weak = client.post(opened["Location"], {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and b"too short" in weak.content
    done = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert b'data-testid="reset-complete"' in client.get(done["Location"]).content
    assert signs_in("bea", NEW_PASSWORD)
    assert not signs_in("bea", "pw-bea")
    # The link is spent.
    again = Client().get(link, follow=True)
    assert b'data-testid="reset-invalid"' in again.content


def test_an_unknown_address_reveals_nothing(bea: Any) -> None:
    known = Client().post("/accounts/password_reset/", {"email": "bea@lab.example"})
    unknown = Client().post("/accounts/password_reset/", {"email": "nobody@lab.example"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [m.to for m in mail.outbox] == [["bea@lab.example"]]


def test_a_deactivated_account_gets_no_reset_mail(bea: Any) -> None:
    User.objects.filter(pk=bea.pk).update(is_active=False)
    response = Client().post("/accounts/password_reset/", {"email": "bea@lab.example"})
    assert response.status_code == 302 and not mail.outbox


def test_a_signed_in_person_changes_their_password(bea: Any) -> None:
    client = Client()
    assert client.login(request=HttpRequest(), username="bea", password="pw-bea")
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200 and b'data-testid="change-password-form"' in page.content
    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and b"incorrectly" in wrong.content
    other_browser = Client()
    assert other_browser.login(request=HttpRequest(), username="bea", password="pw-bea")
    done = client.post(
        "/accounts/password_change/",
        {"old_password": "pw-bea", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password_change/done/"
    assert b'data-testid="change-done"' in client.get(done["Location"]).content
    # This browser stays signed in; the other one is signed out.
    assert client.get("/questions/").status_code == 200
    assert other_browser.get("/questions/").status_code == 302
    assert signs_in("bea", NEW_PASSWORD) and not signs_in("bea", "pw-bea")


def test_changing_a_password_needs_a_sign_in() -> None:
    response = Client().get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
