"""In the browser: an unknown address shows the site's 404 page with its navigation, as under
`make run` (DEBUG on), and the menu leads on from it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_404_shows_the_navigation_and_a_way_on(page: Any, settings: Any, curator: Any) -> None:
    settings.DEBUG = True
    sign_in(page, "cora", "pw-cora")
    response = page.goto("/videos/no-such-page/")
    assert response is not None and response.status == 404
    assert page.title() == "Page not found · sciannot"
    assert page.locator("[data-testid=not-found-reason]").is_visible()
    assert "URLconf" not in page.content()
    nav = page.locator("header.topbar nav")
    assert nav.is_visible()
    assert nav.locator("text=Releases").is_visible()
    page.click("[data-testid=error-home]")
    page.wait_for_url(re.compile(r"/videos/$"))
