"""Headless Chromium through Playwright, against a live server in another thread (the
session's browser itself is in the top-level conftest, shared with the stack tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    # Playwright evaluates wait_for_function's string predicates with eval, which the app's
    # Content-Security-Policy (script-src 'self') forbids; these tests check behaviour, and
    # test_csp.py and test_xss.py check the policy in contexts that do not bypass it.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login]")
    page.wait_for_load_state("networkidle")
