"""In the browser, under the site's Content-Security-Policy: the API reference renders with
Swagger UI (/api/docs/) and Redoc (/api/redoc/), served from our own static files, and the
browser reports no violation; the API token page links to both."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.browser.watch import Watch, until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watched(browser: Any, live_server: Any) -> Any:
    # No bypass_csp here: the policy under test applies.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    watch = Watch(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    watch.requests = requests
    yield page, watch
    context.close()


# Redoc's sidebar credits Redocly with a logo from its CDN: the policy blocks it on purpose
# (nothing is fetched from another origin) and Redoc hides the image. Nothing else may be.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def assert_clean(watch: Watch, where: str, live_server: Any) -> None:
    watch.collect(where)
    violations = [
        v for v in watch.violations if (v["directive"], v["blocked"]) != ("img-src", REDOC_LOGO)
    ]
    assert not violations, violations
    console = [text for text in watch.csp_console_errors() if REDOC_LOGO not in text]
    assert not console, console
    assert not watch.errors, watch.errors
    # Self-hosted: nothing but the blocked logo is asked of another origin (no CDN, no fonts).
    foreign = [
        url
        for url in watch.requests
        if not url.startswith((live_server.url, "data:", "blob:")) and url != REDOC_LOGO
    ]
    assert not foreign, foreign


def test_swagger_ui_lists_the_operations_under_the_policy(
    watched: Any, live_server: Any, curator: Any
) -> None:
    page, watch = watched
    sign_in(page, "cora", "pw-cora")
    page.goto("/accounts/token/")
    page.click("[data-testid=api-docs]")
    page.wait_for_url(re.compile(r"/api/docs/$"))
    operation = page.locator(".opblock-summary-path", has_text="/api/questions/").first
    operation.wait_for(timeout=30_000)
    assert page.locator(".opblock").count() >= 3
    # An operation opens and shows its parameters.
    operation.click()
    page.locator(".opblock-body .parameters").first.wait_for()
    assert "video_id" in page.inner_text(".opblock-body")
    page.wait_for_load_state("networkidle")
    assert_clean(watch, "/api/docs/", live_server)


def test_redoc_renders_the_reference_under_the_policy(
    watched: Any, live_server: Any, curator: Any
) -> None:
    page, watch = watched
    sign_in(page, "cora", "pw-cora")
    page.goto("/accounts/token/")
    page.click("[data-testid=api-redoc]")
    page.wait_for_url(re.compile(r"/api/redoc/$"))
    until(page, "() => document.querySelector('#redoc .api-content h1')")
    assert "sciannot API" in page.inner_text("#redoc .api-content h1")
    assert page.locator("#redoc [role=navigation] li, #redoc .menu-content li").count() >= 5
    assert "/api/questions/" in page.inner_text("#redoc")
    page.wait_for_load_state("networkidle")
    assert_clean(watch, "/api/redoc/", live_server)
