"""In the browser: a curator invites a reviewer from the People pages, the reviewer joins
through the link and makes an API token; the curator then deactivates them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from sciannot.accounts.models import User
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invited_reviewer_joins_makes_a_token_and_is_deactivated(
    page: Any, browser: Any, live_server: Any, curator: Any
) -> None:
    sign_in(page, "cora", "pw-cora")
    page.click("nav >> text=People")
    page.wait_for_url(re.compile(r"/accounts/users/$"))
    page.click("[data-testid=invitations]")
    page.fill("#id_email", "nadia@lab.example")
    page.select_option("#id_role", "reviewer")
    page.check("input[name=disciplines][value=Biology]")
    page.click("[data-testid=invite]")
    link = page.locator("[data-testid=invitation-link]").input_value()
    assert link.startswith(f"{live_server.url}/accounts/invite/")
    assert "nadia@lab.example" in page.inner_text("[data-testid=invitations-pending]")

    context = browser.new_context(base_url=live_server.url)
    try:
        joins_and_is_deactivated(page, context.new_page(), link)
    finally:
        context.close()


def joins_and_is_deactivated(page: Any, invitee: Any, link: str) -> None:
    invitee.goto(link)
    invitee.fill("#id_username", "nadia")
    invitee.fill("#id_password1", "violet-pipette-42")
    invitee.fill("#id_password2", "violet-pipette-42")
    invitee.click("[data-testid=join]")
    invitee.wait_for_url(re.compile(r"/questions/$"))
    assert "nadia · Expert reviewer" in invitee.inner_text(".whoami")
    invitee.click("nav >> text=API token")
    invitee.click("[data-testid=create-token]")
    key = invitee.locator("[data-testid=token-key]").input_value()
    nadia = User.objects.get(username="nadia")
    assert Token.objects.get(user=nadia).key == key and nadia.disciplines == ["Biology"]

    page.goto("/accounts/users/")
    page.click("[data-testid=deactivate-nadia]")
    page.wait_for_load_state("networkidle")
    assert "nadia is deactivated" in page.inner_text(".messages")
    assert not Token.objects.filter(user=nadia).exists()
    invitee.goto("/questions/")
    invitee.wait_for_url(re.compile(r"/accounts/login/"))
    # The used link is spent.
    response = invitee.goto(link)
    assert response is not None and response.status == 410
