"""In the browser: the invitation form starts at the least privilege (evaluator) and shows
the disciplines only while the role is reviewer; without JavaScript every field shows."""

from __future__ import annotations

from typing import Any

import pytest

from sciannot.accounts.models import Invitation
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISCIPLINES = "[data-testid=invitation-form] [data-testid=discipline-choices]"


def test_the_disciplines_show_only_for_a_reviewer(page: Any, curator: Any) -> None:
    sign_in(page, "cora", "pw-cora")
    page.goto("/accounts/invitations/")
    assert page.input_value("#id_role") == "evaluator"
    assert page.locator(DISCIPLINES).is_hidden()

    page.select_option("#id_role", "reviewer")
    assert page.locator(DISCIPLINES).is_visible()
    page.check("input[name=disciplines][value=Biology]")

    # Ticked, then the role changed: the hidden disciplines are not sent with an evaluator.
    page.select_option("#id_role", "evaluator")
    assert page.locator(DISCIPLINES).is_hidden()
    page.fill("#id_email", "eve@lab.example")
    page.click("[data-testid=invite]")
    page.locator("[data-testid=invitation-created]").wait_for()
    invitation = Invitation.objects.get(email="eve@lab.example")
    assert (invitation.role, invitation.disciplines) == ("evaluator", [])

    page.select_option("#id_role", "curator")
    assert page.locator(DISCIPLINES).is_hidden()
    page.select_option("#id_role", "reviewer")
    page.check("input[name=disciplines][value=Biology]")
    page.fill("#id_email", "rev@lab.example")
    page.click("[data-testid=invite]")
    page.locator("[data-testid=invitation-created]").wait_for()
    invitation = Invitation.objects.get(email="rev@lab.example")
    assert (invitation.role, invitation.disciplines) == ("reviewer", ["Biology"])


def test_without_javascript_every_field_shows(browser: Any, live_server: Any, curator: Any) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "cora", "pw-cora")
        page.goto("/accounts/invitations/")
        assert page.locator(DISCIPLINES).is_visible()
        assert page.locator("input[name=disciplines][value=Biology]").is_enabled()
    finally:
        context.close()
